// Shared pieces of the parser tests: cutting one command's output out of a transcript sample, and
// hostile inputs every parser must survive quickly.
import assert from 'node:assert/strict';

/**
 * The output lines after the `$ …` line containing `marker`, up to the next `$ ` line or `rc=` line.
 * Transcript samples hold several commands; the bundle file holds one command's output.
 */
export function section(text: string, marker: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('$ ') && l.includes(marker));
  assert.notEqual(start, -1, `no section ${marker}`);
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.startsWith('$ ') || l.startsWith('rc=')) break;
    out.push(l);
  }
  return out.join('\n') + '\n';
}

/** Removes trailing `rc=N` lines that transcripts append (not part of the command's output). */
export function withoutRc(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^rc=\d+/.test(l))
    .join('\n');
}

/** Deterministic pseudo-random bytes decoded as UTF-8 (invalid sequences become U+FFFD, as a reader would). */
export function randomText(bytes: number, seed = 42): string {
  const buf = Buffer.alloc(bytes);
  let x = seed >>> 0;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0xff;
  }
  return buf.toString('utf8');
}

/** Hostile inputs: a 1 MB line, 1 MB of random bytes, deep nesting, an unterminated string, NULs. */
export const HOSTILE: readonly [string, string][] = [
  ['1 MB line', 'a'.repeat(1 << 20)],
  ['1 MB line of digits and colons', '1:'.repeat(1 << 19)],
  ['1 MB random bytes', randomText(1 << 20)],
  ['200k nested brackets', '['.repeat(200_000)],
  ['deep object', '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)],
  ['unterminated string', '{"key":"' + 'x'.repeat(1 << 20)],
  ['many short lines', 'x = \n'.repeat(200_000)],
  ['NUL bytes', '\0'.repeat(1 << 16)],
];

/**
 * Runs `parse` on every hostile input: it must not throw and must finish within `budgetMs`. The budget
 * is a hang guard, not a speed target (those live in `npm run bench`): catastrophic backtracking or a
 * quadratic loop on these 1 MB inputs takes minutes, a linear parser well under a second even on a
 * loaded CI machine. Returns the results for further checks.
 */
export function survivesHostile<T>(parse: (text: string) => T, budgetMs = 20_000): T[] {
  const results: T[] = [];
  for (const [name, text] of HOSTILE) {
    const t0 = performance.now();
    let r: T;
    try {
      r = parse(text);
    } catch (e) {
      assert.fail(`${name}: threw ${String(e)}`);
    }
    const ms = performance.now() - t0;
    assert.ok(ms < budgetMs, `${name}: took ${ms.toFixed(0)} ms`);
    results.push(r);
  }
  return results;
}
