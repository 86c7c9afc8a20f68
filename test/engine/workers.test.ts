// Worker threads must not change a report: facts built on workers (cloned, null prototypes restored,
// equal strings shared) give the very report a one-thread run gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CAPS } from '../../src/bundle/types.js';
import { loadRuleDirs } from '../../src/engine/loader.js';
import { analyzeBundles, readAndBuild } from '../../src/engine/pipeline.js';
import { restoreNullPrototypes, nullPrototypeIndexes, type StringPool } from '../../src/engine/detach.js';
import { repoPath } from '../helpers.js';

const rules = loadRuleDirs([repoPath('rules')]);
const now = () => new Date('2026-11-26T00:00:00Z');

for (const cluster of ['subnet-exhaustion', 'hostile-entries']) {
  test(`${cluster}: the report built on worker threads equals the one-thread report`, async () => {
    const dir = repoPath(`fixtures/clusters/${cluster}`);
    const inputs = readdirSync(dir).sort().map((n) => path.join(dir, n));
    assert.ok(inputs.length >= 4, 'enough inputs for workers');
    const serial = await analyzeBundles(readAndBuild(inputs, DEFAULT_CAPS, rules, 1), rules, { toolVersion: 't', now });
    const parallel = await analyzeBundles(readAndBuild(inputs, DEFAULT_CAPS, rules, 2), rules, { toolVersion: 't', now });
    assert.ok(serial.findings.some((f) => f.status === 'fail'), 'a faulty fixture: findings to compare');
    assert.deepEqual(parallel, serial);
  });
}

test('a received message gets its null prototypes back, and equal short strings are shared through the pool', () => {
  const sent = { a: Object.assign(Object.create(null) as Record<string, unknown>, { constructor: 'x', list: ['ok', 'ok', 'x'.repeat(200)] }), b: ['ok', { s: 'ok' }] };
  const indexes = nullPrototypeIndexes(sent);
  const received = structuredClone(sent) as typeof sent;
  assert.equal(Object.getPrototypeOf(received.a), Object.prototype, 'structured cloning loses null prototypes');
  const pool: StringPool = new Map();
  restoreNullPrototypes(received, indexes, pool);
  assert.equal(Object.getPrototypeOf(received.a), null);
  assert.deepEqual(JSON.parse(JSON.stringify(received)), JSON.parse(JSON.stringify(sent)), 'values unchanged');
  assert.deepEqual([...pool.keys()].sort(), ['ok', 'x'], 'short strings pooled once each, the 200-character one not');
});
