// Hostile and broken archives through the real CLI, one test per class. Each asserts the promised
// outcome (a report with a bundle-integrity finding, or exit 1 with one line naming the input), no stack
// trace, bounded time (a spawn timeout, never a timing assertion) and memory (peak RSS), and that nothing
// was written anywhere but the requested report (analyzeHostile snapshots the sandbox and checks
// os.tmpdir() for names of archive entries).
// Why: customers upload these archives; support engineers open them on their own machines.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createGzip, gzipSync } from 'node:zlib';
import type { Report } from '../../src/report/schema.js';
import { gz, rawTar, tarHeader, type RawEntry } from '../bundle/kit.js';
import { repoPath } from '../helpers.js';
import {
  analyzeHostile,
  assertExit1,
  assertIntegrityFail,
  healthyTar,
  sandbox,
  topOf,
  unpackHealthy,
  withoutEnd,
  type Sandbox,
} from './support.js';

/** A unique marker, so that a file or value "escaping" can be found by name. */
const MARK = `fdsec${process.pid}x${Date.now().toString(36)}`;

/** healthy node-a followed by `extra` entries (names relative to nothing: give the top yourself). */
function nodeAWith(extra: (top: string) => RawEntry[]): Buffer {
  const t = healthyTar('a');
  return Buffer.concat([withoutEnd(t), rawTar(extra(topOf(t)))]);
}

/** A ps.txt with a second flanneld: if it were read, the report would show MARK as an interface. */
const SPOOFED_PS = `  PID  PPID                  STARTED ELAPSED COMMAND\n  812     1 Thu Nov 26 05:00:00 2026    4000 /opt/bin/flanneld --iface=${MARK}\n`;

describe('hostile archives (CLI)', { timeout: 600_000 }, () => {
  let sb: Sandbox;
  before(() => {
    sb = sandbox();
  });
  after(() => sb.cleanup());

  const write = (name: string, data: Buffer | string): string => {
    const p = path.join(sb.in, name);
    writeFileSync(p, data);
    return p;
  };

  it('path traversal: .., absolute, backslashes and names that normalize to an existing path are rejected', () => {
    const names = [`../${MARK}-up.txt`, `/tmp/${MARK}-abs.txt`, `/etc/cron.d/${MARK}`];
    const p = write(
      'traversal.tar.gz',
      gz(
        nodeAWith((top) => [
          { name: `${top}/../../${MARK}-dotdot.txt`, data: 'climbed out\n' },
          { name: names[0], data: 'up\n' },
          { name: names[1], data: 'absolute\n' },
          { name: names[2], data: '* * * * * root true\n' },
          { name: `${top}\\..\\..\\${MARK}-bs.txt`, data: 'backslashes\n' },
          { name: `${top}/node\\..\\..\\x`, data: 'backslashes\n' },
          // the same path as an existing file after normalization: the first entry wins
          { name: `./${top}//node/./ps.txt`, data: SPOOFED_PS },
          { name: `${top}/node/ps.txt/`, type: '5' },
          { name: `${top}/node/ps.txt/inside`, data: 'under a file\n' },
        ]),
      ),
    );
    const r = analyzeHostile(sb, [p], { entryNames: [`${MARK}-dotdot.txt`, `${MARK}-up.txt`, `${MARK}-abs.txt`, `${MARK}-bs.txt`, MARK] });
    assert.equal(r.run.status, 3, r.run.stderr);
    assertIntegrityFail(r.report!, /'\.\.' component in path/, /absolute path/, /backslash in name/, /duplicate path/);
    assert.ok(!JSON.stringify(r.report).includes(`--iface=${MARK}`), 'the normalized duplicate of node/ps.txt was not read');
    assert.equal(r.report!.inputs[0].hostname, 'node-a');
  });

  it('symbolic links in an archive are rejected, and nothing is read through them', () => {
    const p = write(
      'symlinks.tar.gz',
      gz(
        nodeAWith((top) => [
          { name: `${top}/node/shadow`, type: '2', linkname: '/etc/shadow' },
          { name: `${top}/up`, type: '2', linkname: '../../..' },
          { name: `${top}/up/${MARK}.txt`, data: 'through the link\n' },
          { name: `${top}/etc-dir`, type: '2', linkname: '/etc' },
          { name: `${top}/etc-dir/passwd`, data: 'root:x:0:0:spoofed\n' },
        ]),
      ),
    );
    const r = analyzeHostile(sb, [p], { entryNames: [MARK, 'shadow'] });
    assert.equal(r.run.status, 3);
    assertIntegrityFail(r.report!, /symbolic link to \/etc\/shadow/, /symbolic link to \.\.\/\.\.\/\.\./, /goes through a rejected SymbolicLink/);
  });

  it('a manifest.json that is a symlink is not followed: exit 1, nothing of the target printed', () => {
    const t = healthyTar('a');
    const top = topOf(t);
    const p = write('manifest-link.tar', rawTar([{ name: `${top}/`, type: '5' }, { name: `${top}/manifest.json`, type: '2', linkname: '/etc/passwd' }, { name: `${top}/node/ps.txt`, data: 'x\n' }]));
    const r = analyzeHostile(sb, [p]);
    assertExit1(r.run, 'manifest symlink', /manifest-link\.tar/);
    assert.doesNotMatch(r.run.stderr + r.run.stdout, /root:/);
  });

  it('symbolic links inside a directory input are never followed (files and directories)', () => {
    const work = path.join(sb.in, 'dir-links');
    mkdirSync(work);
    const d = unpackHealthy('a', work);
    const secret = path.join(sb.root, `${MARK}-secret.txt`);
    writeFileSync(secret, `SECRET-${MARK}\n`);
    mkdirSync(path.join(sb.root, 'outside'));
    writeFileSync(path.join(sb.root, 'outside', 'ps.txt'), `SECRET-${MARK}\n`);
    // the real ps.txt replaced by a link out of the bundle, plus a link to a directory
    rmSync(path.join(d, 'node', 'ps.txt'));
    symlinkSync(secret, path.join(d, 'node', 'ps.txt'));
    symlinkSync(path.join(sb.root, 'outside'), path.join(d, 'etc'));
    symlinkSync('/', path.join(d, 'root'));
    const r = analyzeHostile(sb, [d]);
    assert.equal(r.run.status, 3);
    assertIntegrityFail(r.report!, /node\/ps\.txt \(SymbolicLink\)|node\/ps\.txt.*symbolic link/, /etc.*symbolic link/);
    assert.ok(!JSON.stringify(r.report).includes(`SECRET-${MARK}`), 'a secret was read through a symlink');
  });

  it('hard links are rejected, whatever they point at', () => {
    const p = write(
      'hardlinks.tar.gz',
      gz(
        nodeAWith((top) => [
          { name: `${top}/node/passwd`, type: '1', linkname: '/etc/passwd' },
          { name: `${top}/node/self`, type: '1', linkname: `${top}/manifest.json` },
          { name: `${top}/node/up`, type: '1', linkname: `../../../${MARK}` },
        ]),
      ),
    );
    const r = analyzeHostile(sb, [p], { entryNames: [MARK] });
    assert.equal(r.run.status, 3);
    assertIntegrityFail(r.report!, /hard link to \/etc\/passwd/, /hard link to .*manifest\.json/, /hard link to \.\.\/\.\.\/\.\.\//);
  });

  it('devices and FIFOs in an archive are rejected', () => {
    const p = write(
      'devices.tar.gz',
      gz(
        nodeAWith((top) => [
          { name: `${top}/node/zero`, type: '3' },
          { name: `${top}/node/sda`, type: '4' },
          { name: `${top}/node/fifo`, type: '6' },
          { name: `${top}/node/contig`, type: '7', data: 'contiguous files are plain files' },
        ]),
      ),
    );
    const r = analyzeHostile(sb, [p]);
    assert.equal(r.run.status, 3);
    assertIntegrityFail(r.report!, /character device/, /block device/, /FIFO/);
  });

  it('a FIFO and a character device inside a directory input neither block nor stream forever', () => {
    const work = path.join(sb.in, 'dir-devices');
    mkdirSync(work);
    const d = unpackHealthy('b', work);
    // the collector's own file names: a reader that opened them would block (FIFO) or read forever (/dev/zero)
    rmSync(path.join(d, 'node', 'flanneld.log'));
    execFileSync('mkfifo', [path.join(d, 'node', 'flanneld.log')]);
    let device = false;
    if (process.getuid?.() === 0) {
      rmSync(path.join(d, 'node', 'kernel-config.txt'));
      execFileSync('mknod', [path.join(d, 'node', 'kernel-config.txt'), 'c', '1', '5']); // /dev/zero
      device = true;
    }
    const r = analyzeHostile(sb, [d], { timeoutMs: 60_000 });
    assert.equal(r.run.status, 3);
    assertIntegrityFail(r.report!, /flanneld\.log \(FIFO\)|flanneld\.log.*FIFO/, ...(device ? [/kernel-config\.txt.*character device/] : []));
    rmSync(work, { recursive: true, force: true });
  });

  it('an archive that is a FIFO by the time it is opened is refused at once, not waited on', () => {
    // the listing of a bundle set saw a regular file; a FIFO took its place before it was opened. In a
    // child process: a reader that blocked would block the thread it runs on, and this one's timeout with it
    const fifo = path.join(sb.in, 'swapped.tar.gz');
    execFileSync('mkfifo', [fifo]);
    const dist = (p: string) => pathToFileURL(repoPath('dist', 'src', 'bundle', p)).href;
    const script = `const { readArchive } = await import(${JSON.stringify(dist('archive.js'))});
      const { newBudget } = await import(${JSON.stringify(dist('tree.js'))});
      const { DEFAULT_CAPS } = await import(${JSON.stringify(dist('types.js'))});
      const c = await readArchive('swapped.tar.gz', { path: ${JSON.stringify(fifo)} }, newBudget(DEFAULT_CAPS));
      process.stdout.write(c.fatal?.kind ?? 'read');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    rmSync(fifo);
    assert.equal(r.signal, null, 'the reader blocked on the FIFO');
    assert.equal(r.stdout, 'not-a-bundle', r.stderr);
  });

  it('an archive of a bundle set that a symbolic link replaced after the listing is not followed', async () => {
    const work = path.join(sb.in, 'member-link');
    mkdirSync(work);
    const real = path.join(work, 'real.tar.gz');
    writeFileSync(real, gz(healthyTar('a')));
    const link = path.join(work, 'node-a.tar.gz');
    symlinkSync(real, link);
    const { readArchive } = await import('../../src/bundle/archive.js');
    const { newBudget } = await import('../../src/bundle/tree.js');
    const { DEFAULT_CAPS } = await import('../../src/bundle/types.js');
    const member = await readArchive('set/node-a.tar.gz', { path: link, member: true }, newBudget(DEFAULT_CAPS));
    assert.equal(member.fatal?.kind, 'io');
    assert.match(member.fatal?.message ?? '', /ELOOP|symbolic link/);
    // an input the user named may be a link: it is read
    const named = await readArchive('node-a.tar.gz', { path: link }, newBudget(DEFAULT_CAPS));
    assert.equal(named.fatal, null);
    rmSync(work, { recursive: true, force: true });
  });

  it('a compression bomb is stopped by the ratio cap while streaming (bounded memory)', async () => {
    // ~1.9 GB of zeros behind ~2 MB of gzip: 30 files of 60 MiB, each under --max-file-bytes, as
    // concatenated gzip members (one compressed zero member reused; gunzip reads them as one stream)
    const t = healthyTar('a');
    const top = topOf(t);
    const zeros = await gzipStream(Buffer.alloc(60 * 1024 * 1024));
    const parts: Buffer[] = [gzipSync(withoutEnd(t))];
    for (let i = 0; i < 30; i++) parts.push(gzipSync(tarHeader(Buffer.from(`${top}/node/bomb${i}.bin`), '0', 60 * 1024 * 1024)), zeros);
    parts.push(gzipSync(Buffer.alloc(1024)));
    const p = write('bomb.tar.gz', Buffer.concat(parts));
    const r = analyzeHostile(sb, [p]);
    assert.equal(r.run.status, 3);
    assertIntegrityFail(r.report!, /cap --max-ratio 200/);
    assert.ok(r.run.maxRssMiB < 400, `peak RSS ${r.run.maxRssMiB.toFixed(0)} MiB`);
    // the same bomb as a member of a bundle set: the caps hold for the input as a whole
    const set = write('bomb-set.tar', rawTar([{ name: 'set/node-x.tar.gz', data: Buffer.concat(parts) }, { name: 'set/node-c.tar.gz', data: gzipSync(healthyTar('c')) }]));
    const r2 = analyzeHostile(sb, [set]);
    assert.ok(r2.run.status === 3 || r2.run.status === 1, r2.run.stderr);
    if (r2.report) assertIntegrityFail(r2.report, /--max-ratio/);
    assert.ok(r2.run.maxRssMiB < 400, `peak RSS ${r2.run.maxRssMiB.toFixed(0)} MiB`);
  });

  it('a huge number of entries is stopped by the entry cap, and what came before is analyzed', () => {
    const n = 25_000;
    const p = write('many-entries.tar.gz', gz(nodeAWith((top) => Array.from({ length: n }, (_, i) => ({ name: `${top}/x/${i}`, type: '5' })))));
    const r = analyzeHostile(sb, [p]);
    assert.equal(r.run.status, 3);
    assertIntegrityFail(r.report!, /stopped at 20001 entries \(cap --max-entries 20000\)/);
    assert.equal(r.report!.inputs[0].hostname, 'node-a');
    assert.ok(r.run.maxRssMiB < 400, `peak RSS ${r.run.maxRssMiB.toFixed(0)} MiB`);
  });

  it('truncated gzip: analyzed as far as it could be read, and the report says what was lost', () => {
    const whole = gzipSync(healthyTar('a'));
    const p = write('cut.tar.gz', whole.subarray(0, Math.floor(whole.length * 0.6)));
    const r = analyzeHostile(sb, [p]);
    assert.equal(r.run.status, 3);
    assertIntegrityFail(r.report!, /damaged gzip data \(unexpected end of file\); read stopped after \d+ entries/);
    assertLostListed(r.report!);
    // cut before the manifest: nothing usable
    const early = write('cut-early.tar.gz', whole.subarray(0, 40));
    assertExit1(analyzeHostile(sb, [early]).run, 'cut early', /cut-early\.tar\.gz/);
  });

  it('garbage bytes (raw, gzip-framed, gzip of non-tar) are exit 1 with one line each', () => {
    const junk = Buffer.alloc(8192);
    for (let i = 0, x = 12345; i < junk.length; i++) junk[i] = (x = (x * 1103515245 + 12345) & 0x7fffffff) >> 16;
    for (const [name, data] of [
      ['junk.tar.gz', junk],
      ['gzmagic.tar.gz', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), junk])],
      ['gzip-of-text.tgz', gzipSync(Buffer.from('not a tar archive\n'.repeat(100)))],
      ['gzip-in-gzip.tar.gz', gzipSync(gzipSync(healthyTar('a')))],
      ['png.tar', Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), junk])],
    ] as const) {
      const r = analyzeHostile(sb, [write(name, data)]);
      assertExit1(r.run, name, new RegExp(name.replace(/\./g, '\\.')));
    }
  });

  it('a bad checksum in the middle: what came before is analyzed, the damage is a finding', () => {
    const t = withoutEnd(healthyTar('a'));
    // corrupt the checksum of a header about halfway through (headers sit at 512-byte boundaries)
    const offs = headerOffsets(t);
    const mid = offs[Math.floor(offs.length / 2)];
    const broken = Buffer.from(t);
    broken[mid + 148] = broken[mid + 148] === 0x31 ? 0x32 : 0x31;
    const p = write('checksum.tar.gz', gz(Buffer.concat([broken, Buffer.alloc(1024)])));
    const r = analyzeHostile(sb, [p]);
    assert.equal(r.run.status, 3);
    assertIntegrityFail(r.report!, /damaged archive \(TAR_ENTRY_INVALID: checksum failure\); read stopped after \d+ entries/);
    assertLostListed(r.report!);
  });

  it('empty inputs: empty file, empty directory, an archive with no entries, empty gzip: exit 1, one line', () => {
    const emptyDir = path.join(sb.in, 'empty-dir');
    mkdirSync(emptyDir);
    const inputs = [
      write('empty.tar.gz', Buffer.alloc(0)),
      emptyDir,
      write('only-end.tar', Buffer.alloc(1024)),
      write('empty-gzip.tar.gz', gzipSync(Buffer.alloc(0))),
      write('one-byte.tar', Buffer.from('x')),
    ];
    for (const i of inputs) assertExit1(analyzeHostile(sb, [i]).run, i, new RegExp(path.basename(i).replace(/\./g, '\\.')));
    // all of them at once: still one line
    assertExit1(analyzeHostile(sb, inputs).run, 'all empty inputs');
    // a missing input and a directory of nothing but junk
    assertExit1(analyzeHostile(sb, [path.join(sb.in, 'does-not-exist.tar.gz')]).run, 'missing', /does-not-exist\.tar\.gz/);
  });

  it('non-UTF-8 entry names are kept escaped, never crash, never become paths', () => {
    const latin1 = (s: string, b: number[]): Buffer => Buffer.concat([Buffer.from(s), Buffer.from(b)]);
    const t = healthyTar('a');
    const top = topOf(t);
    const p = write(
      'latin1.tar.gz',
      gz(
        Buffer.concat([
          withoutEnd(t),
          rawTar([
            { name: latin1(`${top}/node/caf`, [0xe9, 0x2e, 0x74, 0x78, 0x74]), data: 'latin1 name\n' },
            { name: latin1(`${top}/node/`, [0xff, 0xfe, 0x2e, 0x74, 0x78, 0x74]), data: 'ff fe\n' },
            { name: latin1(`${top}/node/`, [0xc0, 0xaf, 0x2e, 0x2e]), data: 'overlong slash\n' }, // overlong UTF-8 for '/'
            { name: latin1('../', [0xe9, 0x2e, 0x74, 0x78, 0x74]), data: 'climbing\n' },
          ]),
        ]),
      ),
    );
    const r = analyzeHostile(sb, [p]);
    assert.equal(r.run.status, 3);
    assertIntegrityFail(r.report!, /'\.\.' component in path/);
    // and a directory input with a non-UTF-8 file name
    const work = path.join(sb.in, 'dir-latin1');
    mkdirSync(work);
    const d = unpackHealthy('c', work);
    writeFileSync(latin1(path.join(d, 'node', 'caf'), [0xe9, 0x2e, 0x74, 0x78, 0x74]), 'latin1');
    writeFileSync(latin1(path.join(d, 'node', 'caf'), [0xff, 0x2e, 0x74, 0x78, 0x74]), 'collides after decoding');
    const r2 = analyzeHostile(sb, [d]);
    assert.ok(r2.run.status === 0 || r2.run.status === 3, r2.run.stderr);
  });

  it('the same path twice in one archive: the first copy wins (manifest included) and the second is a finding', () => {
    const t = healthyTar('a');
    const top = topOf(t);
    const spoofManifest = JSON.stringify({ format: 'flannel-diag-bundle/1', host: { hostname: MARK }, collectedAt: '2030-01-01T00:00:00Z', commands: [] });
    const p = write(
      'twice.tar.gz',
      gz(Buffer.concat([withoutEnd(t), rawTar([{ name: `${top}/manifest.json`, data: spoofManifest }, { name: `${top}/node/ps.txt`, data: SPOOFED_PS }])])),
    );
    const r = analyzeHostile(sb, [p]);
    assert.equal(r.run.status, 3);
    assertIntegrityFail(r.report!, /manifest\.json \(duplicate path\)/, /node\/ps\.txt \(duplicate path\)/);
    assert.equal(r.report!.inputs[0].hostname, 'node-a');
    assert.ok(!JSON.stringify(r.report).includes(`--iface=${MARK}`));
  });

  it('several hostile classes in one bundle set: every member is accounted for in one report', () => {
    const set = write(
      'mixed-set.tar.gz',
      gz(
        rawTar([
          { name: 'set/node-a.tar.gz', data: gz(nodeAWith((top) => [{ name: `${top}/../../x`, data: 'x' }])) },
          { name: 'set/node-b.tar.gz', data: gzipSync(healthyTar('b')).subarray(0, 3000) },
          { name: 'set/node-c.tar.gz', data: gzipSync(healthyTar('c')) },
          { name: 'set/junk.tar.gz', data: Buffer.from('junk') },
          { name: 'set/link.tar.gz', type: '2', linkname: '/etc/passwd' },
        ]),
      ),
    );
    const r = analyzeHostile(sb, [set]);
    assert.equal(r.run.status, 3);
    assertIntegrityFail(r.report!, /junk\.tar\.gz: not a tar or tar\.gz archive/, /'\.\.' component/, /damaged gzip data/, /1 entry outside any node bundle/);
    // the set-level symlink is that entry: listed with its target in the integrity section
    assert.ok((r.report!.integrity ?? []).some((n) => n.state === 'rejected' && /link\.tar\.gz \(SymbolicLink\): symbolic link to \/etc\/passwd/.test(n.message)));
    assert.ok(r.report!.inputs.some((i) => i.hostname === 'node-c'));
  });
});

/** The report lists what was lost: integrity notes for commands whose files never arrived. */
function assertLostListed(report: Report): void {
  const missing = (report.integrity ?? []).filter((n) => n.kind === 'command' && n.state === 'missing' && /is not in the bundle/.test(n.message));
  assert.ok(missing.length > 0, 'no integrity note names a lost file');
}

/** Header offsets of a tar (without following damaged sizes). */
function headerOffsets(t: Buffer): number[] {
  const out: number[] = [];
  for (let off = 0; off + 512 <= t.length; ) {
    const h = t.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    out.push(off);
    const size = parseInt(h.subarray(124, 136).toString('latin1').replace(/[^0-7]/g, '') || '0', 8);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** gzip without holding a second copy of the input in zlib's sync buffer. */
function gzipStream(data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const z = createGzip({ level: 9 });
    const chunks: Buffer[] = [];
    z.on('data', (c: Buffer) => chunks.push(c));
    z.on('end', () => resolve(Buffer.concat(chunks)));
    z.on('error', reject);
    z.end(data);
  });
}
