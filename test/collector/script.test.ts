// The script itself: shellcheck-clean POSIX sh that dash, busybox sh and bash accept; its options and exit
// codes; and the decimal->hex conversion of int64 lease ids, which must be exact in every awk.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  SCRIPT, createNetns, deleteNetns, makeGnuBin, removeDir, requireTools, run, runCollector, tempDir, which,
} from './harness.js';
import { repoPath } from '../helpers.js';

const source = (): string => fs.readFileSync(SCRIPT, 'utf8');

describe('the collector script', () => {
  test('shellcheck -s sh reports nothing', () => {
    const r = run(which('shellcheck'), ['-s', 'sh', '-S', 'style', SCRIPT]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout.trim(), '');
  });

  test('dash, busybox sh and bash --posix parse it', () => {
    for (const sh of [[which('dash'), '-n'], [which('busybox'), 'sh', '-n'], [which('bash'), '--posix', '-n']]) {
      const r = run(sh[0], [...sh.slice(1), SCRIPT]);
      assert.equal(r.status, 0, `${sh.join(' ')}: ${r.stderr}`);
    }
  });

  test('a #!/bin/sh script (bash-only constructs are shellcheck SC3xxx findings, checked above)', () => {
    assert.ok(source().startsWith('#!/bin/sh\n'));
  });

  test('the build copies it into dist under its exact name', () => {
    assert.match(fs.readFileSync(repoPath('scripts', 'copy-assets.mjs'), 'utf8'), /src\/collector\/flannel-diag-collect\.sh/);
  });

  test('--help lists every option', () => {
    const r = run(which('dash'), [SCRIPT, '--help']);
    assert.equal(r.status, 0);
    for (const o of [
      '--etcd-endpoints', '--etcd-prefix', '--etcd-cacert', '--etcd-cert', '--etcd-key', '--etcd-user', 'FLANNEL_DIAG_ETCD_PASSWORD',
      '--kubeconfig', '--no-etcd', '--no-kube', '--since', '--timeout', '--max-time', '--output', '--help',
    ]) {
      assert.ok(r.stdout.includes(o), `--help does not mention ${o}`);
    }
  });

  test('usage errors exit 2 and write nothing; a password on the command line is refused', () => {
    const dir = tempDir('usage');
    try {
      for (const args of [['--bogus'], ['--timeout', 'soon'], ['--since', '2 days'], ['--etcd-password=hunter22'], ['--etcd-endpoints']]) {
        const r = run(which('dash'), [SCRIPT, '--output', dir, ...args], { env: { PATH: process.env.PATH, TMPDIR: dir } });
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.ok(!r.stderr.includes('hunter22'));
      }
      const r = run(which('dash'), [SCRIPT, '--etcd-password', 'hunter22'], { env: { PATH: process.env.PATH, TMPDIR: dir } });
      assert.match(r.stderr, /FLANNEL_DIAG_ETCD_PASSWORD/);
      assert.deepEqual(fs.readdirSync(dir), []);
    } finally {
      removeDir(dir);
    }
  });

  test('lease ids: decimal to %016x exactly, in mawk/gawk and busybox awk (no doubles)', () => {
    const m = /DEC2HEX_AWK='([\s\S]*?)'\n/.exec(source());
    assert.ok(m, 'DEC2HEX_AWK not found in the script');
    const ids = ['0', '1', '15', '16', '9007199254740993', '9007199254740992', '2324035624231962376', '122901308394471444',
      '5866398208495412754', '9223372036854775807', '18446744073709551615'];
    const prog = `${m[1]}\n{ print dec2hex($1) }`;
    for (const awk of [[which('awk')], [which('busybox'), 'awk']]) {
      const r = run(awk[0], [...awk.slice(1), prog], { input: `${ids.join('\n')}\n` });
      assert.equal(r.status, 0, r.stderr);
      const want = ids.map((d) => BigInt(d).toString(16).padStart(16, '0'));
      assert.deepEqual(r.stdout.trim().split('\n'), want, awk.join(' '));
    }
  });
});

describe('exit status', () => {
  let dir: string;
  let ns: string;
  before(() => {
    requireTools(['ip', 'unshare', 'dash']);
    dir = tempDir('exit');
    ns = createNetns('exit');
  });
  after(() => {
    deleteNetns(ns);
    removeDir(dir);
  });

  test('an unwritable --output falls back to TMPDIR: still a bundle, exit 0', () => {
    const r = runCollector({ ns, dir, shell: [which('dash')], bin: makeGnuBin(dir), args: ['--output', '/proc', '--max-time', '30'] });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /cannot write the bundle into \/proc; trying /);
    const written = fs.readdirSync(r.tmpDir);
    assert.equal(written.length, 1, written.join(','));
    assert.match(written[0], /^flannel-diag-.*\.tar\.gz$/);
    assert.ok(r.stdout.includes(path.join(r.tmpDir, written[0])));
  });

  test('exit 1 only when no bundle can be written', () => {
    const r = runCollector({
      ns,
      dir,
      shell: [which('dash')],
      bin: makeGnuBin(dir),
      args: ['--output', '/proc', '--max-time', '30'],
      env: { TMPDIR: '/proc/no-such-dir' },
    });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /error: cannot create a temporary directory/);
  });
});
