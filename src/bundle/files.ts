// Opening a file of an input for reading, in one place for archives (archive.ts) and the files of
// directory inputs (dirtree.ts): how it is opened, and that it must be a regular file. Synchronous calls:
// see readArchive.
import { closeSync, constants, fstatSync, openSync, type Stats } from 'node:fs';

/**
 * The open file and its stat, or null when `path` is not a regular file (a FIFO, a device, a directory;
 * the descriptor is closed then). O_NONBLOCK: a FIFO opens at once and is refused here, where a blocking
 * open would wait for a writer; reads of regular files ignore the flag. `followLinks` false: O_NOFOLLOW,
 * for paths found by listing a directory (only a path the user named may be a link). Throws on I/O errors.
 */
export function openRegularFile(path: string | Buffer, followLinks: boolean): { fd: number; st: Stats } | null {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (followLinks ? 0 : constants.O_NOFOLLOW));
  let st: Stats;
  try {
    st = fstatSync(fd);
  } catch (e) {
    closeQuietly(fd);
    throw e;
  }
  if (st.isFile()) return { fd, st };
  closeQuietly(fd);
  return null;
}

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    /* the file was only read: a failed close loses nothing */
  }
}
