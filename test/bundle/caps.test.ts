// Caps: each one stops the input while streaming, names itself and its value, and keeps what was read.
// Why: a support bundle can be a decompression bomb or simply huge; the analyzer must stay bounded.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEFAULT_CAPS } from '../../src/bundle/types.js';
import { fileKeys, gz, nodeDir, only, onlyBundle, rawNodeEntries, rawTar, readAll, summary, tarHeader, tempDir, writeTree, type RawEntry } from './kit.js';

const NODE_KEYS = ['etcd/get-prefix.json', 'node/ps.stderr.txt', 'node/ps.txt'];
const TOP = 'flannel-diag-node-a';

function extras(n: number, size: number): RawEntry[] {
  return Array.from({ length: n }, (_, i) => ({ name: `${TOP}/node/x${i}.txt`, data: Buffer.alloc(size, 0x61 + (i % 26)) }));
}

/** The number of decompressed bytes a ratio/total message reports. */
function inflatedIn(message: string): number {
  const m = /stopped after (\d+) bytes/.exec(message);
  assert.ok(m, `no byte count in: ${message}`);
  return Number(m[1]);
}

describe('caps', () => {
  const t = tempDir();
  after(t.cleanup);

  it('--max-entries stops the archive and keeps what came before', async () => {
    const p = path.join(t.dir, 'many.tar.gz');
    writeFileSync(p, gz(rawTar([...rawNodeEntries('node-a', TOP), ...extras(10, 10)])));
    const b = onlyBundle(await readAll([p], { maxEntries: 8 }));
    assert.equal(b.incomplete, true);
    assert.deepEqual(b.problems, [{ input: p, kind: 'cap', cap: 'maxEntries', message: `${p}: stopped at 9 entries (cap --max-entries 8)` }]);
    // 1 dir + manifest + 3 node files + x0..x2 = 8 entries read
    assert.deepEqual(fileKeys(b), [...NODE_KEYS, 'node/x0.txt', 'node/x1.txt', 'node/x2.txt'].sort());
  });

  it('--max-entries with the default value, as the report shows it', async () => {
    const p = path.join(t.dir, 'twenty-thousand.tar');
    const many: RawEntry[] = Array.from({ length: DEFAULT_CAPS.maxEntries + 5 }, (_, i) => ({ name: `${TOP}/node/e${i}`, data: '' }));
    writeFileSync(p, rawTar([...rawNodeEntries('node-a', TOP), ...many]));
    const b = onlyBundle(await readAll([p]));
    assert.equal(b.problems[0].message, `${p}: stopped at 20001 entries (cap --max-entries 20000)`);
    assert.equal(b.files.size, 20000 - 2); // the directory entry and manifest.json are not files
  });

  it('--max-entries also bounds a directory input', async () => {
    const d = nodeDir(t.dir, 'many-dir', 'node-d');
    writeTree(d, Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`zz/f${String(i).padStart(2, '0')}.txt`, 'x'])));
    const b = onlyBundle(await readAll([d], { maxEntries: 10 }));
    assert.equal(b.incomplete, true);
    assert.equal(b.problems[0].cap, 'maxEntries');
    assert.equal(b.problems[0].message, `${d}: stopped at 11 entries (cap --max-entries 10)`);
    assert.ok(b.files.size < 10, `read ${b.files.size} files`);
    assert.equal(b.manifest.host.hostname, 'node-d');
  });

  it('--max-file-bytes stops at the first file over the cap', async () => {
    const p = path.join(t.dir, 'bigfile.tar.gz');
    const entries: RawEntry[] = [
      ...rawNodeEntries('node-a', TOP),
      { name: `${TOP}/node/big.log`, data: Buffer.alloc(2000, 0x62) },
      { name: `${TOP}/node/after.txt`, data: 'after' },
    ];
    writeFileSync(p, gz(rawTar(entries)));
    const b = onlyBundle(await readAll([p], { maxFileBytes: 1000 }));
    assert.equal(b.incomplete, true);
    assert.deepEqual(b.problems, [
      { input: p, kind: 'cap', cap: 'maxFileBytes', message: `${p}: stopped at ${TOP}/node/big.log of 2000 bytes (cap --max-file-bytes 1000)` },
    ]);
    assert.deepEqual(fileKeys(b), NODE_KEYS);
  });

  it('--max-file-bytes in a directory input', async () => {
    const d = nodeDir(t.dir, 'bigfile-dir', 'node-b');
    writeTree(d, { 'node/big.log': Buffer.alloc(2000, 0x62) });
    const b = onlyBundle(await readAll([d], { maxFileBytes: 1000 }));
    assert.equal(b.incomplete, true);
    assert.deepEqual(b.problems.map((x) => [x.cap, x.message]), [['maxFileBytes', `${d}: stopped at node/big.log of 2000 bytes (cap --max-file-bytes 1000)`]]);
    assert.equal(b.files.has('node/big.log'), false);
  });

  it('--max-total-bytes counts decompressed bytes and keeps what fit', async () => {
    const p = path.join(t.dir, 'total.tar.gz');
    writeFileSync(p, gz(rawTar([...rawNodeEntries('node-a', TOP), ...extras(10, 8 * 1024)])));
    const b = onlyBundle(await readAll([p], { maxTotalBytes: 30_000 }));
    assert.equal(b.incomplete, true);
    assert.deepEqual(b.problems, [
      { input: p, kind: 'cap', cap: 'maxTotalBytes', message: `${p}: stopped after 30000 bytes decompressed (cap --max-total-bytes 30000)` },
    ]);
    // the node bundle takes 4096 bytes of tar, each extra 512 + 8192: x0 and x1 fit in 30000, x2 is cut
    assert.deepEqual(fileKeys(b), [...NODE_KEYS, 'node/x0.txt', 'node/x1.txt'].sort());
  });

  it('--max-ratio stops a gzip of 50 MB of zeros after about 1 MiB', async () => {
    const p = path.join(t.dir, 'zeros.tar.gz');
    const tarBytes = rawTar([...rawNodeEntries('node-a', TOP), { name: `${TOP}/node/zeros.bin`, data: Buffer.alloc(50 * 1024 * 1024) }]);
    writeFileSync(p, gzipSync(tarBytes));
    const b = onlyBundle(await readAll([p]));
    assert.equal(b.incomplete, true);
    assert.equal(b.problems.length, 1);
    assert.equal(b.problems[0].cap, 'maxRatio');
    assert.match(b.problems[0].message, /^.*zeros\.tar\.gz: stopped after \d+ bytes decompressed from \d+ \(ratio \d+, cap --max-ratio 200\)$/);
    assert.ok(inflatedIn(b.problems[0].message) < 2 * 1024 * 1024, b.problems[0].message);
    assert.equal(b.files.has('node/zeros.bin'), false);
    const held = [...b.files.values()].reduce((n, x) => n + x.length, 0);
    assert.ok(held < 1024, `held ${held} bytes`);
  });

  it('--max-ratio stops a 10 GiB multi-member gzip bomb without inflating it', async () => {
    // a valid tar stream all the way: manifest, then 170 files of 60 MiB of zeros (each under
    // --max-file-bytes), made of gzip members of 1 MiB of zeros (~1 KiB each): 10 MiB on disk
    const zeros = gzipSync(Buffer.alloc(1024 * 1024));
    const members: Buffer[] = [gzipSync(rawTar(rawNodeEntries('node-a', TOP), true))];
    for (let f = 0; f < 170; f++) {
      members.push(gzipSync(tarHeader(Buffer.from(`${TOP}/node/z${f}.bin`), '0', 60 * 1024 * 1024)));
      for (let k = 0; k < 60; k++) members.push(zeros);
    }
    const p = path.join(t.dir, 'bomb.tar.gz');
    writeFileSync(p, Buffer.concat(members));
    const b = onlyBundle(await readAll([p]));
    assert.equal(b.incomplete, true);
    assert.equal(b.problems[0].cap, 'maxRatio');
    assert.ok(inflatedIn(b.problems[0].message) < 2 * 1024 * 1024, b.problems[0].message);
    assert.deepEqual(fileKeys(b), NODE_KEYS);
  });

  it('a lower --max-ratio is honoured; a higher one lets ordinary text through', async () => {
    const text = Buffer.from('Nov 26 05:13:06 node-a flanneld[812]: I1126 05:13:06 vxlan_network.go:138] lease renewed\n'.repeat(30000));
    const p = path.join(t.dir, 'log.tar.gz');
    writeFileSync(p, gzipSync(rawTar([...rawNodeEntries('node-a', TOP), { name: `${TOP}/node/flanneld.log`, data: text }])));
    const strict = onlyBundle(await readAll([p], { maxRatio: 5 }));
    assert.equal(strict.problems[0]?.cap, 'maxRatio');
    assert.equal(strict.files.has('node/flanneld.log'), false);
    const loose = onlyBundle(await readAll([p], { maxRatio: 100_000 }));
    assert.deepEqual(loose.problems, []);
    assert.equal(loose.files.get('node/flanneld.log')!.length, text.length);
  });

  it('a cap hit in one member of a set stops the rest of that input', async () => {
    const members: RawEntry[] = ['node-a', 'node-b', 'node-c'].map((h) => ({ name: `${h}.tar.gz`, data: gz(rawTar(rawNodeEntries(h))) }));
    const p = path.join(t.dir, 'set-cap.tar.gz');
    writeFileSync(p, gz(rawTar(members)));
    const other = nodeDir(t.dir, 'next-input', 'node-n');
    // outer: 3 entries; node-a: 5; node-b: dir, manifest, ps.txt, then the 12th entry trips the cap
    const items = await readAll([p, other], { maxEntries: 11 });
    assert.deepEqual(items.map(summary), [
      { kind: 'bundle', input: `${p}!node-a.tar.gz`, host: 'node-a', incomplete: false, problems: [] },
      { kind: 'bundle', input: `${p}!node-b.tar.gz`, host: 'node-b', incomplete: true, problems: ['cap'] },
      { kind: 'failure', input: p, problems: ['cap'] },
      // caps are per top-level input: the next input starts afresh
      { kind: 'bundle', input: other, host: 'node-n', incomplete: false, problems: [] },
    ]);
    assert.ok(items[1].kind === 'bundle');
    assert.deepEqual(fileKeys(items[1].bundle), ['node/ps.txt']);
    assert.equal(items[1].bundle.problems[0].message, `${p}!node-b.tar.gz: stopped at 12 entries (cap --max-entries 11)`);
    assert.ok(items[2].kind === 'failure');
    assert.equal(items[2].problems[0].message, `${p}: 1 member(s) not read after a cap was hit: ${p}!node-c.tar.gz`);
  });

  it('bytes after the end-of-archive marker are not read (nor counted)', async () => {
    const p = path.join(t.dir, 'trailing.tar');
    writeFileSync(p, Buffer.concat([rawTar(rawNodeEntries('node-a', TOP)), Buffer.alloc(20 * 1024 * 1024, 0x41)]));
    const b = onlyBundle(await readAll([p], { maxTotalBytes: 1024 * 1024 }));
    assert.deepEqual(b.problems, []);
    assert.equal(b.incomplete, false);
    assert.deepEqual(fileKeys(b), NODE_KEYS);
  });

  it('a cap hit before the manifest was read is a failure', async () => {
    const p = path.join(t.dir, 'cap-early.tar.gz');
    const entries: RawEntry[] = [{ name: `${TOP}/node/big.log`, data: Buffer.alloc(5000) }, ...rawNodeEntries('node-a', TOP)];
    writeFileSync(p, gz(rawTar(entries)));
    const item = only(await readAll([p], { maxFileBytes: 1000 }));
    assert.ok(item.kind === 'failure');
    assert.deepEqual(item.problems.map((x) => x.cap), ['maxFileBytes']);
  });
});
