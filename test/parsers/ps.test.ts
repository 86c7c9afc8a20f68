import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCmdline, parseEnviron, parsePs, parseProcStatStart } from '../../src/parsers/ps.js';
import { sample } from '../helpers.js';
import { survivesHostile } from './support.js';

test('parsePs: real lstart/etimes output', () => {
  const { value, issues } = parsePs(sample('ps-eo-pid-ppid-lstart-etimes-args.txt'), 'node/ps.txt');
  assert.deepEqual(issues, []);
  assert.equal(value.length, 2);
  const [flannel, init] = value;
  assert.equal(flannel.pid, 10121);
  assert.equal(flannel.ppid, 10112);
  assert.equal(flannel.startedAt, '2026-11-26T05:13:06Z');
  assert.equal(flannel.elapsedSeconds, 1);
  assert.equal(flannel.command, 'flanneld');
  assert.equal(
    flannel.args,
    './flanneld --etcd-endpoints=http://127.0.0.1:2379 --etcd-prefix=/coreos.com/network --iface=eth0 --ip-masq --public-ip=10.0.0.1 --subnet-file=/run/flannel/my subnet.env',
  );
  assert.equal(flannel.line, 2);
  assert.deepEqual([init.pid, init.ppid, init.startedAt, init.elapsedSeconds, init.command, init.line], [1, 0, '2026-11-26T05:07:31Z', 337, 'init', 3]);
});

test('parsePs with words: only the rows mentioning them, exactly as a full parse gives them', () => {
  const text = sample('ps-eo-pid-ppid-lstart-etimes-args.txt');
  const all = parsePs(text, 'node/ps.txt').value;
  const words = ['flanneld', 'containerd'];
  const some = parsePs(text, 'node/ps.txt', words).value;
  assert.ok(some.length > 0 && some.length < all.length, `${some.length} of ${all.length} rows`);
  assert.deepEqual(some, all.filter((r) => text.split('\n')[r.line - 1].match(/flanneld|containerd/)));
  // a malformed row that mentions none of the words is not looked at
  assert.deepEqual(parsePs(`${text}\nnot a ps row\n`, 'node/ps.txt', words).issues, []);
  assert.equal(parsePs(`${text}\nnot a flanneld row\n`, 'node/ps.txt', words).issues.length, 1);
});

test('parsePs: space-padded day, kernel threads', () => {
  const text = '  PID  PPID                  STARTED ELAPSED COMMAND\n    2     0 Mon Nov  2 01:02:03 2026  100 [kthreadd]\n';
  const { value } = parsePs(text, 'ps.txt');
  assert.equal(value[0].startedAt, '2026-11-02T01:02:03Z');
  assert.equal(value[0].command, '[kthreadd]');
});

test('parsePs: busybox fallback layout', () => {
  const text = 'PID   PPID  COMMAND\n    1     0 /sbin/init\n  812     1 /opt/bin/flanneld --ip-masq --kube-subnet-mgr\n';
  const { value, issues } = parsePs(text, 'node/ps.txt');
  assert.deepEqual(issues, []);
  assert.equal(value.length, 2);
  assert.deepEqual(value[1], { pid: 812, ppid: 1, startedAt: null, elapsedSeconds: null, args: '/opt/bin/flanneld --ip-masq --kube-subnet-mgr', command: 'flanneld', line: 3 });
});

test('parsePs: malformed rows and headers become issues with line numbers', () => {
  const text = '  PID  PPID                  STARTED ELAPSED COMMAND\nabc def\n   7     1 Thu Foo 26 05:13:06 2026  x /bin/sh\n';
  const { value, issues } = parsePs(text, 'node/ps.txt');
  assert.equal(issues[0].line, 2);
  assert.match(issues[0].message, /malformed ps row/);
  assert.equal(value.length, 1);
  assert.equal(value[0].startedAt, null);
  assert.equal(value[0].elapsedSeconds, null);
  const row = text.split('\n')[2];
  assert.deepEqual(issues.slice(1).map((i) => [i.line, i.column]), [[3, row.indexOf('Thu') + 1], [3, row.indexOf(' x ') + 2]]);
  const bad = parsePs('USER PID %CPU\nroot 1 0.0\n', 'node/ps.txt');
  assert.deepEqual(bad.value, []);
  assert.equal(bad.issues[0].line, 1);
  assert.equal(parsePs('', 'node/ps.txt').issues.length, 1);
});

test('parseCmdline: one argv element per line, spaces kept, real NUL form too', () => {
  // the sample shows the NUL separators as the two characters \0
  const shown = sample('proc-pid-cmdline-stat.txt').split('\n')[1];
  const expected = ['./flanneld', '--etcd-endpoints=http://127.0.0.1:2379', '--etcd-prefix=/coreos.com/network', '--iface=eth0', '--ip-masq', '--public-ip=10.0.0.1', '--subnet-file=/run/flannel/my subnet.env'];
  const asLines = shown.split('\\0').join('\n');
  assert.deepEqual(parseCmdline(asLines, 'cmdline.txt').value, expected);
  assert.deepEqual(parseCmdline(shown.split('\\0').join('\0'), 'cmdline.txt').value, expected);
  assert.deepEqual(parseCmdline('a\n\nb\n', 'c').value, ['a', '', 'b'], 'an empty argument stays');
  assert.equal(parseCmdline('', 'c').issues.length, 1);
});

test('parseEnviron: NAME=value lines, malformed lines are issues', () => {
  const text = 'FLANNELD_IFACE=eth1\nFLANNELD_ETCD_PASSWORD=<redacted>\nPOD_NAME=kube-flannel-ds-abc=x y\nnot a var\n=x\n';
  const { value, issues } = parseEnviron(text, 'environ.txt');
  assert.deepEqual(value.map((v) => [v.name, v.value, v.line]), [
    ['FLANNELD_IFACE', 'eth1', 1],
    ['FLANNELD_ETCD_PASSWORD', '<redacted>', 2],
    ['POD_NAME', 'kube-flannel-ds-abc=x y', 3],
  ]);
  assert.deepEqual(issues.map((i) => i.line), [4, 5]);
});

test('parseProcStatStart: real /proc/PID/stat, comm read up to the last parenthesis', () => {
  const stat = sample('proc-pid-cmdline-stat.txt').split('\n')[3];
  const { value, issues } = parseProcStatStart(stat, 'stat', 1_795_669_700, 100);
  assert.deepEqual(issues, []);
  assert.deepEqual(value, { pid: 10121, ppid: 10112, comm: 'flanneld', startTicks: 33599, startedAt: new Date((1_795_669_700 + 335.99) * 1000).toISOString() });
  const odd = parseProcStatStart('42 (a) b) (c) S 1 ' + '0 '.repeat(17) + '500 0', 'stat', 0, 100);
  assert.equal(odd.value?.comm, 'a) b) (c');
  assert.equal(odd.value?.startTicks, 500);
  assert.equal(odd.value?.startedAt, '1970-01-01T00:00:05Z');
  assert.equal(parseProcStatStart('garbage', 'stat', 0).issues[0].line, 1);
});

test('ps parsers survive hostile input', () => {
  survivesHostile((t) => parsePs(t, 'ps.txt'));
  survivesHostile((t) => parsePs('  PID  PPID                  STARTED ELAPSED COMMAND\n' + t, 'ps.txt'));
  survivesHostile((t) => parseCmdline(t, 'c'));
  survivesHostile((t) => parseEnviron(t, 'e'));
  survivesHostile((t) => parseProcStatStart(t, 's', 0));
});
