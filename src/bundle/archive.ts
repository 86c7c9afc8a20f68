// Stream one tar or tar.gz (a file on disk, or a member of a bundle set held in memory) into a Container.
//
// Why: archives are UNTRUSTED uploads. tar@7's Parser is used only as a header/body splitter: nothing is
// extracted, nothing touches the filesystem except reading the input. We do the gunzip ourselves (gzip
// detected by its magic bytes, never by the name) so that every cap is checked: an archive that inflates
// within the caps (and within WHOLE_INFLATE_MAX) is inflated in one call, anything else is streamed with
// the caps checked per chunk, so a decompression bomb is stopped after about 1 MiB, not inflated. Every entry name and type is checked
// before its bytes are kept; anything that is not a regular file or directory is recorded and dropped.
// Parser warnings (bad checksum, unrecognized format, truncated input) are treated as damage: what was
// read completely before it is kept. No stream error can escape: all of them end up as problems.
import { createReadStream, readFileSync, readSync } from 'node:fs';
import { closeQuietly, openRegularFile } from './files.js';
import { Readable, pipeline } from 'node:stream';
import { createGunzip, gunzipSync, type Gunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { checkEntryName, escapeName, oneLine } from './names.js';
import {
  CAP_FLAGS,
  insertNode,
  newContainer,
  pruneIncomplete,
  tripCap,
  type Budget,
  type Container,
  type VFile,
} from './tree.js';
import type { ReadProblem } from './types.js';

const CHUNK = 64 * 1024;
/**
 * Output chunk of the gunzip stream. zlib's default (16 KiB) costs a thread-pool round trip and a stream
 * turn per 16 KiB: measured 7.2 ms per 1.3 MiB bundle against 3.3 ms with 256 KiB. The caps are still
 * checked per chunk, so a bomb stops within one chunk of them.
 */
const INFLATE_CHUNK = 256 * 1024;
/** The ratio cap is checked only once this much was inflated (small archives have odd ratios). */
const RATIO_GRACE_BYTES = 1024 * 1024;
/**
 * A gzip archive whose inflated size stays under this (and under the caps) is inflated in one synchronous
 * call: no stream, no thread-pool round trips (measured per 1.3 MiB bundle: see docs/performance.md). A
 * larger one, a damaged one or one that hits a cap is read by the stream, which stops exactly at the cap;
 * what the one call inflated before giving up is bounded by this, so a bomb costs little here. Two
 * differences from the stream, both bounded by this size: the ratio cap is judged over the whole archive
 * (the stream judges every chunk, so a very repetitive start followed by dense data was cut there), and
 * bytes after the tar's end inside the gzip count toward the total cap.
 */
const WHOLE_INFLATE_MAX = 32 * 1024 * 1024;

/**
 * Where an archive is read from: a path (`member`: found by listing a directory input, so a symbolic link
 * there is not followed: the user named the directory, not what a link in it points to) or bytes already
 * in memory (an archive inside an archive).
 */
export type ArchiveSource = { path: string | Buffer; member?: boolean } | { buffer: Buffer };

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

function typeReason(type: string, linkpath: string | undefined): string {
  switch (type) {
    case 'SymbolicLink':
      return `symbolic link${linkpath ? ` to ${escapeName(linkpath)}` : ''}`;
    case 'Link':
      return `hard link${linkpath ? ` to ${escapeName(linkpath)}` : ''}`;
    case 'CharacterDevice':
      return 'character device';
    case 'BlockDevice':
      return 'block device';
    case 'FIFO':
      return 'FIFO';
    default:
      return `unsupported entry type ${escapeName(type)}`;
  }
}

/** The gzip's bytes inflated in one call, or null when that is more than `limit` bytes or not valid gzip. */
function inflateWhole(gz: Buffer, limit: number): Buffer | null {
  if (limit < 0) return null;
  try {
    // a gzip ends with its inflated size (mod 2^32): an output buffer one byte larger takes it all at once,
    // with no second buffer and no copy joining them. A wrong size (not one member, or a lie) only costs
    // that copy: the limit is enforced by zlib either way.
    const size = gz.length >= 18 ? gz.readUInt32LE(gz.length - 4) : 0;
    // a stated size over the limit goes straight to the stream (a wrong one costs only this shortcut)
    if (size > limit) return null;
    const chunkSize = Math.min(Math.max(size + 1, CHUNK), Math.max(limit, 1) + 1);
    return gunzipSync(gz, { maxOutputLength: Math.max(limit, 1), chunkSize });
  } catch {
    return null; // the stream reads it again, and reports the damage or trips the cap exactly
  }
}

function* slices(buf: Buffer): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += CHUNK) yield buf.subarray(i, i + CHUNK);
}

/** `label: cannot read (permission denied)`, or `label: cannot read some/file (...)` with a subject. */
export function ioMessage(label: string, err: unknown, subject?: string): string {
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : null;
  const what =
    code === 'ENOENT' ? 'no such file or directory'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EISDIR' ? 'is a directory'
    : code === 'ELOOP' ? 'is a symbolic link'
    : oneLine(String(e?.message ?? err), 200);
  const which = subject ? ` ${escapeName(subject)}` : '';
  return `${label}: cannot read${which} (${what}${code && !what.includes(code) ? `, ${code}` : ''})`;
}

function problem(label: string, kind: ReadProblem['kind'], message: string): ReadProblem {
  return { input: label, kind, message };
}

/** The whole file, or null when reading it fails part-way (the stream then reads what it can). */
function readWhole(fd: number): Buffer | null {
  try {
    return readFileSync(fd);
  } catch {
    return null;
  }
}

/**
 * Read one archive into a Container. Never throws: I/O errors, damage and cap hits are recorded on the
 * container (`fatal` when nothing could be read at all, `stop` when reading was cut).
 */
export async function readArchive(label: string, source: ArchiveSource, budget: Budget): Promise<Container> {
  const c = newContainer(label, 'archive');
  const caps = budget.caps;

  // ---- open and sniff --------------------------------------------------------------------------
  let raw: Readable | null = null;
  /** the whole compressed archive, when it is small enough to be inflated in one call */
  let whole: Buffer | null = null;
  let head: Buffer;
  if ('buffer' in source) {
    head = source.buffer.subarray(0, 2);
    whole = source.buffer;
  } else {
    // Synchronous calls: a small archive is opened, read and closed in well under a millisecond, where
    // each awaited call was a round trip through libuv's thread pool that left the reading thread idle
    // (measured: a worker idle ~1 ms per archive, 7% of its time). On a worker nothing else waits; on the
    // main thread (few inputs) the read happens before anything else there needs it. A stalled
    // filesystem (a hung network mount) stalls the reading thread either way.
    let fd: number | null = null;
    try {
      const opened = openRegularFile(source.path, !source.member);
      if (opened === null) {
        c.fatal = problem(label, 'not-a-bundle', `${label}: not a regular file or directory`);
        return c;
      }
      fd = opened.fd;
      const st = opened.st;
      // a file that states its size (not procfs and the like) and is small enough is read whole; if that
      // read fails part-way, the stream below reads it again and keeps what comes before the failure
      if (st.size > 0 && st.size <= WHOLE_INFLATE_MAX) whole = readWhole(fd);
      if (whole !== null) head = whole.subarray(0, 2);
      else {
        const b = Buffer.alloc(2);
        head = b.subarray(0, readSync(fd, b, 0, 2, 0));
        raw = createReadStream('', { fd, start: 0, highWaterMark: CHUNK, autoClose: true });
        fd = null; // the stream's now
      }
    } catch (err) {
      c.fatal = problem(label, 'io', ioMessage(label, err));
      return c;
    } finally {
      if (fd !== null) closeQuietly(fd);
    }
  }
  if (head.length === 0) {
    raw?.destroy();
    c.fatal = problem(label, 'not-a-bundle', `${label}: empty file (not a tar or tar.gz archive)`);
    return c;
  }
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;

  // ---- the tar parser --------------------------------------------------------------------------
  let validEntries = 0;
  let damage: string | null = null;
  const stopped = (): boolean => c.stop !== null || c.fatal !== null || damage !== null;
  const capHit = (cap: Parameters<typeof tripCap>[2], message: string): void => {
    if (!c.stop) c.stop = tripCap(budget, label, cap, message);
  };
  // normalized paths of rejected non-directory entries: nothing may live "through" them
  const blocked = new Map<string, string>();
  const through = (parts: string[]): string | null => {
    if (blocked.size === 0) return null;
    for (let i = 1; i < parts.length; i++) {
      const t = blocked.get(parts.slice(0, i).join('/'));
      if (t) return t;
    }
    return null;
  };
  const reject = (rawName: string, type: string, reason: string, parts: string[]): void => {
    c.rejected.push({ value: { input: label, name: escapeName(rawName), type, reason }, parts, claimed: false });
  };
  const countEntry = (): boolean => {
    budget.entries++;
    if (budget.entries > caps.maxEntries) {
      capHit('maxEntries', `${label}: stopped at ${budget.entries} entries (cap ${CAP_FLAGS.maxEntries} ${caps.maxEntries})`);
      return false;
    }
    return true;
  };

  const parser = new Parser({ strict: false, zstd: false, brotli: false });
  parser.on('warn', (code: string, message: string | Error) => {
    if (damage === null) damage = `${code}: ${oneLine(String(message instanceof Error ? message.message : message), 200)}`;
  });
  parser.on('error', (err: unknown) => {
    if (damage === null) damage = oneLine(String((err as Error)?.message ?? err), 200);
  });
  // After the end-of-archive marker tar@7 keeps appending whatever it is given to one buffer
  // (Buffer.concat per chunk: quadratic). Trailing bytes are ignored, as GNU tar does: stop there.
  let sawEof = false;
  parser.on('eof', () => {
    sawEof = true;
  });
  parser.on('ignoredEntry', (entry: ReadEntry) => {
    entry.resume();
    if (stopped()) return;
    validEntries++;
    if (!countEntry()) return;
    const chk = checkEntryName(entry.path ?? '');
    if (chk.ok && chk.path !== '' && !entry.meta) blocked.set(chk.path, String(entry.type));
    const reason = entry.meta ? 'oversized extended header (ignored)' : typeReason(String(entry.type), undefined);
    reject(entry.path ?? '', String(entry.type), reason, chk.parts);
  });
  parser.on('entry', (entry: ReadEntry) => {
    if (stopped()) {
      entry.resume();
      return;
    }
    validEntries++;
    if (!countEntry()) {
      entry.resume();
      return;
    }
    const rawName = entry.path;
    // The header's typeflag decides; a pax `type` record may rename entry.type, never accept that.
    const type = String(entry.header?.type ?? entry.type);
    const chk = checkEntryName(rawName);
    if (!chk.ok) {
      reject(rawName, type, chk.reason, chk.parts);
      entry.resume();
      return;
    }
    const via = through(chk.parts);
    if (via) {
      reject(rawName, type, `path goes through a rejected ${via} entry`, chk.parts);
      entry.resume();
      return;
    }
    if (String(entry.type) !== type) {
      blocked.set(chk.path, type);
      reject(rawName, type, `entry type changed by an extended header (${escapeName(String(entry.type))})`, chk.parts);
      entry.resume();
      return;
    }
    if (type === 'Directory') {
      entry.resume();
      if (chk.path === '') return; // `./`: the archive root itself
      const why = insertNode(c.root, chk.parts, { kind: 'dir', children: new Map(), explicit: true });
      if (why) reject(rawName, type, why, chk.parts);
      return;
    }
    if (!FILE_TYPES.has(type)) {
      blocked.set(chk.path, type);
      reject(rawName, type, typeReason(type, entry.linkpath), chk.parts);
      entry.resume();
      return;
    }
    if (chk.path === '') {
      reject(rawName, type, 'empty name', chk.parts);
      entry.resume();
      return;
    }
    if (entry.size > caps.maxFileBytes) {
      capHit(
        'maxFileBytes',
        `${label}: stopped at ${escapeName(rawName)} of ${entry.size} bytes (cap ${CAP_FLAGS.maxFileBytes} ${caps.maxFileBytes})`,
      );
      entry.resume();
      return;
    }
    const node: VFile = { kind: 'file', size: entry.size };
    const why = insertNode(c.root, chk.parts, node);
    if (why) {
      reject(rawName, type, why, chk.parts);
      entry.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let got = 0;
    const expected = entry.size;
    entry.on('data', (b: Buffer) => {
      got += b.length;
      if (got <= expected) chunks.push(b);
    });
    entry.on('end', () => {
      // a truncated archive ends the entry early: such a file is dropped, not kept half-read
      // a file inside one chunk of the stream is that chunk's slice (nothing reuses the chunk): no copy
      if (got === expected && c.fatal === null) node.data = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, got);
    });
    entry.on('error', () => undefined);
  });

  // ---- stream --------------------------------------------------------------------------------------
  const totalCapHit = (): void =>
    capHit('maxTotalBytes', `${label}: stopped after ${caps.maxTotalBytes} bytes decompressed (cap ${CAP_FLAGS.maxTotalBytes} ${caps.maxTotalBytes})`);
  let inflated = 0;
  let pending: Buffer | null = Buffer.alloc(0); // the first bytes fed to tar, until 2 are known
  /** Feeds one decompressed chunk to tar, checking the caps; true when reading must stop. */
  const feed = (chunk: Buffer, compressed: number | null): boolean => {
    let data = chunk;
    inflated += data.length;
    const room = caps.maxTotalBytes - budget.bytes;
    // feed exactly up to the cap, so that what fits is still read; the cap is tripped after that
    // is fed (a tripped cap makes the parser drop every entry it meets)
    const overTotal = data.length > room;
    if (overTotal) data = data.subarray(0, Math.max(room, 0));
    budget.bytes += data.length;
    // the total cap comes first, as when it was tripped before this check: what fits is still read
    if (compressed !== null && !c.stop && !overTotal && inflated > RATIO_GRACE_BYTES) {
      const ratio = inflated / Math.max(compressed, 1);
      if (ratio > caps.maxRatio) {
        capHit(
          'maxRatio',
          `${label}: stopped after ${inflated} bytes decompressed from ${Math.max(compressed, 1)} (ratio ${Math.round(ratio)}, cap ${CAP_FLAGS.maxRatio} ${caps.maxRatio})`,
        );
        return true;
      }
    }
    if (pending !== null) {
      if (pending.length > 0) data = Buffer.concat([pending, data]);
      if (data.length < 2) {
        pending = data;
        if (overTotal) totalCapHit();
        return stopped();
      }
      pending = null;
      // tar would silently inflate a second gzip layer behind our back (and behind the ratio cap)
      if (data[0] === 0x1f && data[1] === 0x8b) {
        c.fatal = problem(label, 'not-a-bundle', `${label}: not a tar or tar.gz archive (gzip inside gzip)`);
        return true;
      }
    }
    if (data.length > 0) parser.write(data);
    if (overTotal) totalCapHit();
    return stopped() || sawEof;
  };
  const finish = (): void => {
    if (!stopped()) {
      if (pending !== null && pending.length > 0) parser.write(pending);
      parser.end();
    }
  };
  let streamError: unknown = null;
  const inflatedWhole = whole !== null && gzip ? inflateWhole(whole, Math.min(caps.maxTotalBytes - budget.bytes, WHOLE_INFLATE_MAX, Math.max(RATIO_GRACE_BYTES, caps.maxRatio * whole.length))) : null;
  if (whole !== null && (!gzip || inflatedWhole !== null)) {
    // in memory already: a plain tar, or a gzip that inflated within the caps in one call
    try {
      if (inflatedWhole !== null) {
        // one piece: every file is a slice of it, none is copied (the inflate kept within the caps)
        feed(inflatedWhole, whole.length);
      } else {
        // a plain tar as read from a file: in chunks, so that bytes after its end are neither read nor counted
        for (const slice of slices(whole)) if (feed(slice, null)) break;
      }
      finish();
    } catch (err) {
      streamError = err;
    }
  } else {
    const input = raw ?? Readable.from(slices(whole!));
    let gz: Gunzip | null = null;
    let stream: Readable = input;
    if (gzip) {
      gz = createGunzip({ chunkSize: INFLATE_CHUNK });
      pipeline(input, gz, () => undefined); // errors arrive through the iteration below
      stream = gz;
    }
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) if (feed(chunk, gz ? gz.bytesWritten : null)) break;
      finish();
    } catch (err) {
      streamError = err;
    } finally {
      stream.destroy();
      input.destroy();
    }
  }

  // ---- outcome -------------------------------------------------------------------------------------
  pruneIncomplete(c.root);
  if (c.fatal) return c;
  if (streamError !== null) {
    const e = streamError as NodeJS.ErrnoException;
    const isZlib = typeof e?.code === 'string' && e.code.startsWith('Z_');
    if (isZlib) {
      c.stop = problem(label, 'damaged', `${label}: damaged gzip data (${oneLine(String(e.message), 200)}); read stopped after ${validEntries} entries`);
    } else if (validEntries === 0) {
      c.fatal = problem(label, 'io', ioMessage(label, e));
    } else {
      c.stop = problem(label, 'io', ioMessage(label, e));
    }
    return c;
  }
  if (c.stop) return c; // a cap
  if (damage !== null) {
    if (validEntries === 0) {
      c.fatal = problem(label, 'not-a-bundle', `${label}: not a tar or tar.gz archive`);
    } else {
      c.stop = problem(label, 'damaged', `${label}: damaged archive (${damage}); read stopped after ${validEntries} entries`);
    }
  }
  return c;
}
