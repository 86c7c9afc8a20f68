// Facts leave the place they were built as a copy that holds nothing else: on a worker thread they are
// cloned to the main thread; on the main thread (one input, or a bundle set read as one input) they are
// cloned the same way. Why: a string a parser slices out of a file (a log line, a device name) keeps the
// whole file's text alive in V8, so facts built in place held ~1 MiB of text per node (measured: 1.1 GiB
// for 1,000 nodes on one thread, 72 MiB once cloned).
/**
 * Structured cloning gives every object Object.prototype, but facts use null-prototype records for
 * maps keyed by untrusted names (an interface called `constructor` must not find Object's). The sender
 * numbers the objects of a message depth-first and lists the null-prototype ones; the receiver walks
 * its clone in the same order (same keys, same order, same sharing) and restores them.
 */
export function nullPrototypeIndexes(root: unknown): number[] {
  const out: number[] = [];
  walk(root, (o, i) => {
    if (Object.getPrototypeOf(o) === null) out.push(i);
  });
  return out;
}

/**
 * Equal strings received from a worker, kept once. Structured cloning copies every string it meets, so
 * the input path in each piece of evidence, `ok`, file names and repeated log lines arrived as tens of
 * thousands of copies: measured, most of the heap the facts of a large cluster took.
 */
export type StringPool = Map<string, string>;

/**
 * Longer strings (log lines with their own timestamps) are rarely repeated across nodes: they are shared
 * only within one message (a log event's text and its evidence excerpt are one string before cloning).
 */
const POOLED_STRING_MAX = 160;

/** Puts back the null prototypes of a received message and, with a pool, shares its equal strings. */
export function restoreNullPrototypes(root: unknown, indexes: number[], strings?: StringPool): void {
  if (indexes.length === 0 && !strings) return;
  const want = new Set(indexes);
  const local: StringPool = new Map();
  const intern = strings
    ? (s: string): string => {
        const pool = s.length > POOLED_STRING_MAX ? local : strings;
        const known = pool.get(s);
        if (known !== undefined) return known;
        pool.set(s, s);
        return s;
      }
    : undefined;
  walk(
    root,
    (o, i) => {
      if (want.has(i)) Object.setPrototypeOf(o, null);
    },
    intern,
  );
}

/**
 * Depth-first over every object reachable from `root`, each once, numbered in visiting order. With
 * `intern`, string values of arrays and plain objects are replaced by what it returns.
 */
function walk(root: unknown, visit: (o: object, index: number) => void, intern?: (s: string) => string): void {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    visit(v, seen.size - 1);
    if (ArrayBuffer.isView(v)) continue;
    // children are pushed last to first, so that they are visited first to last (the same order on both
    // sides of a message is all that matters); strings are interned in place, never pushed
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        const x: unknown = v[i];
        if (typeof x === 'string') {
          if (intern) v[i] = intern(x);
        } else if (x !== null && typeof x === 'object') stack.push(x);
      }
    } else if (v instanceof Map) {
      const kv = [...v].flat();
      for (let i = kv.length - 1; i >= 0; i--) stack.push(kv[i]);
    } else if (v instanceof Set) {
      const xs = [...v];
      for (let i = xs.length - 1; i >= 0; i--) stack.push(xs[i]);
    } else {
      const rec = v as Record<string, unknown>;
      const keys = Object.keys(rec);
      for (let i = keys.length - 1; i >= 0; i--) {
        const x = rec[keys[i]];
        if (typeof x === 'string') {
          if (intern) rec[keys[i]] = intern(x);
        } else if (x !== null && typeof x === 'object') stack.push(x);
      }
    }
  }
}

/** A copy of `value` that shares nothing with it (strings included), null prototypes kept, equal strings pooled. */
export function detached<T>(value: T, strings: StringPool): T {
  const indexes = nullPrototypeIndexes(value);
  const copy = structuredClone(value);
  restoreNullPrototypes(copy, indexes, strings);
  return copy;
}
