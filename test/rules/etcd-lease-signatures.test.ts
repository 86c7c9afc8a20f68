// The log signatures Rule pack I relies on, fed real flannel and etcd-client lines (verbatim from
// public issues, see the flannel reference: CASE-01/03/04/05/09/13, and flannel's format strings per
// version) through the SignatureMatcher the analyzer uses. Each line must hit exactly the signatures
// that describe it, and none of the other version's texts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleDirs } from '../../src/engine/loader.js';
import { SignatureMatcher } from '../../src/engine/signatures.js';
import { repoPath } from '../helpers.js';

const loaded = loadRuleDirs([repoPath('rules')]);
const matcher = new SignatureMatcher(loaded.signatures);
// the signatures of this pack (other packs' signatures may also match a line; they are tested there)
const PACK = new Set([
  'config-fetch-failed', 'config-not-found-v3', 'etcdserver-key-not-found', 'v2-key-not-found', 'v2-invalid-json', 'v2-cluster-unavailable',
  'etcd-client-retrying', 'lease-revoked', 'lease-renewed', 'lease-renew-wait', 'lease-renew-error', 'out-of-subnets', 'subnet-already-exists',
  'max-retries', 'renew-margin-invalid', 'etcd-no-client-cert', 'etcd-tls-unknown-authority', 'etcd-tls-bad-certificate', 'etcd-tls-cert-expired',
  'etcd-auth-failed', 'etcd-permission-denied',
]);
const ids = (line: string) => matcher.match(line).map((m) => m.id).filter((id) => PACK.has(id)).sort();

test('every signature of the pack is loaded', () => {
  const loadedIds = new Set(loaded.signatures.map((s) => s.id));
  assert.deepEqual([...PACK].filter((id) => !loadedIds.has(id)), []);
});

const CASES: { line: string; want: string[]; groups?: Record<string, string[]> }[] = [
  // v0.7 (v2 API), CASE-01
  { line: 'failed to retrieve network config: 100: Key not found (/coreos.com) [17]', want: ['config-fetch-failed', 'v2-key-not-found'], groups: { 'v2-key-not-found': ['/coreos.com'] } },
  // v0.5 packaged flannel with another prefix, CASE-05
  { line: 'Failed to retrieve network config: 100: Key not found (/atomic01/network/config) [8420]', want: ['config-fetch-failed', 'v2-key-not-found'], groups: { 'v2-key-not-found': ['/atomic01/network/config'] } },
  // <= v0.17 against etcd 3.4 without --enable-v2, CASE-03
  { line: "Couldn't fetch network config: client: response is invalid json. The endpoint is probably not valid etcd cluster endpoint.", want: ['config-fetch-failed', 'v2-invalid-json'] },
  // v0.18.x (v3 API), CASE-04
  { line: "E0520 10:01:02.123456       1 main.go:330] Couldn't fetch network config: rpc error: code = InvalidArgument desc = etcdserver: key not found", want: ['config-fetch-failed', 'etcdserver-key-not-found'] },
  // v0.19+ (v3 API)
  { line: "Nov 26 05:13:06 node-a flanneld[812]: E1126 05:13:06.114212     812 main.go:332] Couldn't fetch network config: flannel config not found in etcd store. Did you create your config using etcdv3 API?", want: ['config-fetch-failed', 'config-not-found-v3'] },
  // lease loss, CASE-13 (all versions)
  { line: 'I0912 07:56:21.371152    3217 main.go:427] Waiting for 23h0m7.299005107s to renew lease', want: ['lease-renew-wait'], groups: { 'lease-renew-wait': ['23h0m7.299005107s'] } },
  { line: 'I0913 07:56:21.375230    3217 main.go:575] Lease has been revoked. Shutting down daemon.', want: ['lease-revoked'] },
  // exhaustion, CASE-09 (old capitalisation) and the current wrapping
  { line: 'E0122 14:40:52.880390 04023 main.go:127] Failed to acquire lease: out of subnets', want: ['out-of-subnets'] },
  { line: 'E1126 04:42:39.868212     742 main.go:325] Error registering network: failed to acquire lease: out of subnets', want: ['out-of-subnets'] },
  // v0.18+ create collision, and the retry limit before and after v0.28.0
  { line: 'E1126 01:00:18.114212     798 main.go:330] Error registering network: failed to acquire lease: subnet already exists', want: ['subnet-already-exists'] },
  { line: 'failed to acquire lease: Max retries reached trying to acquire a subnet', want: ['max-retries'] },
  { line: 'failed to acquire lease: max retries reached trying to acquire a subnet', want: ['max-retries'] },
  // renew margin check (v0.9.0+)
  { line: 'E1126 05:13:06.1 1 main.go:210] Invalid subnet-lease-renew-margin option, out of acceptable range', want: ['renew-margin-invalid'] },
  // etcd client of flannel v0.18+ when etcd is down, and when TLS fails (the error text rides in the same line)
  { line: '{"level":"warn","ts":"2026-11-26T05:08:06.114Z","logger":"etcd-client","caller":"v3@v3.5.7/retry_interceptor.go:62","msg":"retrying of unary invoker failed","target":"etcd-endpoints://0xc00022e000/192.168.50.10:2379","attempt":0,"error":"rpc error: code = DeadlineExceeded desc = context deadline exceeded"}', want: ['etcd-client-retrying'] },
  { line: '{"level":"warn","ts":"2026-11-26T05:03:06.201Z","logger":"etcd-client","caller":"v3@v3.5.7/retry_interceptor.go:62","msg":"retrying of unary invoker failed","target":"etcd-endpoints://0xc0001a4000/192.168.50.10:2379","attempt":0,"error":"rpc error: code = DeadlineExceeded desc = latest balancer error: last connection error: connection error: desc = \\"transport: authentication handshake failed: x509: certificate signed by unknown authority\\""}', want: ['etcd-client-retrying', 'etcd-tls-unknown-authority'] },
  // v0.18+ without both client cert and key
  { line: 'W1126 01:11:27.004512     812 registry.go:84] no certificate provided: connecting to etcd with http. This is insecure', want: ['etcd-no-client-cert'] },
  // v2 client (<= v0.17): unavailable, and TLS / auth errors behind it
  { line: "Couldn't fetch network config: client: etcd cluster is unavailable or misconfigured; error #0: dial tcp 127.0.0.1:2379: connect: connection refused", want: ['config-fetch-failed', 'v2-cluster-unavailable'] },
  { line: "Couldn't fetch network config: client: etcd cluster is unavailable or misconfigured; error #0: remote error: tls: bad certificate", want: ['config-fetch-failed', 'etcd-tls-bad-certificate', 'v2-cluster-unavailable'] },
  { line: "Couldn't fetch network config: rpc error: code = InvalidArgument desc = etcdserver: authentication failed, invalid user ID or password", want: ['config-fetch-failed', 'etcd-auth-failed'] },
  { line: 'Error renewing lease (trying again in 1 min): rpc error: code = PermissionDenied desc = etcdserver: permission denied', want: ['etcd-permission-denied', 'lease-renew-error'] },
  // healthy lines match nothing of the failure signatures
  { line: 'I1126 01:00:17.211233     798 local_manager.go:147] Found lease (ip: 10.244.2.0/24 ipv6: ::/0) for current IP (192.168.50.12), reusing', want: [] },
  { line: 'I1126 01:00:17.004512     798 main.go:231] Created subnet manager: Etcd Local Manager with Previous Subnet: None', want: [] },
];

test('real lines hit exactly their signatures', () => {
  for (const c of CASES) {
    assert.deepEqual(ids(c.line), [...c.want].sort(), c.line);
    for (const [id, groups] of Object.entries(c.groups ?? {})) {
      assert.deepEqual(matcher.match(c.line).find((m) => m.id === id)?.groups, groups, `${id} groups in: ${c.line}`);
    }
  }
});

test('each version-specific "not found" text is recognised only as its own version', () => {
  const v2 = ids("Couldn't fetch network config: 100: Key not found (/coreos.com) [238]");
  const v018 = ids("Couldn't fetch network config: rpc error: code = InvalidArgument desc = etcdserver: key not found");
  const v019 = ids("Couldn't fetch network config: flannel config not found in etcd store. Did you create your config using etcdv3 API?");
  assert.ok(v2.includes('v2-key-not-found') && !v2.includes('etcdserver-key-not-found') && !v2.includes('config-not-found-v3'));
  assert.ok(v018.includes('etcdserver-key-not-found') && !v018.includes('v2-key-not-found') && !v018.includes('config-not-found-v3'));
  assert.ok(v019.includes('config-not-found-v3') && !v019.includes('etcdserver-key-not-found') && !v019.includes('v2-key-not-found'));
});

test('the signatures run in linear time on hostile lines', () => {
  // near-misses of the patterns, repeated: a backtracking engine would blow up on some; re2js stays linear
  const hostile = [
    'x509: certificate '.repeat(40_000),
    `${'Waiting for '.repeat(30_000)}to renew leas`,
    `"logger":"etcd-client"${' "msg":"retrying of unary invoker'.repeat(20_000)}`,
    `Couldn't fetch network config: ${'100: Key not found ('.repeat(30_000)}`,
  ];
  // a hang guard, not a speed target (npm run bench measures speed): backtracking would take hours here
  const t0 = performance.now();
  for (const line of hostile) matcher.match(line);
  assert.ok(performance.now() - t0 < 20_000, `took ${Math.round(performance.now() - t0)} ms`);
});
