// Hostile and damaged inputs: every bad entry class is recorded and dropped while the rest is read;
// damaged, garbage, empty and missing inputs become one clear problem, never an exception.
// Why: bundles are uploaded by customers; the reader is the only thing between them and the analyzer.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { checkEntryName, escapeName } from '../../src/bundle/names.js';
import type { RejectedEntry } from '../../src/bundle/types.js';
import { fileKeys, gz, nodeDir, nodeFiles, only, onlyBundle, rawNodeEntries, rawTar, readAll, summary, tempDir, type RawEntry } from './kit.js';

const NODE_KEYS = ['etcd/get-prefix.json', 'node/ps.stderr.txt', 'node/ps.txt'];

function byName(rs: RejectedEntry[]): Record<string, { type: string; reason: string }> {
  return Object.fromEntries(rs.map((r) => [r.name, { type: r.type, reason: r.reason }]));
}

describe('entry names', () => {
  it('normalizes harmless forms', () => {
    assert.deepEqual(checkEntryName('./top//node/./ps.txt'), { ok: true, path: 'top/node/ps.txt', parts: ['top', 'node', 'ps.txt'] });
    assert.deepEqual(checkEntryName('top/node/'), { ok: true, path: 'top/node', parts: ['top', 'node'] });
    assert.deepEqual(checkEntryName('./'), { ok: true, path: '', parts: [] });
  });

  it('rejects absolute, .., backslash, NUL, control characters and huge names', () => {
    const reason = (n: string): string | null => {
      const r = checkEntryName(n);
      return r.ok ? null : r.reason;
    };
    assert.equal(reason('/etc/passwd'), 'absolute path');
    assert.equal(reason('top/../../x'), "'..' component in path");
    assert.equal(reason('..'), "'..' component in path");
    assert.equal(reason('top\\x.txt'), 'backslash in name');
    assert.equal(reason('top/a\0b'), 'NUL character in name');
    assert.equal(reason('top/\x1b[2Jx'), 'control character in name');
    assert.equal(reason('top/\u0085x'), 'control character in name');
    assert.equal(reason('a/'.repeat(3000)), 'name longer than 4096 characters');
    assert.equal(reason('top/..x/y'), null); // `..x` is an ordinary name
  });

  it('escapes names for display', () => {
    assert.equal(escapeName('a\x1b[31mb\nc\\d'), 'a\\x1b[31mb\\x0ac\\\\d');
    assert.equal(escapeName('x\u202ey'), 'x\\u{202e}y');
    assert.equal(escapeName('é'), 'é');
    assert.equal(escapeName('z'.repeat(600)).length, 513);
  });
});

describe('hostile archive entries', () => {
  const t = tempDir();
  after(t.cleanup);

  it('records every bad entry class and still reads the bundle', async () => {
    const top = 'flannel-diag-node-a';
    const entries: RawEntry[] = [
      ...rawNodeEntries('node-a', top),
      { name: '/etc/passwd', data: 'root:x:0:0' },
      { name: `${top}/../../escape.txt`, data: 'out' },
      { name: `${top}\\win.txt`, data: 'bs' },
      { name: `${top}/ctl\x1b[31m.txt`, data: 'ctl' },
      { name: `${top}/link`, type: '2', linkname: '/etc' },
      { name: `${top}/link/through.txt`, data: 'via link' },
      { name: `${top}/hard`, type: '1', linkname: '/etc/hostname' },
      { name: `${top}/dev-null`, type: '3' },
      { name: `${top}/dev-sda`, type: '4' },
      { name: `${top}/fifo`, type: '6' },
      { name: `${top}/sparse`, type: 'S', data: 'sparse' },
      { name: `${top}/node/ps.txt`, data: 'SECOND COPY' }, // duplicate: the first one wins
      { name: `./${top}//node/ps.txt`, data: 'THIRD COPY' }, // duplicate after normalization
      { name: `${top}/node/ps.txt/inside`, data: 'under a file' },
      { name: Buffer.concat([Buffer.from(`${top}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]), data: 'latin1 name' },
      { name: 'x', pax: { path: `${top}/${'long/'.repeat(30)}name.txt` }, data: 'long name via pax' },
      { name: `${top}/pax-type.txt`, pax: { type: 'File' }, type: '2', linkname: '/etc/shadow' },
      { name: `${top}/node/extra.txt`, data: 'after all the junk' },
    ];
    const p = path.join(t.dir, 'evil.tar.gz');
    writeFileSync(p, gz(rawTar(entries)));
    const b = onlyBundle(await readAll([p]));
    assert.equal(b.input, p);
    assert.equal(b.manifest.host.hostname, 'node-a');
    assert.equal(b.incomplete, false);
    assert.deepEqual(b.problems, []);
    assert.equal(b.files.get('node/ps.txt')!.toString(), nodeFiles('node-a')['node/ps.txt']);
    assert.equal(b.files.get('node/extra.txt')!.toString(), 'after all the junk');
    assert.equal(b.files.get(`${'long/'.repeat(30)}name.txt`)!.toString(), 'long name via pax');
    assert.equal(b.files.get('caf\ufffd.txt')!.toString(), 'latin1 name'); // non-UTF-8: kept, decoded
    assert.deepEqual(fileKeys(b), [...NODE_KEYS, 'caf\ufffd.txt', `${'long/'.repeat(30)}name.txt`, 'node/extra.txt'].sort());
    assert.ok(b.rejected.every((r) => r.input === p));
    assert.deepEqual(byName(b.rejected), {
      '/etc/passwd': { type: 'File', reason: 'absolute path' },
      [`${top}/../../escape.txt`]: { type: 'File', reason: "'..' component in path" },
      [`${top}\\\\win.txt`]: { type: 'File', reason: 'backslash in name' },
      [`${top}/ctl\\x1b[31m.txt`]: { type: 'File', reason: 'control character in name' },
      [`${top}/link`]: { type: 'SymbolicLink', reason: 'symbolic link to /etc' },
      [`${top}/link/through.txt`]: { type: 'File', reason: 'path goes through a rejected SymbolicLink entry' },
      [`${top}/hard`]: { type: 'Link', reason: 'hard link to /etc/hostname' },
      [`${top}/dev-null`]: { type: 'CharacterDevice', reason: 'character device' },
      [`${top}/dev-sda`]: { type: 'BlockDevice', reason: 'block device' },
      [`${top}/fifo`]: { type: 'FIFO', reason: 'FIFO' },
      [`${top}/sparse`]: { type: 'SparseFile', reason: 'unsupported entry type SparseFile' },
      [`${top}/node/ps.txt`]: { type: 'File', reason: 'duplicate path' },
      [`./${top}//node/ps.txt`]: { type: 'File', reason: 'duplicate path' },
      [`${top}/node/ps.txt/inside`]: { type: 'File', reason: 'duplicate path (a parent directory is a file)' },
      // a pax `type` record cannot make a link pass for a file
      [`${top}/pax-type.txt`]: { type: 'SymbolicLink', reason: 'symbolic link to /etc/shadow' },
    });
  });

  it('gives rejected entries of a set member to that member', async () => {
    const entries: RawEntry[] = [
      ...rawNodeEntries('node-a', 'set/node-a'),
      { name: 'set/node-a/evil', type: '2', linkname: '../../..' },
      ...rawNodeEntries('node-b', 'set/node-b'),
      { name: 'set/rootlink', type: '2', linkname: '/' },
    ];
    const p = path.join(t.dir, 'evil-set.tar');
    writeFileSync(p, rawTar(entries));
    const items = await readAll([p]);
    assert.deepEqual(items.map(summary), [
      { kind: 'bundle', input: `${p}!node-a`, host: 'node-a', incomplete: false, problems: [] },
      { kind: 'bundle', input: `${p}!node-b`, host: 'node-b', incomplete: false, problems: [] },
      { kind: 'failure', input: p, problems: ['not-a-bundle'] },
    ]);
    assert.ok(items[0].kind === 'bundle');
    assert.deepEqual(items[0].bundle.rejected, [{ input: `${p}!node-a`, name: 'set/node-a/evil', type: 'SymbolicLink', reason: 'symbolic link to ../../..' }]);
    assert.ok(items[1].kind === 'bundle');
    assert.deepEqual(items[1].bundle.rejected, []);
    assert.ok(items[2].kind === 'failure');
    assert.deepEqual(items[2].rejected, [{ input: p, name: 'set/rootlink', type: 'SymbolicLink', reason: 'symbolic link to /' }]);
  });

  it('never follows symlinks inside a directory input, and records them', async () => {
    const d = nodeDir(t.dir, 'dir-evil', 'node-d');
    const outside = path.join(t.dir, 'outside-secret.txt');
    writeFileSync(outside, 'SECRET');
    symlinkSync(outside, path.join(d, 'node', 'secret.txt'));
    mkdirSync(path.join(t.dir, 'outside-dir'));
    writeFileSync(path.join(t.dir, 'outside-dir', 'x.txt'), 'SECRET2');
    symlinkSync(path.join(t.dir, 'outside-dir'), path.join(d, 'etc-link'));
    writeFileSync(path.join(d, 'bad\\name.txt'), 'bs');
    let fifo = false;
    try {
      execFileSync('mkfifo', [path.join(d, 'node', 'pipe')]);
      fifo = true;
    } catch {
      /* no mkfifo here: the FIFO case is covered by the archive test */
    }
    const b = onlyBundle(await readAll([d]));
    assert.deepEqual(fileKeys(b), NODE_KEYS);
    const expected: Record<string, { type: string; reason: string }> = {
      'node/secret.txt': { type: 'SymbolicLink', reason: `symbolic link to ${outside}` },
      'etc-link': { type: 'SymbolicLink', reason: `symbolic link to ${path.join(t.dir, 'outside-dir')}` },
      'bad\\\\name.txt': { type: 'File', reason: 'backslash in name' },
    };
    if (fifo) expected['node/pipe'] = { type: 'FIFO', reason: 'FIFO' };
    assert.deepEqual(byName(b.rejected), expected);
    for (const buf of b.files.values()) assert.ok(!buf.toString().includes('SECRET'));
  });

  it('keeps non-UTF-8 file names of a directory input readable', async () => {
    const d = nodeDir(t.dir, 'dir-latin1', 'node-l');
    const raw = Buffer.concat([Buffer.from(path.join(d, 'node', 'caf')), Buffer.from([0xe9]), Buffer.from('.txt')]);
    writeFileSync(raw, 'latin1');
    const b = onlyBundle(await readAll([d]));
    assert.equal(b.files.get('node/caf\ufffd.txt')!.toString(), 'latin1');
  });
});

describe('damaged and foreign inputs', () => {
  const t = tempDir();
  after(t.cleanup);

  const bigFile = Buffer.alloc(300 * 1024);
  for (let i = 0; i < bigFile.length; i++) bigFile[i] = (i * 7919) % 251; // poorly compressible

  it('keeps what was read before a bad checksum in the middle', async () => {
    const top = 'flannel-diag-node-a';
    const entries: RawEntry[] = [
      ...rawNodeEntries('node-a', top),
      { name: `${top}/node/before.txt`, data: 'before' },
      { name: `${top}/node/broken.txt`, data: 'broken', badChecksum: true },
      { name: `${top}/node/after.txt`, data: 'after' },
    ];
    const p = path.join(t.dir, 'cksum.tar.gz');
    writeFileSync(p, gz(rawTar(entries)));
    const b = onlyBundle(await readAll([p]));
    assert.equal(b.incomplete, true);
    assert.deepEqual(fileKeys(b), [...NODE_KEYS, 'node/before.txt'].sort());
    assert.equal(b.problems.length, 1);
    assert.equal(b.problems[0].kind, 'damaged');
    assert.match(b.problems[0].message, /^.*cksum\.tar\.gz: damaged archive \(TAR_ENTRY_INVALID: checksum failure\); read stopped after 6 entries$/);
    assert.ok(!b.problems[0].message.includes('\n'));
  });

  it('keeps what was read before a truncated gzip', async () => {
    const top = 'flannel-diag-node-t';
    const entries: RawEntry[] = [...rawNodeEntries('node-t', top), { name: `${top}/node/big.bin`, data: bigFile }];
    const whole = gz(rawTar(entries));
    const p = path.join(t.dir, 'truncated.tar.gz');
    writeFileSync(p, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const b = onlyBundle(await readAll([p]));
    assert.equal(b.incomplete, true);
    assert.deepEqual(fileKeys(b), NODE_KEYS); // the half-read big.bin is dropped, not kept cut
    assert.deepEqual(b.problems.map((x) => x.kind), ['damaged']);
    assert.equal(b.problems[0].message, `${p}: damaged gzip data (unexpected end of file); read stopped after 6 entries`);
  });

  it('keeps what was read before a truncated plain tar', async () => {
    const top = 'flannel-diag-node-u';
    const tarBytes = rawTar([...rawNodeEntries('node-u', top), { name: `${top}/node/big.bin`, data: bigFile }]);
    const p = path.join(t.dir, 'truncated.tar');
    writeFileSync(p, tarBytes.subarray(0, tarBytes.length - 100 * 1024));
    const b = onlyBundle(await readAll([p]));
    assert.equal(b.incomplete, true);
    assert.deepEqual(fileKeys(b), NODE_KEYS);
    assert.equal(b.problems[0].kind, 'damaged');
    assert.match(b.problems[0].message, /damaged archive \(TAR_BAD_ARCHIVE: Truncated input/);
  });

  it('a truncated gzip before the manifest is a failure', async () => {
    const top = 'flannel-diag-node-v';
    const entries: RawEntry[] = [{ name: `${top}/node/big.bin`, data: bigFile }, ...rawNodeEntries('node-v', top)];
    const whole = gz(rawTar(entries));
    const p = path.join(t.dir, 'truncated-early.tgz');
    writeFileSync(p, whole.subarray(0, 2000));
    const it = only(await readAll([p]));
    assert.deepEqual(summary(it), { kind: 'failure', input: p, problems: ['damaged'] });
  });

  it('garbage is not a bundle', async () => {
    const p = path.join(t.dir, 'x.bin');
    const junk = Buffer.alloc(5000);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 31 + 7) % 256;
    writeFileSync(p, junk);
    const it = only(await readAll([p]));
    assert.ok(it.kind === 'failure');
    assert.deepEqual(it.problems, [{ input: p, kind: 'not-a-bundle', message: `${p}: not a tar or tar.gz archive` }]);
  });

  it('a short text file is not a bundle', async () => {
    const p = path.join(t.dir, 'notes.tar.gz');
    writeFileSync(p, 'hello\n');
    const it = only(await readAll([p]));
    assert.ok(it.kind === 'failure');
    assert.equal(it.problems[0].message, `${p}: not a tar or tar.gz archive`);
  });

  it('gzip-compressed garbage is not a bundle', async () => {
    const p = path.join(t.dir, 'gzjunk.tar.gz');
    writeFileSync(p, gzipSync(Buffer.from('this is not a tar archive at all, just text\n'.repeat(50))));
    const it = only(await readAll([p]));
    assert.ok(it.kind === 'failure');
    assert.deepEqual(it.problems.map((x) => [x.kind, x.message]), [['not-a-bundle', `${p}: not a tar or tar.gz archive`]]);
  });

  it('gzip inside gzip is refused (tar would inflate it behind the caps)', async () => {
    const p = path.join(t.dir, 'double.tar.gz');
    writeFileSync(p, gzipSync(gzipSync(rawTar(rawNodeEntries('node-a')))));
    const it = only(await readAll([p]));
    assert.ok(it.kind === 'failure');
    assert.equal(it.problems[0].message, `${p}: not a tar or tar.gz archive (gzip inside gzip)`);
  });

  it('a bad gzip header is damage', async () => {
    const p = path.join(t.dir, 'badgz.tgz');
    writeFileSync(p, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x99, 0x00]), Buffer.alloc(100, 0x41)]));
    const it = only(await readAll([p]));
    assert.ok(it.kind === 'failure');
    assert.equal(it.problems[0].kind, 'damaged');
    assert.match(it.problems[0].message, /^.*badgz\.tgz: damaged gzip data \(.+\); read stopped after 0 entries$/);
  });

  it('an empty file is not a bundle', async () => {
    const p = path.join(t.dir, 'empty.tar.gz');
    writeFileSync(p, '');
    const it = only(await readAll([p]));
    assert.ok(it.kind === 'failure');
    assert.deepEqual(it.problems, [{ input: p, kind: 'not-a-bundle', message: `${p}: empty file (not a tar or tar.gz archive)` }]);
  });

  it('a missing or unreadable path is an I/O failure, and the next input is still read', async () => {
    const missing = path.join(t.dir, 'nope.tar.gz');
    const d = nodeDir(t.dir, 'fine', 'node-f');
    const items = await readAll([missing, d]);
    assert.deepEqual(items.map(summary), [
      { kind: 'failure', input: missing, problems: ['io'] },
      { kind: 'bundle', input: d, host: 'node-f', incomplete: false, problems: [] },
    ]);
    assert.ok(items[0].kind === 'failure');
    assert.equal(items[0].problems[0].message, `${missing}: cannot read (no such file or directory, ENOENT)`);
  });

  it('a FIFO or device as input is refused without reading it', async () => {
    const it = only(await readAll(['/dev/null']));
    assert.ok(it.kind === 'failure');
    assert.deepEqual(it.problems, [{ input: '/dev/null', kind: 'not-a-bundle', message: '/dev/null: not a regular file or directory' }]);
  });

  it('an archive without manifest.json is not a flannel-diag bundle', async () => {
    const p = path.join(t.dir, 'nomanifest.tar.gz');
    const entries = rawNodeEntries('node-a', 'top').filter((e) => !String(e.name).endsWith('manifest.json'));
    writeFileSync(p, gz(rawTar(entries)));
    const it = only(await readAll([p]));
    assert.ok(it.kind === 'failure');
    assert.deepEqual(it.problems, [{ input: p, kind: 'manifest', message: `${p}: no manifest.json (not a flannel-diag bundle)` }]);
  });
});
