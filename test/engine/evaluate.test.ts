// Evaluation at scale: passes of many subjects fold into one counted finding, while every fail keeps its
// own finding (a 5,000-node cluster must not lose a failing node, nor carry 5,000 "fine" findings a rule).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_CAPS } from '../../src/bundle/types.js';
import { readForPipeline } from '../../src/engine/pipeline.js';
import { loadRuleDirs } from '../../src/engine/loader.js';
import { evaluateRules, evidenceKey } from '../../src/engine/evaluate.js';
import { SignatureMatcher } from '../../src/engine/signatures.js';
import { buildNode, type NodeBuild } from '../../src/facts/node.js';
import type { Facts } from '../../src/facts/schema.js';
import { assembleFacts } from '../../src/facts/cluster.js';
import { repoPath } from '../helpers.js';

const RULE = `id: multi-instance.names
title: Node names
category: multi-instance
severity: critical
forEach: cluster.nodeNames
as: name
outcomes:
  - when: name.endsWith("7")
    status: fail
    message: "{{name}} ends in 7"
  - status: pass
    message: "{{name}} is fine"
`;

/** The rule in `yaml` (one file of category multi-instance), loaded, and the healthy-etcd facts to run it on. */
async function withRule(file: string, yaml: string, run: (rules: ReturnType<typeof loadRuleDirs>, facts: Facts) => void): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fd-eval-'));
  try {
    mkdirSync(path.join(dir, 'multi-instance'));
    writeFileSync(path.join(dir, 'multi-instance', file), yaml);
    const rules = loadRuleDirs([dir]);
    assert.deepEqual(rules.errors, []);
    const builds: NodeBuild[] = [];
    const matcher = new SignatureMatcher([]);
    for await (const item of readForPipeline([repoPath('fixtures/clusters/healthy-etcd')], DEFAULT_CAPS)) if (item.bundle) builds.push(buildNode(item.bundle, matcher));
    run(rules, assembleFacts(builds, []).facts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('many passing subjects fold into one counted pass; every failing subject keeps its finding', async () => {
  await withRule('names.yaml', RULE, (rules, facts) => {
    facts.cluster.nodeNames = Array.from({ length: 500 }, (_, i) => `node-${i}`);
    const r = evaluateRules(rules.rules, facts);
    const fails = r.findings.filter((f) => f.status === 'fail');
    const passes = r.findings.filter((f) => f.status === 'pass');
    assert.equal(fails.length, 50, 'one finding per failing subject, none dropped');
    assert.equal(passes.length, 1);
    assert.match(passes[0].message, /^Passed for 450 of 500 subjects, e\.g\. node-0 is fine$/);
    // a small cluster keeps one pass per subject
    facts.cluster.nodeNames = ['node-1', 'node-2', 'node-7'];
    const small = evaluateRules(rules.rules, facts);
    assert.deepEqual(small.findings.map((f) => `${f.status} ${f.message}`), ['fail node-7 ends in 7', 'pass node-1 is fine', 'pass node-2 is fine']);
  });
});

const THROWING_PASS = `id: multi-instance.throwing-pass
title: Names with evidence that cannot be built
category: multi-instance
severity: warning
forEach: cluster.nodeNames
as: name
outcomes:
  - status: pass
    message: "{{name}} is fine"
evidence: ["nodes[100000]"]
`;

test('a pass whose evidence cannot be built is a skipped finding for every subject, never a crash or a count', async () => {
  await withRule('throwing-pass.yaml', THROWING_PASS, (rules, facts) => {
    facts.cluster.nodeNames = Array.from({ length: 150 }, (_, i) => `node-${i}`);
    const r = evaluateRules(rules.rules, facts);
    assert.equal(r.findings.filter((f) => f.status === 'skipped').length, 150);
    assert.equal(r.findings.filter((f) => f.status === 'pass').length, 0);
    assert.equal(r.errors.length, 150);
  });
});

test('evidence keys: equal evidence (in any field order) shares a key, different evidence never does', () => {
  assert.equal(evidenceKey({ input: 'a', file: 'f', line: 3 }), evidenceKey({ line: 3, file: 'f', input: 'a' }));
  // bundle text may hold any character: values cannot run into each other
  const a = { input: 'i', file: null, pointer: '/x', excerpt: '\u0001\u0001y\u0000\u0001\u0001\u0001' };
  const b = { input: 'i', file: null, pointer: '/x\u0000\u0001\u0001\u0001\u0001y', excerpt: '\u0001' };
  assert.notEqual(evidenceKey(a), evidenceKey(b));
  assert.notEqual(evidenceKey({ input: 'i', file: 'f:1' }), evidenceKey({ input: 'i:f', file: '1' }));
  assert.notEqual(evidenceKey({ input: 'i', file: null }), evidenceKey({ input: 'i', file: 'null' }));
  assert.notEqual(evidenceKey({ input: 'i', file: 'f', line: 1 }), evidenceKey({ input: 'i', file: 'f', excerpt: '1' }));
});
