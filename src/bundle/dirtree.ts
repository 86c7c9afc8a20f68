// Walk a directory input (one node bundle, or a bundle set unpacked by the user) into a Container.
//
// Why: a directory is as UNTRUSTED as an archive (it usually is an archive someone unpacked). Symbolic
// links inside it are never followed (lstat-style dirents; files are opened with O_NOFOLLOW and checked
// again with fstat, so a file swapped for a link or a FIFO after the walk is refused, and O_NONBLOCK keeps
// a FIFO from blocking us). Only the top-level path the user named may itself be a symlink: that is the
// user's choice. The walk only records names and sizes; bytes are read when the bundle holding them is
// materialized, one bundle at a time, under the same caps as archives.
import { lstatSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { ioMessage } from './archive.js';
import { closeQuietly, openRegularFile } from './files.js';
import { checkDirentName, escapeName } from './names.js';
import { CAP_FLAGS, insertNode, newContainer, newDir, tripCap, type Budget, type Container, type VFile } from './tree.js';
import type { ReadProblem } from './types.js';

const SLASH = Buffer.from('/');

function direntType(d: Dirent<Buffer>): { type: string; reason: string } {
  if (d.isSymbolicLink()) return { type: 'SymbolicLink', reason: 'symbolic link' };
  if (d.isFIFO()) return { type: 'FIFO', reason: 'FIFO' };
  if (d.isCharacterDevice()) return { type: 'CharacterDevice', reason: 'character device' };
  if (d.isBlockDevice()) return { type: 'BlockDevice', reason: 'block device' };
  if (d.isSocket()) return { type: 'Socket', reason: 'socket' };
  return { type: 'Unknown', reason: 'unsupported file type' };
}

/**
 * Walk `dirPath` (names and sizes only). Never throws. Synchronous, as archives are read (archive.ts): an
 * awaited call per directory entry was a thread-pool round trip each.
 */
export function readDirectory(label: string, dirPath: string, budget: Budget): Container {
  const c = newContainer(label, 'directory');
  const caps = budget.caps;
  const stack: { disk: Buffer; parts: string[] }[] = [{ disk: Buffer.from(dirPath), parts: [] }];
  while (stack.length > 0) {
    const { disk, parts } = stack.pop()!;
    let dirents: Dirent<Buffer>[];
    try {
      dirents = readdirSync(disk, { withFileTypes: true, encoding: 'buffer' });
    } catch (err) {
      if (parts.length === 0) {
        c.fatal = { input: label, kind: 'io', message: ioMessage(label, err) };
        return c;
      }
      c.notes.push({ value: { input: label, kind: 'io', message: ioMessage(label, err, parts.join('/')) }, parts, claimed: false });
      continue;
    }
    dirents.sort((a, b) => Buffer.compare(a.name, b.name));
    for (const d of dirents) {
      budget.entries++;
      if (budget.entries > caps.maxEntries) {
        c.stop = tripCap(budget, label, 'maxEntries', `${label}: stopped at ${budget.entries} entries (cap ${CAP_FLAGS.maxEntries} ${caps.maxEntries})`);
        return c;
      }
      // Non-UTF-8 names are decoded lossily for display and as keys; the raw bytes are kept to open them.
      const name = d.name.toString('utf8');
      const childParts = [...parts, name];
      const shown = childParts.join('/');
      const rec = (type: string, reason: string): void => {
        c.rejected.push({ value: { input: label, name: escapeName(shown), type, reason }, parts: childParts, claimed: false });
      };
      const bad = checkDirentName(name);
      if (bad) {
        rec(d.isDirectory() ? 'Directory' : d.isFile() ? 'File' : direntType(d).type, bad);
        continue;
      }
      const childDisk = Buffer.concat([disk, SLASH, d.name]);
      if (d.isDirectory()) {
        const dir = newDir(true);
        const why = insertNode(c.root, childParts, dir);
        if (why) rec('Directory', why);
        else stack.push({ disk: childDisk, parts: childParts });
      } else if (d.isFile()) {
        let size = 0;
        try {
          size = lstatSync(childDisk).size;
        } catch {
          size = 0; // reported when it is read
        }
        const why = insertNode(c.root, childParts, { kind: 'file', size, disk: childDisk });
        if (why) rec('File', why);
      } else {
        const t = direntType(d);
        let reason = t.reason;
        if (t.type === 'SymbolicLink') {
          try {
            reason += ` to ${escapeName(readlinkSync(childDisk).toString())}`;
          } catch {
            /* the target is only for display */
          }
        }
        rec(t.type, reason);
      }
    }
  }
  return c;
}

export type LoadResult = { data: Buffer } | { problem: ReadProblem };

/**
 * Read one file of a directory input, under the caps. Refuses anything that is not a regular file at
 * the time it is opened (no symlink following, no FIFOs). The caller stops calling after a cap hit.
 */
export function loadDiskFile(file: VFile, label: string, shownName: string, budget: Budget): LoadResult {
  const caps = budget.caps;
  let fd: number | null = null;
  try {
    const opened = openRegularFile(file.disk!, false);
    if (opened === null) {
      return { problem: { input: label, kind: 'io', message: `${label}: ${escapeName(shownName)} is not a regular file any more` } };
    }
    fd = opened.fd;
    const st = opened.st;
    const limit = caps.maxFileBytes;
    const chunks: Buffer[] = [];
    let total = 0;
    const tooBig = (n: number): LoadResult => ({
      problem: tripCap(budget, label, 'maxFileBytes', `${label}: stopped at ${escapeName(shownName)} of ${n} bytes (cap ${CAP_FLAGS.maxFileBytes} ${limit})`),
    });
    if (st.size > limit) return tooBig(st.size);
    for (;;) {
      const want = Math.min(Math.max(st.size - total, 0) + 1, limit + 1 - total, 1024 * 1024);
      const buf = Buffer.alloc(Math.max(want, 1));
      const bytesRead = readSync(fd, buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limit) return tooBig(total);
    }
    budget.bytes += total;
    if (budget.bytes > caps.maxTotalBytes) {
      return {
        problem: tripCap(budget, label, 'maxTotalBytes', `${label}: stopped after ${budget.bytes} bytes (cap ${CAP_FLAGS.maxTotalBytes} ${caps.maxTotalBytes})`),
      };
    }
    return { data: Buffer.concat(chunks, total) };
  } catch (err) {
    return { problem: { input: label, kind: 'io', message: ioMessage(label, err, shownName) } };
  } finally {
    if (fd !== null) closeQuietly(fd);
  }
}
