// Reports are written atomically: a temporary file beside the target, then rename. A failure (a
// read-only directory, a target that is a directory, a missing parent) is exit 1 with one line, and
// leaves neither half a report nor a temporary file; an existing report is replaced whole or not at all;
// a symlink planted at the output path is replaced, never written through.
// Why: engineers re-run the analyzer into the same file and attach what is there to tickets; a half
// report, or a report written through a link into some other file, is worse than none.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeAtomic } from '../../src/cli/io.js';
import { assertExit1, HEALTHY, runCli, sandbox, snapshot, diffSnapshots, type Sandbox } from './support.js';

const tempFiles = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.tmp'));

describe('writeAtomic', () => {
  let sb: Sandbox;
  before(() => {
    sb = sandbox();
  });
  after(() => sb.cleanup());

  it('writes the whole content and leaves no temporary file', () => {
    const f = path.join(sb.out, 'a.json');
    writeAtomic(f, 'x'.repeat(1_000_000));
    assert.equal(readFileSync(f, 'utf8').length, 1_000_000);
    assert.deepEqual(readdirSync(sb.out), ['a.json']);
  });

  it('writes pieces of every size (multi-byte text, pieces larger than its buffer) byte for byte', () => {
    const f = path.join(sb.out, 'pieces.html');
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const alphabet = ['a', 'é', '→', '😀', '<', '\n'];
    const pieces: string[] = [];
    for (let i = 0; i < 400; i++) {
      const n = rnd() < 0.02 ? 400_000 + Math.floor(rnd() * 600_000) : Math.floor(rnd() * 5000);
      pieces.push(Array.from({ length: Math.ceil(n / 50) }, () => alphabet[Math.floor(rnd() * alphabet.length)].repeat(50)).join(''));
    }
    writeAtomic(f, pieces);
    assert.ok(readFileSync(f).equals(Buffer.from(pieces.join(''), 'utf8')));
  });

  it('replaces an existing report whole: a reader of the old file never sees a mix', () => {
    const f = path.join(sb.out, 'b.json');
    writeFileSync(f, 'OLD REPORT');
    const fd = openSync(f, 'r'); // someone has the old report open
    try {
      writeAtomic(f, 'NEW REPORT, LONGER THAN THE OLD ONE');
      const buf = Buffer.alloc(64);
      const n = readSync(fd, buf, 0, 64, 0);
      assert.equal(buf.subarray(0, n).toString(), 'OLD REPORT', 'the old file was not rewritten in place');
    } finally {
      closeSync(fd);
    }
    assert.equal(readFileSync(f, 'utf8'), 'NEW REPORT, LONGER THAN THE OLD ONE');
    assert.deepEqual(tempFiles(sb.out), []);
  });

  it('a target that is a directory: throws, the directory and its content untouched, no temp file', () => {
    const d = path.join(sb.out, 'is-a-dir.json');
    mkdirSync(d);
    writeFileSync(path.join(d, 'keep.txt'), 'keep');
    assert.throws(() => writeAtomic(d, 'report'), /EISDIR|ENOTEMPTY|EEXIST|directory/i);
    assert.equal(readFileSync(path.join(d, 'keep.txt'), 'utf8'), 'keep');
    assert.deepEqual(tempFiles(sb.out), []);
  });

  it('a missing parent or a parent that is a file: throws, creates nothing', () => {
    const before = snapshot(sb.root);
    assert.throws(() => writeAtomic(path.join(sb.out, 'no', 'such', 'dir', 'r.json'), 'x'), /ENOENT/);
    writeFileSync(path.join(sb.out, 'plain'), 'p');
    assert.throws(() => writeAtomic(path.join(sb.out, 'plain', 'r.json'), 'x'), /ENOTDIR/);
    const d = diffSnapshots(before, snapshot(sb.root));
    assert.deepEqual(d.added, ['out/plain']);
  });

  it('a symlink at the target is replaced by the report, its target is never written', () => {
    const victim = path.join(sb.root, 'victim.txt');
    writeFileSync(victim, 'precious');
    const f = path.join(sb.out, 'linked.json');
    symlinkSync(victim, f);
    writeAtomic(f, 'report');
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.ok(lstatSync(f).isFile());
    assert.equal(readFileSync(f, 'utf8'), 'report');
  });

  it('a file planted at a temporary name is never followed or overwritten', () => {
    // the temporary name is predictable; `wx` (O_EXCL) refuses to open anything already there
    const victim = path.join(sb.root, 'victim2.txt');
    writeFileSync(victim, 'precious');
    const f = path.join(sb.out, 'c.json');
    const realNow = Date.now;
    Date.now = () => 1234;
    try {
      symlinkSync(victim, path.join(sb.out, `.c.json.${process.pid}.1234.tmp`));
      assert.throws(() => writeAtomic(f, 'report'), /EEXIST/);
    } finally {
      Date.now = realNow;
    }
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
  });
});

describe('report outputs through the CLI', { timeout: 300_000 }, () => {
  let sb: Sandbox;
  before(() => {
    sb = sandbox();
  });
  after(() => sb.cleanup());

  it('an output path that is a directory: exit 1, one line, no temp file, nothing else written', () => {
    const d = path.join(sb.out, 'report.html');
    mkdirSync(d);
    const before = snapshot(sb.root);
    const r = runCli(sb, ['analyze', HEALTHY, '-f', 'html', '-o', d]);
    assertExit1(r, 'output is a directory', /cannot write .*report\.html/);
    assert.deepEqual(diffSnapshots(before, snapshot(sb.root)), { added: [], removed: [], changed: [] });
  });

  it('an output in a missing directory: exit 1, one line', () => {
    const r = runCli(sb, ['analyze', HEALTHY, '-o', path.join(sb.out, 'missing', 'r.json')]);
    assertExit1(r, 'missing dir', /cannot write .*r\.json/);
    assert.deepEqual(readdirSync(sb.out).filter((n) => n !== 'report.html'), []);
  });

  it('an output into a read-only directory: exit 1, one line, no temp file', () => {
    const ro = path.join(sb.out, 'ro');
    mkdirSync(ro);
    writeFileSync(path.join(ro, 'r.md'), 'the previous report');
    chmodSync(ro, 0o555);
    // root ignores permissions: run the CLI as nobody (the sandbox is opened up for that user)
    const asRoot = process.getuid?.() === 0;
    if (asRoot) for (const d of [sb.root, sb.out, sb.cwd, sb.tmp, sb.home]) chmodSync(d, 0o777);
    try {
      const r = runCli(sb, ['analyze', HEALTHY, '-f', 'md', '-o', path.join(ro, 'r.md')], 120_000, asRoot ? { uid: 65534, gid: 65534 } : undefined);
      assertExit1(r, 'read-only dir', /cannot write .*r\.md.*(EACCES|permission denied)/i);
      assert.deepEqual(readdirSync(ro), ['r.md']);
      assert.equal(readFileSync(path.join(ro, 'r.md'), 'utf8'), 'the previous report', 'the previous report is kept whole');
    } finally {
      chmodSync(ro, 0o755);
    }
  });

  it('several outputs, one of them failing: every report written is whole, no temp file anywhere', () => {
    const bad = path.join(sb.out, 'bad-dir.json');
    mkdirSync(bad);
    const good = path.join(sb.out, 'good.html');
    const r = runCli(sb, ['analyze', HEALTHY, '-f', 'html', '-o', good, '-f', 'json', '-o', bad]);
    // the first report was written (and said so); the failure is one line
    assert.equal(r.status, 1, r.stderr);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('flannel-diag:'));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0], /cannot write .*bad-dir\.json/);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
    for (const d of [sb.out, sb.cwd, sb.tmp]) assert.deepEqual(tempFiles(d), [], `temp file left in ${d}`);
    const html = readFileSync(good, 'utf8');
    assert.match(html, /^<!DOCTYPE html>/i);
    assert.match(html, /<\/html>\s*$/i, 'the HTML report that was written is complete');
  });
});
