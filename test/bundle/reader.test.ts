// Tests of readInputs on valid inputs: node bundles as .tar.gz, .tar and directories, and bundle sets
// (archives of archives, directories of directories, sets of sets), with their evidence labels.
// Why: labels and file keys are what every finding cites; the set rules decide what gets analyzed.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readInputs } from '../../src/bundle/reader.js';
import { DEFAULT_CAPS } from '../../src/bundle/types.js';
import {
  bundles,
  fileKeys,
  gz,
  nodeArchive,
  nodeDir,
  onlyBundle,
  rawNodeEntries,
  rawTar,
  readAll,
  summary,
  tarCreate,
  tempDir,
} from './kit.js';

const NODE_KEYS = ['etcd/get-prefix.json', 'node/ps.stderr.txt', 'node/ps.txt'];

describe('node bundle inputs', () => {
  const t = tempDir();
  after(t.cleanup);

  it('reads a .tar.gz node bundle into memory', async () => {
    const p = await nodeArchive(t.dir, 'node-a.tar.gz', 'node-a');
    const b = onlyBundle(await readAll([p]));
    assert.equal(b.input, p);
    assert.equal(b.manifest.host.hostname, 'node-a');
    assert.equal(b.manifest.format, 'flannel-diag-bundle/1');
    assert.deepEqual(fileKeys(b), NODE_KEYS);
    assert.equal(b.files.get('node/ps.txt')!.toString(), '  PID  PPID COMMAND\n    1     0 /sbin/init node-a\n');
    assert.equal(b.files.get('node/ps.stderr.txt')!.length, 0); // empty files are kept
    assert.equal(b.incomplete, false);
    assert.deepEqual(b.problems, []);
    assert.deepEqual(b.rejected, []);
  });

  it('reads the same bundle as an uncompressed .tar', async () => {
    const p = await nodeArchive(t.dir, 'node-b.tar', 'node-b', false);
    const b = onlyBundle(await readAll([p]));
    assert.equal(b.input, p);
    assert.equal(b.manifest.host.hostname, 'node-b');
    assert.deepEqual(fileKeys(b), NODE_KEYS);
    assert.equal(b.incomplete, false);
  });

  it('detects gzip by its magic bytes, not by the name', async () => {
    const gzAsTar = await nodeArchive(t.dir, 'really-gzip.tar', 'node-g', true);
    const tarAsGz = await nodeArchive(t.dir, 'really-plain.tgz', 'node-p', false);
    const noExt = await nodeArchive(t.dir, 'upload.bin', 'node-n', true);
    const items = await readAll([gzAsTar, tarAsGz, noExt]);
    assert.deepEqual(
      items.map(summary),
      [
        { kind: 'bundle', input: gzAsTar, host: 'node-g', incomplete: false, problems: [] },
        { kind: 'bundle', input: tarAsGz, host: 'node-p', incomplete: false, problems: [] },
        { kind: 'bundle', input: noExt, host: 'node-n', incomplete: false, problems: [] },
      ],
    );
  });

  it('reads the same bundle as a directory, labelled with the path as given', async () => {
    const d = nodeDir(t.dir, 'node-c-dir', 'node-c');
    const b = onlyBundle(await readAll([d + '/']));
    assert.equal(b.input, d); // trailing slash dropped, nothing else changed
    assert.equal(b.manifest.host.hostname, 'node-c');
    assert.deepEqual(fileKeys(b), NODE_KEYS);
    assert.equal(b.files.get('etcd/get-prefix.json')!.toString(), '{"kvs":[]}');
  });

  it('accepts a top-level symlink to a bundle directory (the user named it)', async () => {
    const d = nodeDir(t.dir, 'node-d-dir', 'node-d');
    const link = path.join(t.dir, 'node-d-link');
    symlinkSync(d, link);
    const b = onlyBundle(await readAll([link]));
    assert.equal(b.input, link);
    assert.equal(b.manifest.host.hostname, 'node-d');
  });

  it('accepts an archive whose entries start with ./ and have no directory entries', async () => {
    const entries = rawNodeEntries('node-e', 'top')
      .filter((e) => e.type !== '5')
      .map((e) => ({ ...e, name: `./${String(e.name)}`.replace('top/node/', 'top//node/') }));
    const p = path.join(t.dir, 'dot-slash.tar.gz');
    writeFileSync(p, gz(rawTar(entries)));
    const b = onlyBundle(await readAll([p]));
    assert.deepEqual(fileKeys(b), NODE_KEYS);
    assert.deepEqual(b.rejected, []);
  });

  it('accepts manifest.json at the archive root (tar -C dir .)', async () => {
    const entries = rawNodeEntries('node-r', 'x').map((e) => ({ ...e, name: String(e.name).replace(/^x\//, './') }));
    const p = path.join(t.dir, 'rootless.tar');
    writeFileSync(p, rawTar(entries));
    const b = onlyBundle(await readAll([p]));
    assert.equal(b.manifest.host.hostname, 'node-r');
    assert.deepEqual(fileKeys(b), NODE_KEYS);
  });
});

describe('bundle sets', () => {
  const t = tempDir();
  after(t.cleanup);

  it('reads a tar.gz of tar.gz members, labelled outer!member', async () => {
    const work = path.join(t.dir, 'set1');
    mkdirSync(path.join(work, 'cluster'), { recursive: true });
    await nodeArchive(path.join(work, 'cluster'), 'node-a.tar.gz', 'node-a');
    await nodeArchive(path.join(work, 'cluster'), 'node-b.tgz', 'node-b');
    await nodeArchive(path.join(work, 'cluster'), 'node-c.tar', 'node-c', false);
    const p = path.join(t.dir, 'cluster.tar.gz');
    await tarCreate(work, ['cluster'], p, true);
    const items = await readAll([p]);
    assert.deepEqual(items.map(summary), [
      { kind: 'bundle', input: `${p}!node-a.tar.gz`, host: 'node-a', incomplete: false, problems: [] },
      { kind: 'bundle', input: `${p}!node-b.tgz`, host: 'node-b', incomplete: false, problems: [] },
      { kind: 'bundle', input: `${p}!node-c.tar`, host: 'node-c', incomplete: false, problems: [] },
    ]);
    for (const b of bundles(items)) assert.deepEqual(fileKeys(b), NODE_KEYS);
  });

  it('reads a directory of bundle directories and archives, labelled outer!relative/path', async () => {
    const d = path.join(t.dir, 'clusterdir');
    nodeDir(d, 'node-a', 'node-a');
    nodeDir(d, 'node-b', 'node-b');
    await nodeArchive(d, 'node-c.tar.gz', 'node-c');
    const items = await readAll([d]);
    assert.deepEqual(items.map(summary), [
      { kind: 'bundle', input: `${d}!node-a`, host: 'node-a', incomplete: false, problems: [] },
      { kind: 'bundle', input: `${d}!node-b`, host: 'node-b', incomplete: false, problems: [] },
      { kind: 'bundle', input: `${d}!node-c.tar.gz`, host: 'node-c', incomplete: false, problems: [] },
    ]);
    assert.deepEqual(fileKeys(bundles(items)[0]), NODE_KEYS);
  });

  it('reads a tar.gz holding bundle directories side by side', async () => {
    const work = path.join(t.dir, 'set-dirs');
    nodeDir(work, 'node-a', 'node-a');
    nodeDir(work, 'node-b', 'node-b');
    const p = path.join(t.dir, 'dirs.tar.gz');
    await tarCreate(work, ['node-a', 'node-b'], p, true);
    const items = await readAll([p]);
    assert.deepEqual(items.map(summary), [
      { kind: 'bundle', input: `${p}!node-a`, host: 'node-a', incomplete: false, problems: [] },
      { kind: 'bundle', input: `${p}!node-b`, host: 'node-b', incomplete: false, problems: [] },
    ]);
    assert.deepEqual(fileKeys(bundles(items)[1]), NODE_KEYS);
  });

  it('reads sets of sets two levels deep (archives and directories)', async () => {
    // cluster.tar.gz > dc1.tar.gz > node-a.tar.gz ; cluster.tar.gz > node-z.tar.gz
    const w1 = path.join(t.dir, 'deep2-dc1');
    mkdirSync(w1, { recursive: true });
    await nodeArchive(w1, 'node-a.tar.gz', 'node-a');
    await nodeArchive(w1, 'node-b.tar.gz', 'node-b');
    const w0 = path.join(t.dir, 'deep2-top');
    mkdirSync(w0, { recursive: true });
    await tarCreate(w1, ['node-a.tar.gz', 'node-b.tar.gz'], path.join(w0, 'dc1.tar.gz'), true);
    await nodeArchive(w0, 'node-z.tar.gz', 'node-z');
    const p = path.join(t.dir, 'deep2.tar.gz');
    await tarCreate(w0, ['dc1.tar.gz', 'node-z.tar.gz'], p, true);

    // clusterdir2/dc1/node-c (dir) and clusterdir2/dc2/node-d.tar.gz
    const d = path.join(t.dir, 'clusterdir2');
    nodeDir(path.join(d, 'dc1'), 'node-c', 'node-c');
    mkdirSync(path.join(d, 'dc2'), { recursive: true });
    await nodeArchive(path.join(d, 'dc2'), 'node-d.tar.gz', 'node-d');

    const items = await readAll([p, d]);
    assert.deepEqual(items.map(summary), [
      { kind: 'bundle', input: `${p}!dc1.tar.gz!node-a.tar.gz`, host: 'node-a', incomplete: false, problems: [] },
      { kind: 'bundle', input: `${p}!dc1.tar.gz!node-b.tar.gz`, host: 'node-b', incomplete: false, problems: [] },
      { kind: 'bundle', input: `${p}!node-z.tar.gz`, host: 'node-z', incomplete: false, problems: [] },
      { kind: 'bundle', input: `${d}!dc1/node-c`, host: 'node-c', incomplete: false, problems: [] },
      { kind: 'bundle', input: `${d}!dc2/node-d.tar.gz`, host: 'node-d', incomplete: false, problems: [] },
    ]);
  });

  it('rejects sets nested three levels deep, and still reads the rest', async () => {
    // deep3.tar.gz > l2.tar.gz > l3.tar.gz > node-x.tar.gz ; deep3.tar.gz > l2.tar.gz > node-y.tar.gz
    const w3 = path.join(t.dir, 'deep3-l3');
    mkdirSync(w3, { recursive: true });
    await nodeArchive(w3, 'node-x.tar.gz', 'node-x');
    const w2 = path.join(t.dir, 'deep3-l2');
    mkdirSync(w2, { recursive: true });
    await tarCreate(w3, ['node-x.tar.gz'], path.join(w2, 'l3.tar.gz'), true);
    await nodeArchive(w2, 'node-y.tar.gz', 'node-y');
    const w1 = path.join(t.dir, 'deep3-l1');
    mkdirSync(w1, { recursive: true });
    await tarCreate(w2, ['l3.tar.gz', 'node-y.tar.gz'], path.join(w1, 'l2.tar.gz'), true);
    const p = path.join(t.dir, 'deep3.tar.gz');
    await tarCreate(w1, ['l2.tar.gz'], p, true);

    const d = path.join(t.dir, 'clusterdir3');
    nodeDir(path.join(d, 'a', 'b'), 'node-w', 'node-w');
    nodeDir(path.join(d, 'a'), 'node-v', 'node-v');

    const items = await readAll([p, d]);
    assert.deepEqual(items.map(summary), [
      { kind: 'failure', input: `${p}!l2.tar.gz!l3.tar.gz`, problems: ['nesting'] },
      { kind: 'bundle', input: `${p}!l2.tar.gz!node-y.tar.gz`, host: 'node-y', incomplete: false, problems: [] },
      { kind: 'failure', input: `${d}!a/b`, problems: ['nesting'] },
      { kind: 'bundle', input: `${d}!a/node-v`, host: 'node-v', incomplete: false, problems: [] },
    ]);
    const f = items[0];
    assert.ok(f.kind === 'failure');
    assert.equal(f.problems[0].message, `${p}!l2.tar.gz!l3.tar.gz: bundle set nested more than 2 levels deep (not read)`);
  });

  it('reports stray files of a set without failing its members', async () => {
    const d = path.join(t.dir, 'stray');
    nodeDir(d, 'node-a', 'node-a');
    writeFileSync(path.join(d, 'README.txt'), 'hello');
    const items = await readAll([d]);
    assert.deepEqual(items.map(summary), [
      { kind: 'bundle', input: `${d}!node-a`, host: 'node-a', incomplete: false, problems: [] },
      { kind: 'failure', input: d, problems: ['not-a-bundle'] },
    ]);
    const f = items[1];
    assert.ok(f.kind === 'failure');
    assert.deepEqual(f.rejected, [{ input: d, name: 'README.txt', type: 'File', reason: 'not part of a node bundle (ignored)' }]);
  });

  it('a set member without manifest is a failure of that member only', async () => {
    const d = path.join(t.dir, 'one-broken');
    nodeDir(d, 'node-a', 'node-a');
    mkdirSync(path.join(d, 'node-b', 'node'), { recursive: true });
    writeFileSync(path.join(d, 'node-b', 'node', 'ps.txt'), 'x');
    const items = await readAll([d]);
    assert.deepEqual(items.map(summary), [
      { kind: 'bundle', input: `${d}!node-a`, host: 'node-a', incomplete: false, problems: [] },
      { kind: 'failure', input: `${d}!node-b`, problems: ['manifest'] },
    ]);
    const f = items[1];
    assert.ok(f.kind === 'failure');
    assert.equal(f.problems[0].message, `${d}!node-b: no manifest.json (not a flannel-diag bundle)`);
  });

  it('yields each member before reading the next (the caller can stop early)', async () => {
    const d = path.join(t.dir, 'lazy');
    nodeDir(d, 'node-a', 'node-a');
    nodeDir(d, 'node-b', 'node-b');
    const gen = readInputs([d], DEFAULT_CAPS);
    const first = await gen.next();
    assert.equal(first.done, false);
    assert.equal(first.value!.kind === 'bundle' && first.value!.bundle.manifest.host.hostname, 'node-a');
    // node-b is read only when asked for: remove it now, and stop early
    renameSync(path.join(d, 'node-b'), path.join(t.dir, 'lazy-b-moved'));
    const second = await gen.next();
    assert.equal(second.done, false);
    assert.deepEqual(summary(second.value!), { kind: 'failure', input: `${d}!node-b`, problems: ['io'] });
    const end = await gen.return(undefined);
    assert.equal(end.done, true);
  });
});

describe('manifest at the bundle top only', () => {
  const t = tempDir();
  after(t.cleanup);

  it('files map excludes the top manifest.json but keeps a nested one', async () => {
    const d = path.join(t.dir, 'nested-manifest');
    nodeDir(t.dir, 'nested-manifest', 'node-m');
    writeFileSync(path.join(d, 'node', 'manifest.json'), '{}');
    const b = onlyBundle(await readAll([d]));
    assert.deepEqual(fileKeys(b), ['etcd/get-prefix.json', 'node/manifest.json', 'node/ps.stderr.txt', 'node/ps.txt']);
  });
});
