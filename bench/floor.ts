// The decompression floor: one process, one thread, gunzip and tar-list every entry of every archive
// (bodies read and dropped, nothing parsed): about what `gzip -dc` costs, done the way Node can do it.
// Usage: node dist/bench/floor.js DIR  ->  one JSON line {ms, archives, entries, bytes}
import { createReadStream, readdirSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';

export async function floor(dir: string): Promise<{ ms: number; archives: number; entries: number; bytes: number }> {
  const names = readdirSync(dir).filter((f) => f.endsWith('.tar.gz')).sort();
  let entries = 0;
  let bytes = 0;
  const t0 = performance.now();
  for (const name of names) {
    const parser = new Parser({ strict: false });
    parser.on('entry', (e: ReadEntry) => {
      entries++;
      bytes += e.size;
      e.resume();
    });
    await pipeline(createReadStream(path.join(dir, name), { highWaterMark: 64 * 1024 }), createGunzip(), parser);
  }
  return { ms: performance.now() - t0, archives: names.length, entries, bytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  process.stdout.write(`${JSON.stringify(await floor(process.argv[2]))}\n`);
}
