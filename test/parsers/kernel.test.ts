import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKernelConfig, parseModulesBuiltin, parseProcModules, parseSysctl, parseSysModule } from '../../src/parsers/kernel.js';
import { sample } from '../helpers.js';
import { section, survivesHostile, withoutRc } from './support.js';

test('parseKernelConfig: real /proc/config.gz excerpt', () => {
  const { value, issues } = parseKernelConfig(sample('proc-config-gz-grep.txt'), 'node/kernel-config.txt');
  assert.deepEqual(issues, []);
  assert.deepEqual(value.get('CONFIG_VXLAN'), { value: 'y', line: 76 });
  assert.deepEqual(value.get('CONFIG_WIREGUARD'), { value: 'n', line: 75 });
  assert.equal(value.get('CONFIG_NET_IPIP')?.value, 'n');
  assert.equal(value.get('CONFIG_BRIDGE_NETFILTER')?.value, 'y');
  assert.equal(value.get('CONFIG_TUN')?.value, 'y');
  assert.equal(value.has('CONFIG_IP_VS'), false);
});

test('parseKernelConfig: values kept as is, comments skipped, garbage and repeats are issues', () => {
  const text = '#\n# Automatically generated file; DO NOT EDIT.\nCONFIG_LOCALVERSION="-fc"\nCONFIG_NR_CPUS=64\nCONFIG_VXLAN=m\nrandom junk\nCONFIG_VXLAN=y\n';
  const { value, issues } = parseKernelConfig(text, 'k');
  assert.equal(value.get('CONFIG_LOCALVERSION')?.value, '"-fc"');
  assert.equal(value.get('CONFIG_NR_CPUS')?.value, '64');
  assert.deepEqual(value.get('CONFIG_VXLAN'), { value: 'y', line: 7 });
  assert.deepEqual(issues.map((i) => i.line), [6, 7]);
});

test('parseProcModules: /proc/modules and lsmod', () => {
  const { value, issues } = parseProcModules(sample('synthetic-proc-modules.txt'), 'node/proc-modules.txt');
  assert.deepEqual(issues, []);
  assert.deepEqual(value.slice(0, 4), [
    { name: 'vxlan', line: 1 }, { name: 'ip6_udp_tunnel', line: 2 }, { name: 'udp_tunnel', line: 3 }, { name: 'br_netfilter', line: 4 },
  ]);
  assert.equal(value.length, 10);
  const lsmod = parseProcModules('Module                  Size  Used by\nbridge               307200  1 br_netfilter\nvxlan                 98304  0\n', 'x');
  assert.deepEqual(lsmod.value, [{ name: 'bridge', line: 2 }, { name: 'vxlan', line: 3 }]);
});

test('parseProcModules: real lsmod failure without /proc/modules is issues, no rows', () => {
  const out = section(sample('lsmod-proc-modules.txt'), 'lsmod   (kmod 30');
  const { value, issues } = parseProcModules(out, 'node/proc-modules.txt');
  assert.deepEqual(value, []);
  assert.deepEqual(issues.map((i) => i.line), [1, 2]);
  assert.match(issues[0].message, /could not open \/proc\/modules/);
});

test('parseModulesBuiltin: paths to names, - normalised to _', () => {
  const { value, issues } = parseModulesBuiltin(sample('synthetic-modules-builtin.txt'), 'x');
  assert.deepEqual(issues, []);
  assert.deepEqual(value.map((m) => m.name), ['udp_tunnel', 'ip6_udp_tunnel', 'veth', 'x_tables', 'ip_tables']);
  const odd = parseModulesBuiltin('kernel/net/bridge/br-netfilter.ko.xz\nnot a path\n', 'x');
  assert.deepEqual(odd.value, [{ name: 'br_netfilter', line: 1 }]);
  assert.equal(odd.issues[0].line, 2);
});

test('parseSysModule: real ls /sys/module output; errors are issues', () => {
  const text = sample('lsmod-proc-modules.txt');
  const head = parseSysModule(section(text, 'ls /sys/module'), 'node/sys-module.txt');
  assert.deepEqual(head.value.map((m) => m.name), ['8250', 'acpi', 'amd_uncore', 'blk_cgroup', 'block', '78']);
  const names = parseSysModule(section(text, 'cat /sys/module/vxlan'), 'x').value.map((m) => m.name);
  assert.deepEqual(names, ['bridge', 'overlay', 'vxlan']);
  const wide = parseSysModule('bridge  overlay\tvxlan\nnf-nat\n', 'x').value;
  assert.deepEqual(wide.map((m) => [m.name, m.line]), [['bridge', 1], ['overlay', 1], ['vxlan', 1], ['nf_nat', 2]]);
  const err = parseSysModule("ls: cannot access '/sys/module': No such file or directory\n", 'x');
  assert.deepEqual([err.value.length, err.issues[0].line], [0, 1]);
});

test('parseSysctl: real values', () => {
  const { value, issues } = parseSysctl(withoutRc(sample('sysctl.txt')), 'node/sysctl.txt');
  assert.deepEqual(issues, []);
  assert.deepEqual({ ...value.values }, { 'net.ipv4.ip_forward': { value: '0', line: 1 }, 'net.bridge.bridge-nf-call-iptables': { value: '1', line: 2 } });
  assert.deepEqual({ ...value.missing }, {});
});

test('parseSysctl: unknown keys (procps and busybox) are recorded as missing', () => {
  const text = [
    'net.ipv4.ip_forward = 1',
    'sysctl: cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables: No such file or directory',
    'sysctl: cannot stat /proc/sys/net/ipv4/conf/flannel.1/rp_filter: No such file or directory',
    "sysctl: error: 'net.bridge.bridge-nf-call-ip6tables' is an unknown key",
    'sysctl: permission denied on key "kernel.x"',
    'garbage',
  ].join('\n');
  const { value, issues } = parseSysctl(text, 'node/sysctl.txt');
  assert.deepEqual(value.values['net.ipv4.ip_forward'], { value: '1', line: 1 });
  assert.deepEqual({ ...value.missing }, {
    'net.bridge.bridge-nf-call-iptables': { line: 2 },
    'net.ipv4.conf.flannel/1.rp_filter': { line: 3 },
    'net.bridge.bridge-nf-call-ip6tables': { line: 4 },
  });
  assert.deepEqual(issues.map((i) => i.line), [5, 6]);
  const proto = parseSysctl('__proto__ = 1\n', 'x').value.values;
  assert.equal(proto['__proto__']?.value, '1');
  assert.equal(Object.getPrototypeOf(proto), null);
});

test('kernel parsers survive hostile input', () => {
  for (const parse of [parseKernelConfig, parseProcModules, parseModulesBuiltin, parseSysModule, parseSysctl]) survivesHostile((t) => parse(t, 'x'));
});
