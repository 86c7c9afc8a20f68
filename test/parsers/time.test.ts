import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChronycTracking, parseNtpq, parseTimedatectlShow, parseTimedatectlStatus } from '../../src/parsers/time.js';
import { sample } from '../helpers.js';
import { section, survivesHostile } from './support.js';

test('parseTimedatectlStatus: systemd 239+ wording', () => {
  const { value, issues } = parseTimedatectlStatus(sample('synthetic-timedatectl-status-systemd252.txt'), 'node/timedatectl-status.txt');
  assert.deepEqual(issues, []);
  assert.deepEqual(value, { source: 'timedatectl-status', synchronized: true, ntpActive: true, offsetSeconds: null, line: 5, excerpt: 'System clock synchronized: yes' });
});

test('parseTimedatectlStatus: systemd 219 wording', () => {
  const { value } = parseTimedatectlStatus(sample('synthetic-timedatectl-status-systemd219.txt'), 'x');
  assert.deepEqual([value?.synchronized, value?.ntpActive, value?.line, value?.excerpt], [false, false, 6, 'NTP synchronized: no']);
});

test('timedatectl without systemd: null and an issue on the error line', () => {
  const sampleText = sample('timedatectl-error-no-systemd.txt');
  const status = parseTimedatectlStatus(section(sampleText, 'timedatectl status'), 'node/timedatectl-status.txt');
  assert.equal(status.value, null);
  assert.equal(status.issues[0].line, 1);
  assert.match(status.issues[0].message, /could not answer: System has not been booted with systemd/);
  const show = parseTimedatectlShow(section(sampleText, 'timedatectl show'), 'node/timedatectl-show.txt');
  assert.equal(show.value, null);
  assert.equal(show.issues.length, 1);
  const odd = parseTimedatectlStatus('Local time: now\n', 'x');
  assert.equal(odd.value, null);
  assert.match(odd.issues[0].message, /no synchronization state/);
});

test('parseTimedatectlShow: NTPSynchronized and NTP', () => {
  const { value } = parseTimedatectlShow(sample('synthetic-timedatectl-show.txt'), 'x');
  assert.deepEqual(value, { source: 'timedatectl-show', synchronized: true, ntpActive: true, offsetSeconds: null, line: 5, excerpt: 'NTPSynchronized=yes' });
  assert.deepEqual(parseTimedatectlShow('NTP=no\nNTPSynchronized=no\n', 'x').value?.synchronized, false);
});

test('parseChronycTracking: real synced CSV; negative system time (fast) is a positive offset', () => {
  const csv = section(sample('chronyc-synchronised.txt'), 'chronyc -c tracking');
  const { value, issues } = parseChronycTracking(csv, 'node/chronyc-tracking.csv');
  assert.deepEqual(issues, []);
  assert.equal(value?.synchronized, true);
  assert.equal(value?.ntpActive, true);
  assert.equal(value?.offsetSeconds, 0.000001454);
  assert.equal(value?.line, 1);
  const slow = parseChronycTracking(csv.replace(',-0.000001454,', ',0.25,'), 'x');
  assert.equal(slow.value?.offsetSeconds, -0.25, 'positive system time means slow: behind');
});

test('parseChronycTracking: real unsynchronised CSV and text forms', () => {
  const text = sample('chronyc-unsynchronised.txt');
  const csv = parseChronycTracking(section(text, 'chronyc -c tracking'), 'x').value;
  assert.deepEqual([csv?.synchronized, csv?.offsetSeconds], [false, 0]);
  const human = parseChronycTracking(section(text, 'chronyc tracking'), 'x').value;
  assert.deepEqual([human?.synchronized, human?.offsetSeconds, human?.line], [false, 0, 13]);
  const synced = parseChronycTracking(section(sample('chronyc-synchronised.txt'), 'chronyc tracking'), 'x').value;
  assert.deepEqual([synced?.synchronized, synced?.offsetSeconds], [true, 0.000001455]);
  // a real reference id but leap status not synchronised
  assert.equal(parseChronycTracking('C0A80001,192.168.0.1,2,1,0.1,0,0,0,0,0,0,0,0,Not synchronised\n', 'x').value?.synchronized, false);
});

test('parseChronycTracking: no daemon, malformed numbers', () => {
  const r = parseChronycTracking(section(sample('chronyc-no-daemon-error.txt'), 'chronyc -c tracking'), 'node/chronyc-tracking.csv');
  assert.equal(r.value, null);
  assert.deepEqual([r.issues[0].line, r.issues[0].message], [1, 'chronyc could not answer: 506 Cannot talk to daemon']);
  const bad = parseChronycTracking('\n7F000001,127.0.0.1,9,1,abc,0,0,0,0,0,0,0,0,Normal\n', 'x');
  assert.equal(bad.value?.offsetSeconds, null);
  assert.equal(bad.issues[0].line, 2);
});

test('parseNtpq: real unsynchronised output (no * peer)', () => {
  const { value, issues } = parseNtpq(section(sample('ntpq-unsynchronised.txt'), 'ntpq -pn'), 'node/ntpq.txt');
  assert.deepEqual(issues, []);
  assert.deepEqual([value?.synchronized, value?.ntpActive, value?.offsetSeconds, value?.line], [false, true, null, 1]);
});

test('parseNtpq: sys.peer row, offset in ms, wrapped IPv6 row', () => {
  const text = [
    '     remote           refid      st t when poll reach   delay   offset   jitter',
    '==============================================================================',
    '+10.0.0.2        .GPS.            1 u   12   64  377    0.300    9.000   0.010',
    ' 2001:db8:aaaa:bbbb:cccc:dddd:eeee:1',
    '                 .PPS.            1 u   10   64  377    0.200   -5.000   0.010',
    '*10.0.0.1        .GPS.            1 u   12   64  377    0.123  -12.500   0.010',
  ].join('\n');
  const { value } = parseNtpq(text, 'x');
  assert.deepEqual([value?.synchronized, value?.offsetSeconds, value?.line, value?.excerpt.slice(0, 9)], [true, -0.0125, 6, '*10.0.0.1']);
  const err = parseNtpq('ntpq: read: Connection refused\n', 'node/ntpq.txt');
  assert.equal(err.value, null);
  assert.equal(err.issues[0].line, 1);
});

test('time parsers survive hostile input', () => {
  for (const parse of [parseTimedatectlStatus, parseTimedatectlShow, parseChronycTracking, parseNtpq]) {
    survivesHostile((t) => parse(t, 'x'));
    survivesHostile((t) => parse('     remote           refid      st t when poll reach   delay   offset   jitter\n' + t, 'x'));
  }
});
