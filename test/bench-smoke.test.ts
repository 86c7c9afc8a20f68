// CI smoke test of `npm run bench`: the benchmark runs end to end at 100 nodes and prints every figure.
// Timings are not judged here (CI machines vary); `npm run bench` judges the targets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { repoPath } from './helpers.js';

const LABELS = [
  'floor (gunzip + tar walk, 1 process, 1 core)',
  'gzip -dc of the same archives (reference)',
  'analyze -f json: wall time',
  'analyze -f html: wall time',
  'peak RSS: analyze -f json / -f html',
  'rule evaluation',
  'cold start: flannel-diag --version',
  'cold start: node -e 0',
  '1,000 nodes: analyze -f json wall time / floor',
  '5,000 nodes: peak RSS',
  'rule evaluation, 1,000 -> 5,000 nodes',
  'cold start: --version / node -e 0',
];

test('bench --smoke at 100 nodes completes and prints every figure', { timeout: 20 * 60_000 }, () => {
  const r = spawnSync(process.execPath, [repoPath('dist/bench/run.js'), '--sizes', '100', '--smoke'], { encoding: 'utf8', timeout: 20 * 60_000 });
  assert.equal(r.status, 0, r.stderr);
  for (const label of LABELS) assert.ok(r.stdout.includes(label), `missing "${label}" in:\n${r.stdout}`);
  assert.match(r.stdout, /100 nodes: 100 archives/);
  assert.match(r.stdout, /analyze -f json: wall time\s+\d+ ms/);
  assert.match(r.stdout, /peak RSS: analyze -f json \/ -f html\s+\d+ MiB \/ \d+ MiB/);
});
