// rules lint: every kind of broken rule file gives `file:line:col: message` and exit 2 — the promise
// rule authors rely on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadRuleDirs } from '../../src/engine/loader.js';
import { SignatureMatcher } from '../../src/engine/signatures.js';
import { formatDiagnostic } from '../../src/engine/yaml-source.js';
import { repoPath } from '../helpers.js';

const GOOD = `id: clock.sample
title: Sample
category: clock
severity: warning
requires: [node.timeSync]
forEach: nodes
as: node
outcomes:
  - when: "!node.timeSync.synchronized"
    status: warn
    message: "{{node.hostname}} is not synchronized"
  - status: pass
    message: "{{node.hostname}} ok"
`;

function ruleDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fd-lint-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.join(dir, path.dirname(name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function lint(files: Record<string, string>): string[] {
  const dir = ruleDir(files);
  try {
    return loadRuleDirs([dir]).errors.map((d) => formatDiagnostic({ ...d, file: path.relative(dir, path.resolve(d.file)) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a valid rule loads with no errors', () => {
  assert.deepEqual(lint({ 'clock/sample.yaml': GOOD }), []);
});

test('a misspelled fact field is reported at its line and column', () => {
  const errs = lint({ 'clock/sample.yaml': GOOD.replace('node.timeSync.synchronized', 'node.timeSync.synchronised') });
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^clock\/sample\.yaml:9:27: No such key: synchronised/);
});

test('a CEL syntax error points into the expression', () => {
  const errs = lint({ 'clock/sample.yaml': GOOD.replace('"!node.timeSync.synchronized"', '"!node.timeSync.synchronized &&"') });
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^clock\/sample\.yaml:9:\d+: Unexpected token/);
  const col = Number(errs[0].split(':')[2]);
  assert.ok(col > 30, `column ${col} should be at the end of the expression`);
});

test('an unknown key is reported at the key', () => {
  const errs = lint({ 'clock/sample.yaml': GOOD.replace('severity: warning', 'severity: warning\nseverty: critical') });
  assert.deepEqual(errs, ['clock/sample.yaml:5:1: unknown key "severty"']);
});

test('a duplicate id is reported at the second id', () => {
  const errs = lint({ 'clock/sample.yaml': GOOD, 'clock/sample2.yaml': GOOD });
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^clock\/sample2\.yaml:1:5: duplicate rule id "clock\.sample"/);
});

test('a template naming an unknown field is a lint error', () => {
  const errs = lint({ 'clock/sample.yaml': GOOD.replace('{{node.hostname}} is not', '{{node.hostnam}} is not') });
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^clock\/sample\.yaml:11:\d+: template: node\.hostnam: no such field "hostnam" in Node/);
});

test('a type error (string compared with int) is a lint error', () => {
  const errs = lint({ 'clock/sample.yaml': GOOD.replace('"!node.timeSync.synchronized"', 'node.hostname == 3') });
  assert.match(errs[0] ?? '', /no such overload: string == int/);
});

test('regular expressions are refused in CEL', () => {
  const errs = lint({ 'clock/sample.yaml': GOOD.replace('"!node.timeSync.synchronized"', 'node.hostname.matches("a+")') });
  assert.match(errs[0] ?? '', /regular expressions never run in CEL/);
});

test('an unknown data path in requires is a lint error', () => {
  const errs = lint({ 'clock/sample.yaml': GOOD.replace('[node.timeSync]', '[node.timesync]') });
  assert.match(errs[0] ?? '', /^clock\/sample\.yaml:5:\d+: unknown data path "node\.timesync"/);
});

test('the category must match the directory', () => {
  const errs = lint({ 'iface/sample.yaml': GOOD });
  assert.ok(errs.some((e) => /category "clock" does not match the directory "iface"/.test(e)), errs.join('\n'));
});

test('a signature whose pattern is not RE2 syntax is a lint error', () => {
  const errs = lint({ 'signatures/x.yaml': "signatures:\n  - id: back\n    pattern: '(a)\\1'\n" });
  assert.match(errs[0] ?? '', /^signatures\/x\.yaml:3:14: pattern: /);
});

test('a signature literal may be a list: every example must contain one of them, and lines are matched through any', () => {
  const sig = (examples: string[]) =>
    `signatures:\n  - id: dial\n    pattern: 'dial tcp (\\S+): (i/o timeout|connect: connection refused)'\n    literal: ['i/o timeout', 'connect: connection refused']\n    examples: ${JSON.stringify(examples)}\n`;
  assert.deepEqual(lint({ 'signatures/x.yaml': sig(['dial tcp 10.0.0.1:443: i/o timeout', 'dial tcp 10.0.0.1:443: connect: connection refused']) }), []);
  const errs = lint({ 'signatures/x.yaml': sig(['dial tcp 10.0.0.1:443: i/o timeout', 'xdial tcp 10.0.0.1:443: connect: connection refusedx'.replace('refused', 'reset')]) });
  assert.ok(errs.some((e) => /^signatures\/x\.yaml:4:\d+: signature dial: an example does not contain any of the literals "i\/o timeout", "connect: connection refused"/.test(e)), errs.join('\n'));
  const dir = ruleDir({ 'signatures/x.yaml': sig(['dial tcp 10.0.0.1:443: i/o timeout']) });
  try {
    const loaded = loadRuleDirs([dir]);
    const m = new SignatureMatcher(loaded.signatures);
    assert.deepEqual(m.literals, ['i/o timeout', 'connect: connection refused']);
    assert.deepEqual(m.match('Get "https://10.96.0.1:443/api": dial tcp 10.96.0.1:443: connect: connection refused'), [{ id: 'dial', groups: ['10.96.0.1:443', 'connect: connection refused'] }]);
    assert.deepEqual(m.match('dial tcp 10.96.0.1:443: i/o timeout'), [{ id: 'dial', groups: ['10.96.0.1:443', 'i/o timeout'] }]);
    assert.deepEqual(m.match('dial tcp 10.96.0.1:443: connect: connection reset'), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flannel-diag rules lint exits 2 and prints file:line:col', () => {
  const dir = ruleDir({ 'clock/sample.yaml': GOOD.replace('node.timeSync.synchronized', 'node.timeSync.synced') });
  try {
    const r = spawnSync(process.execPath, [repoPath('dist/src/cli/main.js'), 'rules', 'lint', dir], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stdout, /sample\.yaml:9:27: No such key: synced/);
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the built-in rules lint clean', () => {
  const r = loadRuleDirs([repoPath('rules')]);
  assert.deepEqual(r.errors.map(formatDiagnostic), []);
  assert.ok(r.rules.length >= 6);
});

test('flannel-diag rules test: exit 0 when every case passes, 1 when one fails, 2 on invalid files', () => {
  const passing = `cases:
  - name: healthy
    fixture: ${repoPath('fixtures/clusters/healthy-etcd')}
    expect: [{ status: pass, count: 3 }]
  - name: node-c not synchronized
    fixture: ${repoPath('fixtures/clusters/healthy-etcd')}
    files:
      "node-c:node/timedatectl-show.txt": "NTP=no\\nNTPSynchronized=no\\n"
    expect: [{ status: warn, node: node-c }]
  - name: no time data
    fixture: ${repoPath('fixtures/clusters/healthy-etcd')}
    remove: ["node-a:node/timedatectl-*"]
    expect: [{ status: skipped, node: node-a }]
`;
  const cli = (dir: string) => spawnSync(process.execPath, [repoPath('dist/src/cli/main.js'), 'rules', 'test', dir], { encoding: 'utf8' });
  const ok = ruleDir({ 'clock/sample.yaml': GOOD, 'clock/sample.test.yaml': passing });
  const bad = ruleDir({ 'clock/sample.yaml': GOOD, 'clock/sample.test.yaml': passing.replace('node: node-c }', 'node: node-b }') });
  const invalid = ruleDir({ 'clock/sample.yaml': GOOD, 'clock/sample.test.yaml': passing.replace('expect: [{ status: pass', 'expected: [{ status: pass') });
  try {
    const r0 = cli(ok);
    assert.equal(r0.status, 0, r0.stdout);
    assert.match(r0.stdout, /^3 passed, 0 failed$/m);
    const r1 = cli(bad);
    assert.equal(r1.status, 1, r1.stdout);
    assert.match(r1.stdout, /FAIL clock\.sample :: node-c not synchronized/);
    const r2 = cli(invalid);
    assert.equal(r2.status, 2, r2.stdout);
    assert.match(r2.stdout, /sample\.test\.yaml:\d+:\d+: .*unknown key "expected"/);
  } finally {
    for (const d of [ok, bad, invalid]) rmSync(d, { recursive: true, force: true });
  }
});
