// Rule pack I scenario clusters: each generated fault cluster (fixtures/scenarios/<category>.json) must be
// diagnosed with its own category as the first finding (the most likely cause), and the healthy clusters
// must give no fail and no warn. Runs the whole pipeline on the fixture archives with the built-in rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CAPS } from '../../src/bundle/types.js';
import { analyzeBundles, readForPipeline } from '../../src/engine/pipeline.js';
import { loadRuleDirs } from '../../src/engine/loader.js';
import type { Report } from '../../src/report/schema.js';
import { repoPath } from '../helpers.js';

const rules = loadRuleDirs([repoPath('rules')]);

async function analyze(cluster: string): Promise<Report> {
  return analyzeBundles(readForPipeline([repoPath('fixtures', 'clusters', cluster)], DEFAULT_CAPS), rules, { toolVersion: 'test' });
}

const SCENARIOS: Record<string, { rule: string; message: RegExp }> = {
  'etcd-config': { rule: 'etcd-config.config-missing', message: /config-like key exists at \/coreos\.com\/network / },
  'etcd-api-version': { rule: 'etcd-api-version.store-mismatch', message: /exists only in the v2 store/ },
  'etcd-connectivity': { rule: 'etcd-connectivity.collector-errors', message: /did not answer the collector/ },
  'tls-auth': { rule: 'tls-auth.cafile-without-cert', message: /ignores the CA file/ },
  'stale-lease': { rule: 'stale-lease.reservation-orphaned', message: /10\.244\.9\.0\/24 is reserved .* 192\.168\.50\.99/ },
  'subnet-exhaustion': { rule: 'subnet-exhaustion.capacity', message: /All 3 \/24 subnets/ },
  'lease-conflict': { rule: 'lease-conflict.duplicate-public-ip', message: /10\.0\.2\.15 is the public IP of node-a, node-b, node-c/ },
  clock: { rule: 'clock.lease-loss-daily', message: /node-c: flanneld lost its lease 2 times about 24 h apart/ },
};

test('the built-in rules load', () => {
  assert.deepEqual(rules.errors, []);
});

for (const [cluster, want] of Object.entries(SCENARIOS)) {
  test(`${cluster}: diagnosed with its category first`, async () => {
    const report = await analyze(cluster);
    const first = report.findings[0];
    assert.ok(first, 'there are findings');
    assert.equal(first.category, cluster, `first finding: [${first.status}] ${first.ruleId}: ${first.message}`);
    assert.ok(first.status === 'fail' || first.status === 'warn', `first finding is ${first.status}`);
    assert.equal(first.ruleId, want.rule);
    assert.match(first.message, want.message);
    assert.ok(first.evidence.length > 0, 'the finding cites evidence');
  });
}

for (const cluster of ['healthy-etcd', 'healthy-hostgw-v2', 'healthy-kube', 'healthy-k3s']) {
  test(`${cluster}: no fail and no warn`, async () => {
    const report = await analyze(cluster);
    const bad = report.findings.filter((f) => f.status === 'fail' || f.status === 'warn');
    assert.deepEqual(bad.map((f) => `[${f.status}] ${f.ruleId}: ${f.message}`), []);
    // the pack's rules did judge these clusters (a pass, not only skipped or not applicable)
    const passed = new Set<string>(report.findings.filter((f) => f.status === 'pass').map((f) => f.category));
    for (const c of ['stale-lease', 'lease-conflict', 'clock']) assert.ok(passed.has(c), `${cluster}: no pass finding of ${c}`);
  });
}
