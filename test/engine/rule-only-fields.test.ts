// Rule-only node fields (facts/node.ts RULE_ONLY_NODE_FIELDS) are left out when no loaded rule names them.
// That is safe only while nothing but rules reads them: every fixture cluster must give the same report
// with and without them (a read of one in facts or engine code would change or break it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_CAPS } from '../../src/bundle/types.js';
import { loadRuleDirs } from '../../src/engine/loader.js';
import { analyzeBundles, inputSummary, readForPipeline, unnamedNodeFields, type PipelineItem } from '../../src/engine/pipeline.js';
import { SignatureMatcher } from '../../src/engine/signatures.js';
import { buildNode, RULE_ONLY_NODE_FIELDS, type RuleOnlyNodeField } from '../../src/facts/node.js';
import { repoPath } from '../helpers.js';

const rules = loadRuleDirs([repoPath('rules')]);

async function reportWith(cluster: string, omit: ReadonlySet<RuleOnlyNodeField>) {
  const matcher = new SignatureMatcher(rules.signatures);
  const items: PipelineItem[] = [];
  for await (const item of readForPipeline([repoPath(`fixtures/clusters/${cluster}`)], DEFAULT_CAPS)) {
    if (item.bundle) items.push({ built: { build: buildNode(item.bundle, matcher, omit), input: inputSummary(item.bundle), readMs: 0, factsMs: 0 } });
    else items.push(item);
  }
  async function* feed() {
    yield* items;
  }
  return analyzeBundles(feed(), rules, { toolVersion: 'test', now: () => new Date('2026-11-26T00:00:00Z') });
}

/** The rule-only fields left out with one extra rule file loaded beside no other. */
function unnamedWith(rule: string): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'fd-rule-only-'));
  try {
    mkdirSync(path.join(dir, 'bundle-integrity'));
    writeFileSync(path.join(dir, 'bundle-integrity', 'probe.yaml'), rule);
    const loaded = loadRuleDirs([dir]);
    assert.deepEqual(loaded.errors, []);
    return unnamedNodeFields(loaded);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const probe = (lines: string) => `id: bundle-integrity.probe\ntitle: Probe\ncategory: bundle-integrity\nseverity: info\n${lines}\n`;

test('no built-in rule names a rule-only field, so none is built; a rule that reads one gets it', () => {
  assert.deepEqual(unnamedNodeFields(rules), [...RULE_ONLY_NODE_FIELDS]);
  const prose = 'description: counts the commands of node.commands\nforEach: nodes\nas: node\nwhen: node.incomplete\nmessage: "{{node.hostname}}"';
  assert.deepEqual(unnamedWith(probe(prose)), [...RULE_ONLY_NODE_FIELDS], 'prose reads nothing');
  const template = 'forEach: nodes\nas: node\nwhen: node.incomplete\nmessage: "{{node.hostname}}: {{count node.commands}}"';
  assert.deepEqual(unnamedWith(probe(template)), ['expectedAbsences'], 'a template that reads the field gets it');
  const expression = 'forEach: nodes.filter(n, n.commands.exists(c, c.state == "failed"))\nas: node\nwhen: node.incomplete\nmessage: "{{node.hostname}}"';
  assert.deepEqual(unnamedWith(probe(expression)), ['expectedAbsences'], 'an expression that reads the field gets it');
});

test('every fixture cluster gives the same report with and without the rule-only fields', async () => {
  const clusters = readdirSync(repoPath('fixtures/clusters'));
  assert.ok(clusters.length >= 10);
  for (const cluster of clusters) {
    const full = await reportWith(cluster, new Set());
    const lean = await reportWith(cluster, new Set(RULE_ONLY_NODE_FIELDS));
    assert.deepEqual(lean, full, cluster);
  }
});
