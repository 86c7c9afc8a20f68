// Test kit for the bundle reader: builds valid and hostile archives in memory or in a temp directory.
//
// Why: the reader's job is to survive UNTRUSTED archives, so the tests must be able to produce what no
// well-behaved tar tool writes (absolute names, `..`, links, devices, bad checksums, duplicate paths,
// non-UTF-8 names). `rawTar` writes 512-byte ustar headers by hand for that; valid archives come from
// tar@7 `create`. Everything lives under os.tmpdir() and is removed by the test that made it.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar';
import { readInputs } from '../../src/bundle/reader.js';
import { DEFAULT_CAPS, type NodeBundle, type ReadCaps, type ReadItem } from '../../src/bundle/types.js';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flannel-diag-bundle-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function manifest(hostname: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format: 'flannel-diag-bundle/1',
    collector: { name: 'flannel-diag-collect', version: '1.0.0' },
    host: { hostname },
    collectedAt: '2026-11-26T05:13:06Z',
    commands: [
      { id: 'ps', argv: ['ps'], stdout: 'node/ps.txt', stderr: 'node/ps.stderr.txt', exitCode: 0 },
      { id: 'chronyc-tracking', skipped: 'command not found: chronyc' },
    ],
    ...extra,
  };
}

/** The files of a small valid node bundle (paths relative to its top directory). */
export function nodeFiles(hostname: string): Record<string, string | Buffer> {
  return {
    'manifest.json': JSON.stringify(manifest(hostname)),
    'node/ps.txt': `  PID  PPID COMMAND\n    1     0 /sbin/init ${hostname}\n`,
    'node/ps.stderr.txt': '',
    'etcd/get-prefix.json': '{"kvs":[]}',
  };
}

export function writeTree(dir: string, files: Record<string, string | Buffer>): void {
  for (const [rel, data] of Object.entries(files)) {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, data);
  }
}

/** tar@7 create: `top` (a directory under cwd) into `file`. */
export async function tarCreate(cwd: string, top: string[], file: string, gzip: boolean): Promise<void> {
  await tar.create({ cwd, file, gzip, portable: true }, top);
}

/** A node bundle directory `<parent>/<name>/` holding nodeFiles(host). Returns its path. */
export function nodeDir(parent: string, name: string, host: string): string {
  const d = path.join(parent, name);
  writeTree(d, nodeFiles(host));
  return d;
}

/** A node bundle archive: `<dir>/<file>` with single top directory `top`. */
export async function nodeArchive(dir: string, file: string, host: string, gzip = true, top = `flannel-diag-${host}`): Promise<string> {
  const work = mkdtempSync(path.join(dir, '.work-'));
  nodeDir(work, top, host);
  const out = path.join(dir, file);
  await tarCreate(work, [top], out, gzip);
  rmSync(work, { recursive: true, force: true });
  return out;
}

// ---- hand-made ustar ---------------------------------------------------------------------------

export interface RawEntry {
  name: string | Buffer;
  /** typeflag: '0' file, '1' hard link, '2' symlink, '3' char dev, '4' block dev, '5' dir, '6' fifo, ... */
  type?: string;
  data?: string | Buffer;
  linkname?: string;
  /** corrupt the header checksum */
  badChecksum?: boolean;
  /** pax extended header records placed before this entry */
  pax?: Record<string, string>;
  /** declared size when it must differ from the data length */
  size?: number;
}

function octal(buf: Buffer, off: number, len: number, value: number): void {
  buf.write(value.toString(8).padStart(len - 1, '0') + '\0', off, len, 'latin1');
}

export function tarHeader(name: Buffer, type: string, size: number, linkname = '', badChecksum = false): Buffer {
  if (name.length > 100) throw new Error('name too long for a plain header');
  const b = Buffer.alloc(512);
  name.copy(b, 0);
  octal(b, 100, 8, type === '5' ? 0o755 : 0o644);
  octal(b, 108, 8, 0);
  octal(b, 116, 8, 0);
  octal(b, 124, 12, size);
  octal(b, 136, 12, 1795670000);
  b.write(type, 156, 1, 'latin1');
  b.write(linkname, 157, 100, 'utf8');
  b.write('ustar\u000000', 257, 8, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  if (badChecksum) sum += 1;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return b;
}

function pad(data: Buffer): Buffer {
  const rest = data.length % 512;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rest)]);
}

function paxBody(records: Record<string, string>): Buffer {
  let out = '';
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(body) + 1;
    while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
    out += `${len}${body}`;
  }
  return Buffer.from(out);
}

/** A tar archive built byte by byte (with the two final zero blocks unless `noEnd`). */
export function rawTar(entries: RawEntry[], noEnd = false): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.pax) {
      const body = paxBody(e.pax);
      parts.push(tarHeader(Buffer.from('PaxHeader/x'), 'x', body.length), pad(body));
    }
    const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
    const name = typeof e.name === 'string' ? Buffer.from(e.name) : e.name;
    parts.push(tarHeader(name, e.type ?? '0', e.size ?? data.length, e.linkname ?? '', e.badChecksum ?? false));
    if (data.length > 0) parts.push(pad(data));
  }
  if (!noEnd) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** rawTar entries of a valid node bundle under `top/`. */
export function rawNodeEntries(host: string, top = `flannel-diag-${host}`): RawEntry[] {
  const out: RawEntry[] = [{ name: `${top}/`, type: '5' }];
  for (const [rel, data] of Object.entries(nodeFiles(host))) out.push({ name: `${top}/${rel}`, data });
  return out;
}

export const gz = (b: Buffer): Buffer => gzipSync(b);

// ---- reading -----------------------------------------------------------------------------------

export async function readAll(paths: string[], caps: Partial<ReadCaps> = {}): Promise<ReadItem[]> {
  const items: ReadItem[] = [];
  for await (const it of readInputs(paths, { ...DEFAULT_CAPS, ...caps })) items.push(it);
  return items;
}

export function bundles(items: ReadItem[]): NodeBundle[] {
  return items.flatMap((i) => (i.kind === 'bundle' ? [i.bundle] : []));
}

export function only(items: ReadItem[]): ReadItem {
  if (items.length !== 1) throw new Error(`expected 1 item, got ${items.length}: ${JSON.stringify(items.map(summary))}`);
  return items[0];
}

export function onlyBundle(items: ReadItem[]): NodeBundle {
  const it = only(items);
  if (it.kind !== 'bundle') throw new Error(`expected a bundle, got ${JSON.stringify(summary(it))}`);
  return it.bundle;
}

/** A compact, comparable view of an item. */
export function summary(it: ReadItem): Record<string, unknown> {
  if (it.kind === 'bundle') {
    return {
      kind: 'bundle',
      input: it.bundle.input,
      host: it.bundle.manifest.host.hostname,
      incomplete: it.bundle.incomplete,
      problems: it.bundle.problems.map((p) => p.kind),
    };
  }
  return { kind: 'failure', input: it.input, problems: it.problems.map((p) => p.kind) };
}

export function fileKeys(b: NodeBundle): string[] {
  return [...b.files.keys()].sort();
}
