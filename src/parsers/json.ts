// Safe JSON: a depth guard before JSON.parse (so hostile nesting cannot overflow a later recursive walk),
// error positions as line/column even where V8's message has none, int64 quoting for etcd, and typed
// accessors that only read own properties.
import type { JsonDoc, ParseIssue } from './types.js';
import { clip, issue } from './util.js';

export const MAX_JSON_DEPTH = 256;

type JsonObject = Record<string, unknown>;

/** Offset of the first bracket nested deeper than `max` (brackets inside strings excluded), or -1. */
export function findExcessDepth(text: string, max = MAX_JSON_DEPTH): number {
  // no more than `max` opening brackets in all (strings included): nothing can nest deeper. Counted with
  // the native search, a jump per bracket, where the walk below looks at every character (a manifest
  // has ~100 brackets in 10 KB)
  let brackets = 0;
  for (const open of ['{', '[']) {
    for (let i = text.indexOf(open); i !== -1 && brackets <= max; i = text.indexOf(open, i + 1)) brackets++;
  }
  if (brackets <= max) return -1;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return i;
    } else if ((c === 125 || c === 93) && depth > 0) depth--;
  }
  return -1;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

const isWs = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHex = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/**
 * Offset of the first JSON syntax error, or -1 when the text is valid. Only run after JSON.parse failed:
 * V8 reports `Unexpected token '}', "…" is not valid JSON` without a position. Iterative, linear.
 */
export function locateJsonError(text: string): number {
  const n = text.length;
  const stack: number[] = []; // 0: object, 1: array
  let i = 0;
  const skipWs = (): void => {
    while (i < n && isWs(text.charCodeAt(i))) i++;
  };
  const scanString = (): boolean => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return true;
      }
      if (c < 32) return false;
      if (c === 92) {
        const e = text.charCodeAt(i + 1);
        if (e === 117) {
          for (let k = 2; k < 6; k++) {
            if (!isHex(text.charCodeAt(i + k))) {
              i += k;
              return false;
            }
          }
          i += 6;
          continue;
        }
        // " \ / b f n r t
        if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) {
          i += 2;
          continue;
        }
        i++;
        return false;
      }
      i++;
    }
    return false;
  };
  const scanDigits = (): boolean => {
    const s = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    return i > s;
  };
  const scanNumber = (): boolean => {
    if (text.charCodeAt(i) === 45) i++;
    if (text.charCodeAt(i) === 48) i++;
    else if (!scanDigits()) return false;
    if (text.charCodeAt(i) === 46) {
      i++;
      if (!scanDigits()) return false;
    }
    const e = text.charCodeAt(i);
    if (e === 101 || e === 69) {
      i++;
      const s = text.charCodeAt(i);
      if (s === 43 || s === 45) i++;
      if (!scanDigits()) return false;
    }
    return true;
  };
  const scanKey = (): boolean => {
    skipWs();
    if (text.charCodeAt(i) !== 34 || !scanString()) return false;
    skipWs();
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    return true;
  };
  let expectValue = true;
  for (;;) {
    skipWs();
    if (expectValue) {
      if (i >= n) return i;
      const c = text.charCodeAt(i);
      if (c === 123 || c === 91) {
        i++;
        skipWs();
        if (text.charCodeAt(i) === (c === 123 ? 125 : 93)) {
          i++;
          expectValue = false;
          continue;
        }
        stack.push(c === 123 ? 0 : 1);
        if (c === 123 && !scanKey()) return i;
        continue;
      }
      if (c === 34) {
        if (!scanString()) return i;
      } else if (c === 45 || isDigit(c)) {
        if (!scanNumber()) return i;
      } else {
        const word = c === 116 ? 'true' : c === 102 ? 'false' : c === 110 ? 'null' : '';
        if (word === '') return i;
        for (let k = 0; k < word.length; k++) if (text.charCodeAt(i + k) !== word.charCodeAt(k)) return i + k;
        i += word.length;
      }
      expectValue = false;
      continue;
    }
    if (stack.length === 0) return i >= n ? -1 : i;
    const top = stack[stack.length - 1];
    const c = text.charCodeAt(i);
    if (c === 44) {
      i++;
      if (top === 0 && !scanKey()) return i;
      expectValue = true;
    } else if ((top === 0 && c === 125) || (top === 1 && c === 93)) {
      stack.pop();
      i++;
    } else {
      return i;
    }
  }
}

/** V8 messages quote the input (`"…" is not valid JSON`): keep only the description. */
function describeSyntaxError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const cut = msg.indexOf(', ');
  const base = cut !== -1 && msg.endsWith(' is not valid JSON') ? msg.slice(0, cut) : msg;
  return clip(base.replace(/ in JSON at position \d+.*$/, ''), 160);
}

/**
 * Parses one JSON document. Never throws. `file` is accepted for the uniform parser signature; turn the
 * result into issues with `jsonDocIssues`.
 */
export function parseJsonDoc(text: string, _file?: string): JsonDoc {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const body = bom ? text.slice(1) : text;
  if (body.trim() === '') return { value: null, error: { message: 'empty document', line: 1, column: 1 } };
  const deep = findExcessDepth(body);
  if (deep !== -1) {
    const at = lineColumn(body, deep);
    return { value: null, error: { message: `nesting deeper than ${MAX_JSON_DEPTH} levels`, ...at } };
  }
  try {
    return { value: JSON.parse(body) as unknown, error: null };
  } catch (e) {
    let offset = locateJsonError(body);
    if (offset === -1) offset = 0; // V8 refused what the validator accepts: should not happen
    const at = lineColumn(body, offset);
    return { value: null, error: { message: `invalid JSON: ${describeSyntaxError(e)}`, line: at.line, column: at.column + (at.line === 1 ? bom : 0) } };
  }
}

export function jsonDocIssues(doc: JsonDoc, file: string): ParseIssue[] {
  return doc.error ? [issue(file, doc.error.line, doc.error.message, doc.error.column)] : [];
}

/**
 * Wraps integers that follow one of `names` as a key in quotes (`"lease":123` → `"lease":"123"`), so int64
 * values above 2^53 survive JSON.parse as exact decimal strings. A linear scan that knows string
 * boundaries, so text inside string values is never touched.
 */
export function quoteIntegerFields(text: string, names: ReadonlySet<string>): string {
  const n = text.length;
  const out: string[] = [];
  let last = 0;
  let i = 0;
  while (i < n) {
    if (text.charCodeAt(i) !== 34) {
      i++;
      continue;
    }
    const start = i + 1;
    let j = start;
    let escaped = false;
    while (j < n) {
      const d = text.charCodeAt(j);
      if (d === 92) {
        escaped = true;
        j += 2;
        continue;
      }
      if (d === 34) break;
      j++;
    }
    if (j >= n) break;
    i = j + 1;
    let k = i;
    while (k < n && isWs(text.charCodeAt(k))) k++;
    if (text.charCodeAt(k) !== 58) continue; // not a key
    k++;
    while (k < n && isWs(text.charCodeAt(k))) k++;
    const numStart = k;
    if (text.charCodeAt(k) === 45) k++;
    const digitStart = k;
    while (k < n && isDigit(text.charCodeAt(k))) k++;
    if (k === digitStart) continue;
    const next = text.charCodeAt(k);
    if (next === 46 || next === 101 || next === 69) continue; // a float, not an int64
    if (escaped || j - start > 32 || !names.has(text.slice(start, j))) continue;
    out.push(text.slice(last, numStart), '"', text.slice(numStart, k), '"');
    last = k;
    i = k;
  }
  if (last === 0) return text;
  out.push(text.slice(last));
  return out.join('');
}

// ---- accessors over parsed, untrusted JSON ----------------------------------------------------------

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own property only: `{"__proto__":…}` from JSON.parse is an own property, inherited ones never count. */
export function prop(o: unknown, key: string): unknown {
  return isObject(o) && Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

export function objAt(o: unknown, key: string): JsonObject | null {
  const v = prop(o, key);
  return isObject(v) ? v : null;
}

export function strAt(o: unknown, key: string): string | null {
  const v = prop(o, key);
  return typeof v === 'string' ? v : null;
}

export function numAt(o: unknown, key: string): number | null {
  const v = prop(o, key);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function boolAt(o: unknown, key: string): boolean | null {
  const v = prop(o, key);
  return typeof v === 'boolean' ? v : null;
}

export function arrAt(o: unknown, key: string): unknown[] | null {
  const v = prop(o, key);
  return Array.isArray(v) ? v : null;
}

/** String elements of an array property; other elements are dropped. */
export function strArrAt(o: unknown, key: string): string[] {
  const a = arrAt(o, key);
  return a ? a.filter((x): x is string => typeof x === 'string') : [];
}

/** A string-to-string map copied into a null-prototype record; non-string values are dropped. */
export function strMapAt(o: unknown, key: string): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  const m = objAt(o, key);
  if (m) for (const k of Object.keys(m)) if (typeof m[k] === 'string') out[k] = m[k] as string;
  return out;
}
