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
    for (const piece of typeof content === 'string' ? [content] : content) writeSync(fd, piece);
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
