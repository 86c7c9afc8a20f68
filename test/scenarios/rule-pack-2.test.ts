// Rule pack II scenario clusters (nodes, kernels, backends, interfaces, Kubernetes, bundle integrity):
// each generated fault cluster must be diagnosed with its category as the first finding, citing
// evidence, and the healthy clusters must give no fail and no warn while this pack's rules judge them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CAPS } from '../../src/bundle/types.js';
import { analyzeBundles, readForPipeline } from '../../src/engine/pipeline.js';
import { loadRuleDirs } from '../../src/engine/loader.js';
import type { Category, Report } from '../../src/report/schema.js';
import { repoPath } from '../helpers.js';

const rules = loadRuleDirs([repoPath('rules')]);

async function analyze(cluster: string): Promise<Report> {
  return analyzeBundles(readForPipeline([repoPath('fixtures', 'clusters', cluster)], DEFAULT_CAPS), rules, { toolVersion: 'test' });
}

const SCENARIOS: Record<string, { category: Category; rule: string; node: string; message: RegExp }> = {
  'faulty-multi-instance': { category: 'multi-instance', rule: 'multi-instance.several-flanneld', node: 'node-b', message: /node-b runs 2 flanneld processes: PID 2790 \(kube mode, v0\.25\.1\) PID 3455 \(kube mode, v0\.22\.0\); with the same flags/ },
  'faulty-kube-subnet-mgr': { category: 'kube-subnet-mgr', rule: 'kube-subnet-mgr.podcidr-missing', node: 'node-c', message: /Node node-c has no spec\.podCIDR/ },
  'faulty-kernel-backend': { category: 'kernel-backend', rule: 'kernel-backend.backend-module', node: 'node-b', message: /kernel 5\.15\.0-1060-custom\): the vxlan backend needs CONFIG_VXLAN, which this kernel was built without/ },
  'faulty-backend-mismatch': { category: 'backend-mismatch', rule: 'backend-mismatch.types-differ', node: 'node-c', message: /says vxlan, but the lease \(\/coreos\.com\/network\/subnets\/10\.244\.3\.0-24\) says host-gw/ },
  'faulty-backend-udp-arm64': { category: 'backend-mismatch', rule: 'backend-mismatch.udp-arch', node: 'node-b', message: /node-b is aarch64 \(arm64\): flannel's udp backend exists only for amd64/ },
  'faulty-iface': { category: 'iface', rule: 'iface.detection-failed', node: 'node-b', message: /Could not find valid interface matching eth1/ },
  'faulty-residual-interfaces': { category: 'residual-interfaces', rule: 'residual-interfaces.other-backend-device', node: 'node-b', message: /flannel\.1 \(vxlan, 10\.244\.51\.0, UNKNOWN\) is left from another backend while the cluster uses host-gw/ },
  'faulty-bundle-integrity': { category: 'bundle-integrity', rule: 'bundle-integrity.lost-data', node: 'node-b', message: /ip-route timed-out .*flanneld-log truncated/ },
};

test('the built-in rules load', () => {
  assert.deepEqual(rules.errors, []);
});

for (const [cluster, want] of Object.entries(SCENARIOS)) {
  test(`${cluster}: diagnosed with ${want.category} first`, async () => {
    const report = await analyze(cluster);
    const first = report.findings[0];
    assert.ok(first, 'there are findings');
    assert.equal(first.category, want.category, `first finding: [${first.status}] ${first.ruleId}: ${first.message}`);
    assert.ok(first.status === 'fail' || first.status === 'warn', `first finding is ${first.status}`);
    assert.equal(first.ruleId, want.rule);
    assert.equal(first.node, want.node);
    assert.match(first.message, want.message);
    assert.ok(first.evidence.length > 0, 'the finding cites evidence');
  });
}

const PACK = ['multi-instance', 'kube-subnet-mgr', 'kernel-backend', 'backend-mismatch', 'iface', 'residual-interfaces', 'bundle-integrity'];

for (const cluster of ['healthy-etcd', 'healthy-hostgw-v2', 'healthy-kube', 'healthy-k3s']) {
  test(`${cluster}: no fail and no warn`, async () => {
    const report = await analyze(cluster);
    const bad = report.findings.filter((f) => f.status === 'fail' || f.status === 'warn');
    assert.deepEqual(bad.map((f) => `[${f.status}] ${f.ruleId}: ${f.message}`), []);
    // this pack's rules judged the cluster: none of them was skipped
    const skipped = report.findings.filter((f) => f.status === 'skipped' && (PACK as string[]).includes(f.category));
    assert.deepEqual(skipped.map((f) => `${f.ruleId}: ${f.message}`), []);
    const passed = new Set<string>(report.findings.filter((f) => f.status === 'pass').map((f) => f.category));
    for (const c of ['multi-instance', 'iface', 'residual-interfaces', 'bundle-integrity', 'backend-mismatch']) assert.ok(passed.has(c), `${cluster}: no pass finding of ${c}`);
  });
}
