import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseBridgeFdbJson,
  parseBridgeFdbText,
  parseIpAddrJson,
  parseIpAddrText,
  parseIpLinkJson,
  parseIpLinkText,
  parseIpRouteJson,
  parseIpRouteText,
} from '../../src/parsers/ip.js';
import { sample } from '../helpers.js';
import { section, survivesHostile } from './support.js';

const FLANNEL_VXLAN = { id: 1, local: '192.168.50.11', dev: 'eth0', port: 8472, learning: false };

test('parseIpLinkJson: real ip -j -d link', () => {
  const { value, issues } = parseIpLinkJson(sample('ip-j-d-link-show.json.txt'), 'node/ip-link.json');
  assert.deepEqual(issues, []);
  assert.deepEqual(value.map((l) => l.ifname), ['lo', 'eth0-peer', 'eth0', 'flannel.1', 'cni0', 'podeth0', 'veth1a2b3c4d']);
  const f = value.find((l) => l.ifname === 'flannel.1');
  assert.deepEqual(f, {
    ifname: 'flannel.1', ifindex: 4, mtu: 1450, operstate: 'UNKNOWN', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    address: '3a:2a:78:ed:a7:75', kind: 'vxlan', master: null, vxlan: FLANNEL_VXLAN, line: null,
  });
  const lo = value[0];
  assert.deepEqual([lo.kind, lo.mtu, lo.vxlan], [null, 65536, null]);
  assert.equal(value.find((l) => l.ifname === 'cni0')?.kind, 'bridge');
  assert.equal(value.find((l) => l.ifname === 'veth1a2b3c4d')?.master, 'cni0');
});

test('parseIpLinkJson: pretty-printed output and a veth whose peer is elsewhere', () => {
  const pretty = parseIpLinkJson(sample('ip-j-p-d-link-show.json.txt'), 'x');
  const compact = parseIpLinkJson(sample('ip-j-d-link-show.json.txt'), 'x');
  assert.deepEqual(pretty.value, compact.value);
  const veth = parseIpLinkJson(sample('ip-j-link-show-veth-peer-in-other-netns.json.txt'), 'x').value;
  assert.deepEqual(veth.map((l) => [l.ifname, l.ifindex, l.master, l.kind]), [['veth1a2b3c4d', 7, 'cni0', null]]);
});

test('parseIpLinkText: real ip -d link, @peer suffix stripped, vxlan line read', () => {
  const { value, issues } = parseIpLinkText(sample('ip-d-link-show.txt'), 'node/ip-link.txt');
  assert.deepEqual(issues, []);
  assert.deepEqual(value.map((l) => l.ifname), ['lo', 'eth0-peer', 'eth0', 'flannel.1', 'cni0', 'podeth0', 'veth1a2b3c4d']);
  const f = value[3];
  assert.deepEqual(f, {
    ifname: 'flannel.1', ifindex: 4, mtu: 1450, operstate: 'UNKNOWN', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    address: '3a:2a:78:ed:a7:75', kind: 'vxlan', master: null, vxlan: FLANNEL_VXLAN, line: 9,
  });
  assert.deepEqual(value.map((l) => l.kind), [null, 'veth', 'veth', 'vxlan', 'bridge', 'veth', 'veth']);
  // the text and JSON forms agree on everything but line numbers
  const json = parseIpLinkJson(sample('ip-j-d-link-show.json.txt'), 'x').value;
  assert.deepEqual(value.map((l) => ({ ...l, line: null })), json);
});

test('parseIpLinkText: veth in another netns (@ifN) is a bridge port, not a bridge_slave kind', () => {
  const [v] = parseIpLinkText(sample('ip-d-link-show-veth-peer-in-other-netns.txt'), 'x').value;
  assert.deepEqual([v.ifname, v.ifindex, v.master, v.kind, v.operstate], ['veth1a2b3c4d', 7, 'cni0', 'veth', 'UP']);
});

test('parseIpLinkText: garbage lines are issues with line numbers', () => {
  const { value, issues } = parseIpLinkText('4: flannel.1: <UP> mtu 1450 state UNKNOWN\nnonsense here\n5 cni0 broken\n', 'node/ip-link.txt');
  assert.equal(value.length, 1);
  assert.deepEqual(issues.map((i) => i.line), [2, 3]);
});

test('iproute2 without -j: unsupported output is one issue, no rows', () => {
  const out = section(sample('synthetic-ip-j-unsupported.txt'), 'ip -j -d link show');
  for (const parse of [parseIpLinkJson, parseIpAddrJson, parseIpRouteJson, parseBridgeFdbJson]) {
    const { value, issues } = parse(out, 'node/ip-link.json');
    assert.deepEqual(value, []);
    assert.equal(issues.length, 1);
    assert.match(issues[0].message, /does not support -j/);
    assert.equal(issues[0].line, 1);
  }
});

test('parseIpAddrJson and parseIpAddrText agree on the real outputs', () => {
  const json = parseIpAddrJson(sample('ip-j-addr.json.txt'), 'node/ip-addr.json');
  const text = parseIpAddrText(sample('ip-addr.txt'), 'node/ip-addr.txt');
  assert.deepEqual(json.issues, []);
  assert.deepEqual(text.issues, []);
  const f = json.value.find((a) => a.ifname === 'flannel.1');
  assert.deepEqual(f?.addresses, [
    { family: 'inet', local: '10.244.1.0', prefixlen: 32 },
    { family: 'inet6', local: 'fe80::382a:78ff:feed:a775', prefixlen: 64 },
  ]);
  assert.deepEqual(json.value.find((a) => a.ifname === 'cni0')?.addresses[0], { family: 'inet', local: '10.244.1.1', prefixlen: 24 });
  assert.deepEqual(text.value.map((a) => ({ ...a, line: null })), json.value);
  assert.equal(text.value[3].line, 17);
});

test('parseIpAddrText: point-to-point peer and a bad prefix', () => {
  const { value, issues } = parseIpAddrText('9: tun0: <POINTOPOINT,UP> mtu 1472 state UNKNOWN\n    inet 10.8.0.1 peer 10.8.0.2/32 scope global tun0\n    inet 10.9.0.1/xx scope global tun0\n', 'a');
  assert.deepEqual(value[0].addresses, [{ family: 'inet', local: '10.8.0.1', prefixlen: 32 }]);
  assert.deepEqual(issues.map((i) => i.line), [3]);
});

test('parseIpRouteJson / parseIpRouteText: real outputs', () => {
  const json = parseIpRouteJson(sample('ip-j-route.json.txt'), 'node/ip-route.json');
  const text = parseIpRouteText(sample('ip-route.txt'), 'node/ip-route.txt');
  assert.deepEqual(json.issues, []);
  assert.deepEqual(text.issues, []);
  assert.deepEqual(json.value[1], { dst: '10.244.2.0/24', gateway: '10.244.2.0', dev: 'flannel.1', flags: ['onlink'], protocol: null, line: null });
  assert.deepEqual(json.value[0], { dst: '10.244.1.0/24', gateway: null, dev: 'cni0', flags: [], protocol: 'kernel', line: null });
  assert.deepEqual(text.value.map((r) => ({ ...r, line: null })), json.value);
  assert.deepEqual(text.value.map((r) => r.line), [1, 2, 3, 4]);
  const d = parseIpRouteText(sample('ip-d-route.txt'), 'x').value;
  assert.deepEqual(d[1], { dst: '10.244.2.0/24', gateway: '10.244.2.0', dev: 'flannel.1', flags: ['onlink'], protocol: 'boot', line: 2, type: 'unicast' });
  const defJson = parseIpRouteJson(sample('ip-j-route-default.json.txt'), 'x').value;
  const defText = parseIpRouteText(sample('ip-route-default.txt'), 'x').value;
  assert.deepEqual(defJson[0], { dst: 'default', gateway: '10.244.1.1', dev: 'podeth0', flags: [], protocol: null, line: null });
  assert.deepEqual(defText.map((r) => ({ ...r, line: null })), defJson);
});

test('parseIpRouteText: other types, families and garbage', () => {
  const { value, issues } = parseIpRouteText('blackhole 10.244.9.0/24 proto static\nfe80::/64 via inet6 fe80::1 dev eth0 metric 256 pref medium\nwhat is this\n', 'r');
  assert.deepEqual(value[0], { dst: '10.244.9.0/24', gateway: null, dev: null, flags: [], protocol: 'static', line: 1, type: 'blackhole' });
  assert.deepEqual([value[1].gateway, value[1].dev], ['fe80::1', 'eth0']);
  assert.deepEqual(issues.map((i) => i.line), [3]);
});

test('parseBridgeFdbJson / parseBridgeFdbText: real outputs, dev filled from the query', () => {
  const json = parseBridgeFdbJson(sample('bridge-j-fdb-show-flannel.1.json.txt'), 'node/bridge-fdb/flannel.1.json', 'flannel.1');
  assert.deepEqual(json.issues, []);
  assert.deepEqual(json.value, [
    { mac: 'aa:bb:cc:dd:ee:03', dst: '192.168.50.13', dev: 'flannel.1', state: 'permanent', flags: ['self'], line: null },
    { mac: 'aa:bb:cc:dd:ee:02', dst: '192.168.50.12', dev: 'flannel.1', state: 'permanent', flags: ['self'], line: null },
  ]);
  const text = parseBridgeFdbText(sample('bridge-fdb-show-flannel.1.txt'), 'x', 'flannel.1');
  assert.deepEqual(text.value.map((r) => ({ ...r, line: null })), json.value);
  assert.equal(parseBridgeFdbJson('[{"dst":"1.2.3.4"}]', 'f').issues[0].message, '/0: fdb entry without mac');
});

test('JSON ip parsers: malformed JSON gives an issue with line and column', () => {
  const { value, issues } = parseIpLinkJson('[{"ifname":"eth0",\n "mtu": 1500,,}]', 'node/ip-link.json');
  assert.deepEqual(value, []);
  assert.deepEqual([issues[0].file, issues[0].line, issues[0].column], ['node/ip-link.json', 2, 14]);
  assert.match(parseIpRouteJson('{"dst":"x"}', 'r').issues[0].message, /expected a JSON array/);
});

test('ip parsers survive hostile input', () => {
  for (const parse of [parseIpLinkJson, parseIpLinkText, parseIpAddrJson, parseIpAddrText, parseIpRouteJson, parseIpRouteText, parseBridgeFdbJson, parseBridgeFdbText]) {
    survivesHostile((t) => parse(t, 'x'));
    survivesHostile((t) => parse('1: eth0: <UP> mtu 1500\n' + t, 'x'));
  }
});
