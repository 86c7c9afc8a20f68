// Runs every built-in rule's own test cases (rules/**/<name>.test.yaml), one node:test per case, so
// `npm test` fails when a rule stops recognizing its scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleDirs } from '../src/engine/loader.js';
import { runRuleTests } from '../src/engine/rule-tests.js';
import { formatDiagnostic } from '../src/engine/yaml-source.js';
import { REPO_ROOT, repoPath } from './helpers.js';

const loaded = loadRuleDirs([repoPath('rules')]);

test('built-in rules load without errors', () => {
  assert.deepEqual(loaded.errors.map(formatDiagnostic), []);
});

test('every built-in rule has fail (or warn), pass and skipped cases', () => {
  const missing: string[] = [];
  for (const r of loaded.rules) {
    // bundle-integrity rules judge the bundle's own completeness: no missing data can leave them unjudged
    const needsSkipped = r.def.category !== 'bundle-integrity';
    const cases = loaded.tests.filter((t) => t.ruleId === r.def.id).flatMap((t) => t.data.cases);
    const statuses = new Set(cases.flatMap((c) => c.expect.map((e) => e.status)));
    if (!statuses.has('fail') && !statuses.has('warn')) missing.push(`${r.def.id}: no fail/warn case`);
    if (!statuses.has('pass')) missing.push(`${r.def.id}: no pass case`);
    if (needsSkipped && !statuses.has('skipped')) missing.push(`${r.def.id}: no skipped case`);
  }
  assert.deepEqual(missing, []);
});

test('rule test cases', async (t) => {
  const results = await runRuleTests(loaded, REPO_ROOT, 'test');
  assert.ok(results.length > 0, 'there are rule test cases');
  for (const r of results) {
    await t.test(`${r.ruleId} :: ${r.name}`, () => {
      assert.deepEqual(r.problems, [], `${r.file}`);
    });
  }
});
