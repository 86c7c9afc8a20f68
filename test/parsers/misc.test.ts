import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDate, parseK3sConfig, parseUname } from '../../src/parsers/misc.js';
import { sample } from '../helpers.js';
import { section, survivesHostile } from './support.js';

test('parseUname: real uname -a', () => {
  const { value, issues } = parseUname(section(sample('uname-and-kernel-config-locations.txt'), 'uname -a'), 'node/uname.txt');
  assert.deepEqual(issues, []);
  assert.deepEqual(value, { kernelName: 'Linux', hostname: 'vm', kernelRelease: '6.18.44-fc-v782', machine: 'x86_64' });
});

test('parseUname: Ubuntu (m p i repeated), busybox, unknown fields, garbage', () => {
  const ubuntu = 'Linux node-a 5.15.0-91-generic #101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023 x86_64 x86_64 x86_64 GNU/Linux\n';
  assert.equal(parseUname(ubuntu, 'u').value.machine, 'x86_64');
  assert.equal(parseUname('Linux pi 6.1.0-rpi7-rpi-v8 #1 SMP PREEMPT Debian 1:6.1.63-1+rpt1 (2023-11-24) aarch64 unknown unknown GNU/Linux', 'u').value.machine, 'aarch64');
  assert.equal(parseUname('Linux alpine 6.6.8-0-lts #1-Alpine SMP PREEMPT_DYNAMIC 2023 armv7l Linux', 'u').value.machine, 'armv7l');
  const bad = parseUname('oops\n', 'node/uname.txt');
  assert.deepEqual([bad.value.kernelName, bad.issues[0].line], [null, 1]);
});

test('parseDate: ISO line, normalised; junk is an issue', () => {
  assert.deepEqual(parseDate('2026-11-26T05:13:06Z\n', 'node/date.txt'), { value: '2026-11-26T05:13:06Z', issues: [] });
  assert.equal(parseDate('2026-11-26T06:13:06+01:00', 'd').value, '2026-11-26T05:13:06Z');
  const bad = parseDate('Thu Nov 26 05:13:06 UTC 2026\n', 'node/date.txt');
  assert.deepEqual([bad.value, bad.issues[0].line], [null, 1]);
  assert.equal(parseDate('2026-02-30T00:00:00Z', 'd').value, '2026-03-02T00:00:00Z', 'Date.parse semantics for impossible days');
});

test('parseK3sConfig: scalars, booleans, flow and block lists, comments, quotes', () => {
  const text = [
    '# k3s config',
    'flannel-backend: "wireguard-native"   # comment',
    "flannel-iface: 'eth1'",
    'cluster-cidr: 10.42.0.0/16',
    'disable-network-policy: true',
    'write-kubeconfig-mode: "0644"',
    'tls-san: [a.example.com, "b,c.example.com"]',
    'node-label:',
    '  - "zone=a"',
    '  - role=worker # trailing',
    'token: <redacted>',
    'url: https://host:6443#notacomment',
  ].join('\n');
  const { value, issues } = parseK3sConfig(text, 'node/k3s-config.yaml');
  assert.deepEqual(issues, []);
  assert.deepEqual({ ...value }, {
    'flannel-backend': 'wireguard-native',
    'flannel-iface': 'eth1',
    'cluster-cidr': '10.42.0.0/16',
    'disable-network-policy': true,
    'write-kubeconfig-mode': '0644',
    'tls-san': ['a.example.com', 'b,c.example.com'],
    'node-label': ['zone=a', 'role=worker'],
    token: '<redacted>',
    url: 'https://host:6443#notacomment',
  });
});

test('parseK3sConfig: unsupported YAML and bad lines are issues with line numbers', () => {
  const text = 'a: 1\nnested:\n  key: value\n- orphan\nb: |\nnot yaml\na: 2\n__proto__: x\nc: "open\n';
  const { value, issues } = parseK3sConfig(text, 'node/k3s-config.yaml');
  assert.equal(value.a, '2');
  assert.equal(value['__proto__'], 'x');
  assert.equal(Object.getPrototypeOf(value), null);
  assert.deepEqual(issues.map((i) => i.line), [3, 4, 5, 6, 7, 9]);
});

test('misc parsers survive hostile input', () => {
  survivesHostile((t) => parseUname(t, 'x'));
  survivesHostile((t) => parseDate(t, 'x'));
  survivesHostile((t) => parseK3sConfig(t, 'x'));
  survivesHostile((t) => parseK3sConfig('k: "' + t, 'x'));
  survivesHostile((t) => parseK3sConfig('k: [' + t, 'x'));
});
