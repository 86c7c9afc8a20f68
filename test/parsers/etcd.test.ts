import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyEtcdError,
  summarizeEtcdError,
  decodeBase64,
  leaseIdHex,
  parseEtcdEndpointHealth,
  parseEtcdEndpointStatus,
  parseEtcdGetJson,
  parseEtcdLeaseList,
  parseEtcdLeaseTimeToLive,
  parseEtcdV2Get,
  parseEtcdV2Ls,
  parseEtcdV2Tree,
  parseEtcdVersion,
} from '../../src/parsers/etcd.js';
import { sample } from '../helpers.js';
import { section, survivesHostile, withoutRc } from './support.js';

const LEASE = '2324035624231962376';

test('int64 lease ids survive exactly and their hex matches etcdctl text output', () => {
  // JSON.parse alone corrupts this id: the reason the parser quotes int64 fields first
  assert.notEqual(String(JSON.parse(LEASE)), LEASE);
  const { value, issues } = parseEtcdGetJson(sample('etcdctl-get-prefix.json.txt'), 'etcd/get-prefix.json');
  assert.deepEqual(issues, []);
  assert.equal(value.kvs[1].lease, LEASE);
  const hex = leaseIdHex(LEASE);
  assert.equal(hex, '2040a21643b30708');
  // etcdctl's text forms print the same hex
  assert.ok(sample('etcdctl-lease-timetolive-keys.txt').startsWith(`lease ${hex} granted`));
  assert.equal(sample('etcdctl-lease-list.txt').split('\n')[1], hex);
  // etcdctl prints %016x: small ids are zero-padded (`lease 00000000deadbeef already expired`)
  assert.equal(leaseIdHex(String(0xdeadbeef)), '00000000deadbeef');
  assert.equal(leaseIdHex('not a number'), null);
});

test('parseEtcdGetJson: real get --prefix -w json', () => {
  const { value } = parseEtcdGetJson(sample('etcdctl-get-prefix.json.txt'), 'etcd/get-prefix.json');
  assert.deepEqual([value.clusterId, value.memberId, value.revision, value.more], ['324952591200643719', '3319814642761637952', '8', false]);
  assert.equal(value.kvs.length, 5);
  assert.deepEqual(value.kvs[0], {
    key: '/coreos.com/network/config',
    value: '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}',
    lease: null,
    createRevision: '2',
    modRevision: '2',
    version: '1',
    pointer: '/kvs/0',
  });
  assert.deepEqual([value.kvs[1].key, value.kvs[1].pointer], ['/coreos.com/network/subnets/10.244.1.0-24', '/kvs/1']);
  assert.equal(JSON.parse(value.kvs[1].value ?? '').BackendData.VtepMAC, 'aa:bb:cc:dd:ee:01');
  assert.deepEqual(value.kvs.map((k) => k.lease), [null, LEASE, '2324035624231962379', '2324035624231962382', null]);
});

test('parseEtcdGetJson: gRPC gateway form (int64 already strings) gives the same rows', () => {
  const { value, issues } = parseEtcdGetJson(sample('etcd-v3-grpc-gateway-range.json.txt'), 'x');
  assert.deepEqual(issues, []);
  assert.deepEqual([value.clusterId, value.revision, value.kvs[0].lease, value.kvs[0].key], ['324952591200643719', '8', LEASE, '/coreos.com/network/subnets/10.244.1.0-24']);
});

test('parseEtcdGetJson: no match, --limit, truncated output', () => {
  const none = parseEtcdGetJson(section(sample('etcdctl-edge-cases.txt'), 'get --prefix /nonexistent -w json'), 'x');
  assert.deepEqual(none, { value: { clusterId: '324952591200643719', memberId: '3319814642761637952', revision: '5008', kvs: [], more: false }, issues: [] });
  assert.equal(parseEtcdGetJson('{"header":{"revision":3},"kvs":[],"more":true,"count":5004}', 'x').value.more, true);
  const cut = parseEtcdGetJson(sample('etcdctl-get-prefix-5000keys.json.head.txt'), 'etcd/get-prefix.json');
  assert.deepEqual(cut.value.kvs, []);
  assert.deepEqual([cut.issues[0].file, cut.issues[0].line, cut.issues[0].column], ['etcd/get-prefix.json', 1, 1501]);
});

test('parseEtcdGetJson: invalid base64 gives value null and an issue; bad key skips the entry', () => {
  const text = '{"header":{},"kvs":[{"key":"L2E=","value":"not*base64"},{"key":"%%%","value":"eA=="},{"key":"L2I=","lease":12.5},{"key":"L2M="}]}';
  const { value, issues } = parseEtcdGetJson(text, 'etcd/get-prefix.json');
  assert.deepEqual(value.kvs.map((k) => [k.key, k.value, k.lease, k.pointer]), [['/a', null, null, '/kvs/0'], ['/b', '', null, '/kvs/2'], ['/c', '', null, '/kvs/3']]);
  assert.deepEqual(issues.map((i) => i.message), [
    '/kvs/0/value: invalid base64',
    '/kvs/1/key: invalid base64; entry skipped',
    '/kvs/2/lease: not an exact integer: 12.5',
  ]);
  assert.deepEqual(decodeBase64('/w=='), { text: '\ufffd', error: 'value is not valid UTF-8 (invalid bytes replaced)' });
  assert.deepEqual(decodeBase64('YQ'), { text: null, error: 'invalid base64' }, 'unpadded is not accepted');
});

test('parseEtcdLeaseTimeToLive: real outputs (with keys, without, expired) and the gateway form', () => {
  const keys = parseEtcdLeaseTimeToLive(sample('etcdctl-lease-timetolive-keys.json.txt'), 'etcd/leases/2040a21643b30708.json');
  assert.deepEqual(keys, {
    value: { id: LEASE, idHex: '2040a21643b30708', ttl: 86381, grantedTtl: 86400, keys: ['/coreos.com/network/subnets/10.244.1.0-24'] },
    issues: [],
  });
  assert.deepEqual(parseEtcdLeaseTimeToLive(sample('etcdctl-lease-timetolive.json.txt'), 'x').value?.keys, []);
  const expired = parseEtcdLeaseTimeToLive(sample('etcdctl-lease-timetolive-short-after-expiry.json.txt'), 'x').value;
  assert.deepEqual(expired, { id: '2324035624231962385', idHex: '2040a21643b30711', ttl: -1, grantedTtl: 0, keys: [] });
  assert.ok(sample('etcdctl-lease-timetolive-short-after-expiry.txt').includes(expired?.idHex ?? '?'));
  const gw = parseEtcdLeaseTimeToLive('{"header":{},"ID":"2324035624231962376","TTL":"86381","grantedTTL":"86400"}', 'x').value;
  assert.deepEqual([gw?.id, gw?.ttl, gw?.grantedTtl], [LEASE, 86381, 86400]);
  const bad = parseEtcdLeaseTimeToLive('{"ttl":5}', 'x');
  assert.equal(bad.value, null);
  assert.match(bad.issues[0].message, /no id or ttl/);
});

test('parseEtcdLeaseList: etcdctl and gateway forms', () => {
  const ids = ['2324035624231962376', '2324035624231962379', '2324035624231962382'];
  assert.deepEqual(parseEtcdLeaseList(sample('etcdctl-lease-list.json.txt'), 'etcd/lease-list.json'), { value: ids, issues: [] });
  assert.deepEqual(parseEtcdLeaseList(sample('etcd-v3-grpc-gateway-lease-leases.json.txt'), 'x').value, ids);
  assert.deepEqual(parseEtcdLeaseList('{"cluster_id":1,"leases":null}', 'x'), { value: [], issues: [] });
  // hex of each id equals the text listing
  assert.deepEqual(ids.map(leaseIdHex), sample('etcdctl-lease-list.txt').trim().split('\n').slice(1));
});

test('parseEtcdEndpointStatus / parseEtcdEndpointHealth: real outputs', () => {
  const { value, issues } = parseEtcdEndpointStatus(sample('etcdctl-endpoint-status.json.txt'), 'etcd/endpoint-status.json');
  assert.deepEqual(issues, []);
  assert.deepEqual(value, [{
    endpoint: 'http://127.0.0.1:23790', version: '3.4.23', dbSize: 24576, leader: '3319814642761637952',
    memberId: '3319814642761637952', revision: '8', clusterId: '324952591200643719',
  }]);
  // the text form prints the member id in hex
  assert.ok(sample('etcdctl-endpoint-status.txt').includes(BigInt(value[0].memberId ?? '0').toString(16)));
  assert.deepEqual(parseEtcdEndpointHealth(sample('etcdctl-endpoint-health.json.txt'), 'x').value, [
    { endpoint: 'http://127.0.0.1:23790', health: true, error: null, took: '3.965051ms' },
  ]);
  const sick = parseEtcdEndpointHealth('[{"endpoint":"https://10.0.0.5:2379","health":false,"took":"5s","error":"context deadline exceeded"},{"health":true}]', 'x');
  assert.deepEqual(sick.value[0].error, 'context deadline exceeded');
  assert.equal(sick.value[0].health, false);
  assert.equal(sick.issues[0].message, '/1: health entry without endpoint');
});

test('parseEtcdVersion', () => {
  assert.deepEqual(parseEtcdVersion(sample('etcdctl-version.txt'), 'etcd/version.txt'), { value: { etcdctlVersion: '3.4.23', apiVersion: '3.4' }, issues: [] });
  assert.deepEqual(parseEtcdVersion(section(sample('etcdctl-v2-keys-invisible.txt'), '--version'), 'x').value, { etcdctlVersion: '3.4.23', apiVersion: '2' });
  assert.equal(parseEtcdVersion('Error: unknown command\n', 'x').issues.length, 1);
});

test('parseEtcdV2Get: -o json node, Key not found, v2 disabled', () => {
  const node = parseEtcdV2Get(section(sample('etcdctl-v2-store.txt'), '-o json get'), 'etcd/v2-get-config.json');
  assert.deepEqual(node.issues, []);
  assert.deepEqual(node.value, {
    nodes: [{
      key: '/coreos.com/network/subnets/10.244.7.0-24',
      value: '{"PublicIP":"192.168.1.17","BackendType":"vxlan","BackendData":{"VtepMAC":"aa:bb:cc:dd:ee:07"}}',
      dir: false, ttl: 86400, expiration: '2026-11-27T05:11:55.792807072Z',
    }],
    error: null,
  });
  const missing = parseEtcdV2Get(section(sample('etcdctl-v2-keys-invisible.txt'), 'get /coreos.com/network/config'), 'x');
  assert.deepEqual(missing.value.error, { code: 100, message: 'Key not found', cause: '/coreos.com', index: 3, line: 1 });
  const disabled = parseEtcdV2Get(withoutRc(section(sample('etcdctl-edge-cases.txt'), 'without --enable-v2')), 'x').value.error;
  assert.deepEqual([disabled?.code, disabled?.cause, disabled?.message], [null, null, 'client: response is invalid json. The endpoint is probably not valid etcd cluster endpoint']);
  const plain = parseEtcdV2Get('{not json at all\n', 'x');
  assert.deepEqual([plain.value.nodes, plain.issues[0].line], [[], 1]);
  assert.equal(parseEtcdV2Get('10.244.0.0/16\n', 'x').issues[0].line, 1);
});

test('parseEtcdV2Tree: recursive HTTP listing flattened in order, error JSON', () => {
  const { value, issues } = parseEtcdV2Tree(sample('etcd-v2-http-keys-recursive.json.txt'), 'etcd/v2-tree.json');
  assert.deepEqual(issues, []);
  assert.equal(value.error, null);
  assert.deepEqual(value.nodes.map((n) => [n.key, n.dir, n.ttl]), [
    ['/coreos.com/network', true, null],
    ['/coreos.com/network/config', false, null],
    ['/coreos.com/network/subnets', true, null],
    ['/coreos.com/network/subnets/10.244.7.0-24', false, 86400],
  ]);
  assert.equal(value.nodes[3].expiration, '2026-11-27T05:11:55.792807072Z');
  const err = parseEtcdV2Tree(sample('etcd-v2-http-key-not-found.json.txt'), 'x').value;
  assert.deepEqual(err, { nodes: [], error: { code: 100, message: 'Key not found', cause: '/nonexistent', index: 5, line: 1 } });
  assert.match(parseEtcdV2Tree('{"action":"get"}', 'x').issues[0].message, /neither a v2 node/);
});

test('parseEtcdV2Ls: plain and -p listings, errors', () => {
  const store = sample('etcdctl-v2-store.txt');
  const plain = parseEtcdV2Ls(section(store, 'ls --recursive /coreos.com/network'), 'etcd/v2-ls.txt');
  assert.deepEqual(plain.value.nodes.map((n) => n.key), ['/coreos.com/network/subnets', '/coreos.com/network/subnets/10.244.7.0-24', '/coreos.com/network/config']);
  const p = parseEtcdV2Ls(section(store, 'ls -p --recursive'), 'x').value.nodes;
  assert.deepEqual(p.map((n) => [n.key, n.dir]), [['/coreos.com/network/config', false], ['/coreos.com/network/subnets', true], ['/coreos.com/network/subnets/10.244.7.0-24', false]]);
  const missing = parseEtcdV2Ls(section(sample('etcdctl-v2-keys-invisible.txt'), 'ls --recursive'), 'x').value;
  assert.equal(missing.error?.code, 100);
  assert.equal(parseEtcdV2Ls('/a\nnot-a-key\n', 'x').issues[0].line, 2);
});

test('classifyEtcdError', () => {
  assert.equal(classifyEtcdError(withoutRc(sample('etcdctl-unreachable-error.txt'))), 'unreachable');
  assert.equal(classifyEtcdError('Error: context deadline exceeded\n'), 'deadline-exceeded');
  assert.equal(classifyEtcdError(withoutRc(section(sample('etcdctl-edge-cases.txt'), 'without --enable-v2'))), 'v2-disabled');
  assert.equal(classifyEtcdError(section(sample('etcdctl-v2-keys-invisible.txt'), 'ls --recursive')), 'key-not-found');
  assert.equal(classifyEtcdError('{"level":"warn","msg":"retrying","error":"rpc error: code = Unavailable desc = all SubConns are in TransientFailure, latest connection error: connection error: desc = \\"transport: authentication handshake failed: x509: certificate signed by unknown authority\\""}\nError: context deadline exceeded'), 'tls-unknown-authority');
  assert.equal(classifyEtcdError('Error: remote error: tls: bad certificate'), 'tls-bad-certificate');
  assert.equal(classifyEtcdError('Error: x509: certificate is valid for 10.0.0.5, not 10.0.0.6'), 'tls-other');
  assert.equal(classifyEtcdError('Error: etcdserver: authentication failed, invalid user ID or password'), 'auth-failed');
  assert.equal(classifyEtcdError('Error: etcdserver: user name is empty'), 'auth-failed');
  assert.equal(classifyEtcdError('Error: etcdserver: permission denied'), 'auth-failed');
  assert.equal(classifyEtcdError('Error: open /etc/etcd/ca.pem: permission denied'), 'other');
  assert.equal(classifyEtcdError('  \n'), 'none');
  // curl on the v2 keys URL of an etcd that requires client certificates (OpenSSL's alert text)
  assert.equal(classifyEtcdError('curl: (56) OpenSSL SSL_read: error:0A000412:SSL routines::sslv3 alert bad certificate, errno 0'), 'tls-bad-certificate');
});

test('summarizeEtcdError: the final error with the client cause', () => {
  assert.equal(summarizeEtcdError(withoutRc(sample('etcdctl-unreachable-error.txt'))), 'context deadline exceeded (latest balancer error: all SubConns are in TransientFailure)');
  assert.equal(summarizeEtcdError(withoutRc(section(sample('etcdctl-edge-cases.txt'), 'without --enable-v2'))), 'client: response is invalid json. The endpoint is probably not valid etcd cluster endpoint');
  assert.equal(summarizeEtcdError('Error: etcdserver: permission denied\n'), 'etcdserver: permission denied');
  // no Error: line and no string cause: the first line as it is
  assert.equal(summarizeEtcdError('{"error":1}\nplain text\n'), '{"error":1}');
});

test('etcd parsers survive hostile input', () => {
  for (const parse of [parseEtcdGetJson, parseEtcdLeaseTimeToLive, parseEtcdLeaseList, parseEtcdEndpointStatus, parseEtcdEndpointHealth, parseEtcdVersion, parseEtcdV2Get, parseEtcdV2Tree, parseEtcdV2Ls]) {
    survivesHostile((t) => parse(t, 'x'));
  }
  survivesHostile((t) => classifyEtcdError(t));
  // objects whose toString/valueOf are data must not be stringified
  const tricky = parseEtcdGetJson('{"header":{"revision":{"toString":1,"valueOf":1}},"kvs":[{"key":"L2E=","lease":[1]}]}', 'x');
  assert.deepEqual(tricky.issues.map((i) => i.message), ['/header/revision: not an exact integer: a JSON object', '/kvs/0/lease: not an exact integer: a JSON array']);
  // a huge valid document with many int64 fields: every id survives (its speed is measured by npm run bench)
  const kv = '{"key":"L2E=","create_revision":2,"mod_revision":2,"version":1,"value":"eA==","lease":2324035624231962376}';
  const big = '{"header":{"revision":1},"kvs":[' + Array(20_000).fill(kv).join(',') + ']}';
  const r = parseEtcdGetJson(big, 'x');
  assert.equal(r.value.kvs.length, 20_000);
  assert.equal(r.value.kvs[19_999].lease, LEASE);
});
