// A ustar writer for the bench archives. fixtures/lib/tar.mjs lays archives out the same way (sorted
// entries, derived directories, one mtime) but compresses at level 9, which costs ~90 ms per 1.5 MB
// bundle; the collector's `tar -czf` uses gzip's default level 6, which is also ~9 times faster to write.
import { gzipSync } from 'node:zlib';

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, dir: boolean, mtime: number): Buffer {
  const h = Buffer.alloc(512, 0);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 154);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new Error(`path too long for ustar: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  h.write(base, 0, 100, 'utf8');
  h.write(octal(dir ? 0o755 : 0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtime, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(dir ? '5' : '0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** `files`: path below `top` -> bytes. Returns the .tar.gz. */
export function tarGz(files: Map<string, Buffer>, top: string, mtime: number): Buffer {
  const entries = new Map<string, Buffer | null>([[`${top}/`, null]]);
  for (const [p, data] of files) {
    const parts = p.split('/');
    for (let k = 1; k < parts.length; k++) entries.set(`${top}/${parts.slice(0, k).join('/')}/`, null);
    entries.set(`${top}/${p}`, data);
  }
  const chunks: Buffer[] = [];
  for (const name of [...entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const data = entries.get(name)!;
    if (data === null) {
      chunks.push(header(name, 0, true, mtime));
      continue;
    }
    chunks.push(header(name, data.length, false, mtime), data);
    const pad = (512 - (data.length % 512)) % 512;
    if (pad) chunks.push(Buffer.alloc(pad, 0));
  }
  chunks.push(Buffer.alloc(1024, 0));
  return gzipSync(Buffer.concat(chunks), { level: 6 });
}
