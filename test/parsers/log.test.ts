import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iterateLogLines, parseLogLine, parseLogLines } from '../../src/parsers/log.js';
import { sample } from '../helpers.js';
import { survivesHostile } from './support.js';

test('klog container log: time with the reference year, level, message after the header', () => {
  const { value, issues } = parseLogLines(sample('synthetic-flanneld-klog.log'), 'node/flanneld.log', 2026);
  assert.deepEqual(issues, []);
  assert.equal(value.length, 10);
  assert.deepEqual(value[1], {
    line: 2,
    time: '2026-11-26T05:13:06.101Z',
    level: 'W',
    text: 'Neither --kubeconfig nor --master was specified.  Using the inClusterConfig.  This might not work.',
  });
  assert.deepEqual([value[8].level, value[8].text], ['E', 'Error registering network: failed to acquire lease: node "worker-2" pod cidr not assigned']);
  assert.ok(value[0].text.startsWith('CLI flags config: {etcdEndpoints:'));
});

test('journald short format: prefix stripped, klog inside wins, plain lines keep the journal time', () => {
  const lines = [...iterateLogLines(sample('synthetic-flanneld-journal.log'), 'node/flanneld.log', 2026)];
  assert.equal(lines.length, 7);
  assert.deepEqual(lines[3], {
    line: 4,
    time: '2026-11-26T05:13:06.115Z',
    level: 'E',
    text: "Couldn't fetch network config: flannel config not found in etcd store. Did you create your config using etcdv3 API?",
  });
  assert.deepEqual(lines[4], { line: 5, time: '2026-11-26T05:13:07Z', level: null, text: 'timed out' });
});

test('journald short-iso, CRI, docker -t, logrus and plain lines', () => {
  assert.deepEqual(parseLogLine('2026-11-26T05:13:06+0100 node-a flanneld[1]: I1126 04:13:06.5 1 main.go:1] hello', 3, 2026), {
    line: 3, time: '2026-11-26T04:13:06.500Z', level: 'I', text: 'hello',
  });
  assert.deepEqual(parseLogLine('2026-11-26T05:13:06+0100 node-a flanneld[1]: timed out', 1, 2026).time, '2026-11-26T04:13:06Z');
  assert.deepEqual(parseLogLine('2026-11-26T05:13:06.123456789Z stderr F E1126 05:13:06.123456       1 main.go:332] boom', 1, 2026), {
    line: 1, time: '2026-11-26T05:13:06.123Z', level: 'E', text: 'boom',
  });
  assert.deepEqual(parseLogLine('2026-11-26T05:13:06.5Z error dialing: refused', 1, 2026), {
    line: 1, time: '2026-11-26T05:13:06.500Z', level: null, text: 'error dialing: refused',
  });
  assert.deepEqual(parseLogLine('Nov 26 05:13:06 node-a k3s[812]: time="2026-11-26T05:13:06Z" level=warning msg="flannel exited: \\"x\\" failed"', 9, 2026), {
    line: 9, time: '2026-11-26T05:13:06Z', level: 'W', text: 'flannel exited: "x" failed',
  });
  assert.deepEqual(parseLogLine('just some text', 2, 2026), { line: 2, time: null, level: null, text: 'just some text' });
});

test('year rollover and invalid dates', () => {
  assert.equal(parseLogLine('I1231 23:59:59.000000 1 a.go:1] x', 1, 2027, { referenceMonth: 1 }).time, '2026-12-31T23:59:59Z');
  assert.equal(parseLogLine('I0101 00:00:01.000000 1 a.go:1] x', 1, 2027, { referenceMonth: 1 }).time, '2027-01-01T00:00:01Z');
  const bad = parseLogLine('I1331 25:00:00.000000 1 a.go:1] msg', 1, 2026);
  assert.deepEqual([bad.time, bad.level, bad.text], [null, 'I', 'msg']);
});

test('over-long lines are skipped with an issue naming the line', () => {
  const text = 'I1126 05:13:06.1 1 a.go:1] first\n' + 'x'.repeat(70_000) + '\nI1126 05:13:07.1 1 a.go:2] third\n';
  const { value, issues } = parseLogLines(text, 'node/flanneld.log', 2026);
  assert.deepEqual(value.map((l) => [l.line, l.text]), [[1, 'first'], [3, 'third']]);
  assert.deepEqual([issues[0].file, issues[0].line], ['node/flanneld.log', 2]);
});

test('log parser survives hostile input', () => {
  survivesHostile((t) => parseLogLines(t, 'x', 2026));
  survivesHostile((t) => parseLogLines('I1126 05:13:06.101233 ' + t, 'x', 2026));
  survivesHostile((t) => parseLogLines('time="' + t, 'x', 2026));
  survivesHostile((t) => parseLogLines('Nov 26 05:13:06 ' + t, 'x', 2026));
});

test('zap JSON lines of the etcd v3 client: time from "ts" (ISO or epoch seconds) and level; the line stays the text', () => {
  // the first line of test/samples/etcdctl-unreachable-error.txt: the etcd 3.4 client's zap output
  const real = sample('etcdctl-unreachable-error.txt').split('\n')[0];
  const line = parseLogLine(real, 7, 2026);
  assert.deepEqual([line.line, line.time, line.level, line.text], [7, '2026-11-26T05:11:48.864Z', 'W', real]);
  const epoch = parseLogLine('{"level":"error","ts":1764133908.5,"msg":"x"}', 1, 2026);
  assert.deepEqual([epoch.time, epoch.level], ['2025-11-26T05:11:48.500Z', 'E']);
  // zap's millisecond encoder: not seconds, so no time rather than one in the year 2508
  assert.equal(parseLogLine('{"level":"info","ts":1700000000123.456,"msg":"x"}', 1, 2026).time, null);
  // behind a CRI (or journald) prefix, the prefix's time is kept; a broken ts dates nothing
  const cri = parseLogLine('2026-11-26T05:11:49.000000001Z stderr F {"level":"warn","ts":"2026-11-26T05:11:48.864Z","msg":"x"}', 2, 2026);
  assert.deepEqual([cri.time, cri.level], ['2026-11-26T05:11:49Z', 'W']);
  assert.equal(parseLogLine('{"level":"warn","ts":"garbage","msg":"x"}', 3, 2026).time, null);
});
