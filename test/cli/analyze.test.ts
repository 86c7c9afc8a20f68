// End to end through the real CLI on the shipped fixtures: exit codes, the JSON report against the
// report-v1 schema, evidence that points at real lines and keys, and several outputs in one run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ReportSchema, type Report } from '../../src/report/schema.js';
import { repoPath } from '../helpers.js';

const CLI = repoPath('dist/src/cli/main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

function jsonReport(...inputs: string[]): { code: number | null; report: Report; stderr: string } {
  const r = run('analyze', ...inputs, '-f', 'json', '-o', '-');
  return { code: r.status, report: ReportSchema.parse(JSON.parse(r.stdout)), stderr: r.stderr };
}

/** The text of a file inside a bundle archive of a fixture set (to check evidence against). */
function bundleFile(cluster: string, input: string, file: string): string {
  const member = input.split('!')[1];
  const archive = repoPath('fixtures', 'clusters', cluster, member);
  return execFileSync('tar', ['-xzOf', archive, '--wildcards', `*/${file}`], { encoding: 'utf8' });
}

test('healthy cluster: exit 0, a schema-valid report, no fail or warn', () => {
  const { code, report } = jsonReport(repoPath('fixtures/clusters/healthy-etcd'));
  assert.equal(code, 0);
  assert.equal(report.format, 'flannel-diag-report/1');
  assert.equal(report.summary.fail, 0);
  assert.equal(report.summary.warn, 0);
  assert.ok(report.summary.pass > 10);
  assert.equal(report.cluster.mode, 'etcd');
  assert.equal(report.cluster.nodes, 3);
  assert.equal(report.cluster.network, '10.244.0.0/16');
  assert.equal(report.cluster.backend, 'vxlan');
  assert.deepEqual(report.cluster.flannelVersions, ['v0.22.0']);
  assert.equal(report.summary.pass, report.findings.filter((f) => f.status === 'pass').length);
});

test('faulty cluster: exit 3, expected categories, evidence pointing at real lines and keys', () => {
  const { code, report } = jsonReport(repoPath('fixtures/clusters/faulty-etcd'));
  assert.equal(code, 3);
  const bad = report.findings.filter((f) => f.status === 'fail' || f.status === 'warn');
  const categories = new Set(bad.map((f) => f.category));
  for (const c of ['multi-instance', 'kernel-backend', 'stale-lease', 'clock']) assert.ok(categories.has(c as never), `expected a ${c} finding`);
  assert.equal(report.findings[0].status, 'fail', 'fails come first');
  for (const f of bad) {
    assert.ok(f.evidence.length > 0, `${f.ruleId} has evidence`);
    for (const e of f.evidence) {
      assert.ok(e.file, `${f.ruleId}: evidence names a file`);
      if (typeof e.line === 'number' && e.excerpt && e.file && e.input.includes('!')) {
        const lines = bundleFile('faulty-etcd', e.input, e.file).split('\n');
        const line = lines[e.line - 1] ?? '';
        const probe = e.excerpt.replace(/…$/, '').trim().slice(0, 40);
        assert.ok(line.includes(probe) || probe.includes(line.trim().slice(0, 40)), `${f.ruleId}: ${e.file}:${e.line} is "${line}", excerpt "${e.excerpt}"`);
      }
    }
  }
  const stale = bad.find((f) => f.category === 'stale-lease');
  assert.equal(stale?.evidence[0].key, '/coreos.com/network/subnets/10.244.9.0-24');
});

test('--fail-on warn exits 4 when there are warnings but no failure', () => {
  // the timedatectl fixture's only problem is data that could not be collected: a warning, no failure
  const r = run('analyze', repoPath('fixtures/clusters/faulty-timedatectl-failed'), '--fail-on', 'warn', '-f', 'json', '-o', '-');
  const report = ReportSchema.parse(JSON.parse(r.stdout));
  assert.equal(report.summary.fail, 0);
  assert.ok(report.summary.warn > 0);
  assert.equal(r.status, 4);
  assert.equal(run('analyze', repoPath('fixtures/clusters/faulty-timedatectl-failed')).status, 0, 'default --fail-on fail');
});

test('a bundle whose timedatectl failed makes the clock rule skipped with the reason, never pass', () => {
  const { report } = jsonReport(repoPath('fixtures/clusters/faulty-timedatectl-failed'));
  const clockA = report.findings.filter((f) => f.ruleId === 'clock.ntp-unsynchronized' && (f.node === 'node-a' || f.message.includes('node-a')));
  assert.ok(clockA.length >= 1);
  for (const f of clockA) {
    assert.equal(f.status, 'skipped');
    assert.match(f.message, /timedatectl-(show|status) failed/);
  }
});

test('several -f/-o pairs in one run write every format; stdout keeps the summary', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fd-cli-'));
  try {
    const r = run('analyze', repoPath('fixtures/clusters/faulty-etcd'), '-f', 'html', '-o', path.join(dir, 'r.html'), '-f', 'md', '-o', path.join(dir, 'r.md'), '-o', path.join(dir, 'r.json'));
    assert.equal(r.status, 3, r.stderr);
    assert.match(readFileSync(path.join(dir, 'r.html'), 'utf8'), /^<!DOCTYPE html>/i);
    assert.match(readFileSync(path.join(dir, 'r.md'), 'utf8'), /multi-instance/);
    ReportSchema.parse(JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8')));
    assert.match(r.stdout, /FAIL/);
    assert.deepEqual(readdirSync(dir).sort(), ['r.html', 'r.json', 'r.md'], 'no temporary files left behind');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-o - carries that output alone on stdout', () => {
  const r = run('analyze', repoPath('fixtures/clusters/healthy-etcd'), '-f', 'md', '-o', '-');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^#/);
  assert.doesNotMatch(r.stdout, /flannel-diag 0\.\d+\.\d+: PASS/);
});

test('an input that is not a bundle at all: exit 1 with a one-line reason', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fd-cli-'));
  try {
    const r = run('analyze', path.join(dir, 'nope.tar.gz'));
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /nope\.tar\.gz/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('usage errors exit 2', () => {
  assert.equal(run('analyze', repoPath('fixtures/clusters/healthy-etcd'), '-f', 'pdf').status, 2);
  assert.equal(run('analyze', repoPath('fixtures/clusters/healthy-etcd'), '--max-entries', 'lots').status, 2);
  assert.equal(run('nosuchcommand').status, 2);
});

/** Runs `body` with a rules directory holding `files` (relative path -> text), removed afterwards. */
function withRuleDir(files: Record<string, string>, body: (dir: string) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'fd-rules-'));
  try {
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    }
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CLOCK_X = (when: string) => `id: clock.x\ntitle: x\ncategory: clock\nseverity: info\nwhen: ${when}\nmessage: x\n`;

test('invalid rule files make analyze exit 2 before reading any bundle', () => {
  withRuleDir({ 'clock/x.yaml': CLOCK_X('nodes.size() > "a"') }, (dir) => {
    const out = path.join(dir, 'out.json');
    const r = run('analyze', repoPath('fixtures/clusters/healthy-etcd'), '-r', dir, '-o', out);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /x\.yaml:5:\d+: no such overload/);
    assert.equal(existsSync(out), false, 'no report written');
  });
});

test('analyze does not read rule tests: a broken test file stops `rules lint`, not an analysis', () => {
  withRuleDir({ 'clock/x.yaml': CLOCK_X('nodes.size() > 0'), 'clock/x.test.yaml': 'cases: [[[\n' }, (dir) => {
    const out = path.join(dir, 'out.json');
    const check = run('rules', 'lint', dir);
    assert.equal(check.status, 2, 'rules lint reports the broken test file');
    assert.match(check.stdout + check.stderr, /x\.test\.yaml:\d+:\d+/);
    const r = run('analyze', repoPath('fixtures/clusters/healthy-etcd'), '-r', dir, '-o', out);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    assert.ok(report.findings.some((f) => f.ruleId === 'clock.x'), 'the rule beside the broken test still ran');
  });
});

test('the collector command writes the script', () => {
  const r = run('collector');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^#!\/bin\/sh/);
});

test('--version answers fast enough to be cheap and prints the package version', () => {
  const r = run('--version');
  assert.equal(r.status, 0);
  assert.equal(r.stdout.trim(), JSON.parse(readFileSync(repoPath('package.json'), 'utf8')).version);
});
