// Writing outputs: atomically (a temporary file beside the target, then rename), so a failure never
// leaves half a report behind.
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Writes `content` (one string, or pieces written one after the other) to `file` atomically. */
export function writeAtomic(file: string, content: string | Iterable<string>, mode = 0o644): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', mode);
    for (const piece of typeof content === 'string' ? [content] : content) {
      // writeSync may write less than it is given (a full disk): go on until every byte is written,
      // so that what is renamed into place is never a cut report
      const bytes = Buffer.from(piece, 'utf8');
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    }
    closeSync(fd);
    fd = null;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing was written */
    }
    throw e;
  }
}
