// Helpers shared by every parser: line iteration with a length cap, issue creation, strict number
// parsing and UTC time formatting. Nothing here throws on any input.
import type { ParseIssue } from './types.js';

/** Lines longer than this are skipped with an issue: no real tool output line comes near it. */
export const MAX_LINE_LENGTH = 64 * 1024;

export function issue(file: string, line: number | null, message: string, column?: number | null): ParseIssue {
  const out: ParseIssue = { file, line, message };
  if (column !== undefined && column !== null) out.column = column;
  return out;
}

export interface TextLine {
  /** 1-based line number */
  no: number;
  /** the line without its `\n` / `\r\n` */
  text: string;
}

/**
 * What the line and log scanners read of a text: a string is one, and so is AsciiText. Why: a log is MiBs
 * of which the scan reads a few lines; an all-ASCII log is scanned in its bytes, never decoded whole.
 */
export interface TextLike {
  readonly length: number;
  charCodeAt(index: number): number;
  indexOf(search: string, from?: number): number;
  lastIndexOf(search: string, from?: number): number;
  startsWith(search: string, position?: number): boolean;
  slice(start: number, end?: number): string;
}

/**
 * Bytes that are all ASCII (the caller checked, e.g. with buffer.isAscii), read as the string they encode:
 * byte i is character i, so positions are the string's. Searches take one-character needles through
 * memchr; longer ones are compared here.
 */
export class AsciiText implements TextLike {
  constructor(private readonly bytes: Buffer) {}

  get length(): number {
    return this.bytes.length;
  }

  charCodeAt(index: number): number {
    return index >= 0 && index < this.bytes.length ? this.bytes[index] : Number.NaN;
  }

  indexOf(search: string, from = 0): number {
    const n = this.bytes.length;
    const start = Math.min(Math.max(Math.trunc(from) || 0, 0), n);
    if (search.length === 0) return start;
    // a Buffer would look for the low byte of a character above ASCII: none is in these bytes
    if (!isAsciiString(search)) return -1;
    return search.length === 1 ? this.bytes.indexOf(search.charCodeAt(0), start) : this.bytes.indexOf(search, start, 'latin1');
  }

  lastIndexOf(search: string, from = Number.POSITIVE_INFINITY): number {
    const n = this.bytes.length;
    // String semantics: `from` is clamped to [0, length] (a Buffer would count a negative one from the end)
    const start = Math.min(Math.max(Number.isNaN(from) ? n : Math.trunc(from), 0), n - search.length);
    if (start < 0) return -1;
    if (search.length === 0) return start;
    if (!isAsciiString(search)) return -1;
    return search.length === 1 ? this.bytes.lastIndexOf(search.charCodeAt(0), start) : this.bytes.lastIndexOf(search, start, 'latin1');
  }

  startsWith(search: string, position = 0): boolean {
    const b = this.bytes;
    const at = Math.max(Math.trunc(position) || 0, 0);
    if (search.length === 0) return true;
    if (at + search.length > b.length) return false;
    for (let j = 0; j < search.length; j++) if (b[at + j] !== search.charCodeAt(j)) return false;
    return true;
  }

  slice(start: number, end = this.bytes.length): string {
    const n = this.bytes.length;
    const a = start < 0 ? Math.max(n + start, 0) : Math.min(start, n);
    const z = end < 0 ? Math.max(n + end, 0) : Math.min(end, n);
    return z > a ? this.bytes.toString('latin1', a, z) : '';
  }
}

function isAsciiString(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * The lines of a text, one after the other, in this one object (`no`, `start`, `stop` of the current line):
 * 1-based numbers, without the final empty line after a trailing newline, a BOM or a CR before LF.
 * Over-long lines are reported in `issues` and skipped, so later per-line work stays bounded. Positions,
 * not strings: a caller that skips most lines (the log scan) slices only those it reads, and nothing is
 * allocated per line (a MiB log has thousands).
 */
export class LineCursor {
  no = 0;
  start = 0;
  stop = 0;
  private from: number;

  constructor(
    private readonly text: TextLike,
    private readonly file: string,
    private readonly issues: ParseIssue[],
    private readonly maxLength = MAX_LINE_LENGTH,
  ) {
    this.from = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 BOM is not content
  }

  /** Moves to the next line; false after the last. */
  next(): boolean {
    const { text } = this;
    const n = text.length;
    while (this.from < n) {
      const start = this.from;
      let end = text.indexOf('\n', start);
      if (end === -1) end = n;
      this.no++;
      this.from = end + 1;
      let stop = end;
      if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
      if (stop - start > this.maxLength) {
        this.issues.push(issue(this.file, this.no, `line is ${stop - start} characters long (limit ${this.maxLength}); skipped`));
        continue;
      }
      this.start = start;
      this.stop = stop;
      return true;
    }
    return false;
  }
}

/** The lines of `text` as strings (see LineCursor). */
export function* iterLines(text: string, file: string, issues: ParseIssue[], maxLength = MAX_LINE_LENGTH): Generator<TextLine> {
  const lines = new LineCursor(text, file, issues, maxLength);
  while (lines.next()) yield { no: lines.no, text: text.slice(lines.start, lines.stop) };
}

export function collectLines(text: string, file: string, issues: ParseIssue[]): TextLine[] {
  return Array.from(iterLines(text, file, issues));
}

/** Whitespace-separated fields (spaces and tabs). */
export function fields(s: string): string[] {
  const t = s.trim();
  return t === '' ? [] : t.split(/[ \t]+/);
}

/** A field with its position in the line, for formats whose last column keeps its own spacing. */
export interface Span {
  start: number;
  end: number;
}

/** The first `max` whitespace-separated fields with their offsets (a linear scan). */
export function fieldSpans(s: string, max: number): Span[] {
  const out: Span[] = [];
  let i = 0;
  const n = s.length;
  while (out.length < max) {
    while (i < n && isBlank(s.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isBlank(s.charCodeAt(i))) i++;
    out.push({ start, end: i });
  }
  return out;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** Decimal integer within the JS safe range, else null (no partial parses like parseInt). */
export function toInt(s: string | undefined): number | null {
  if (s === undefined || s.length === 0 || s.length > 16 || !/^[+-]?\d+$/.test(s)) return null;
  const v = Number(s);
  return Number.isSafeInteger(v) ? v : null;
}

/** Decimal number (optionally signed, fraction, exponent), else null. */
export function toFloat(s: string | undefined): number | null {
  if (s === undefined || s.length === 0 || s.length > 64) return null;
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)) return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

/** ISO-8601 UTC; whole seconds print without a fraction, like the manifest's `collectedAt`. */
export function toIsoUtc(ms: number): string | null {
  if (!Number.isFinite(ms)) return null;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return null;
  const iso = d.toISOString();
  return iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso;
}

const MONTHS: ReadonlyMap<string, number> = new Map(
  ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map((m, i) => [m, i + 1]),
);

/** `Nov` → 11 (C-locale abbreviations, as ps and syslog print them). */
export function monthNumber(abbrev: string): number | undefined {
  return MONTHS.get(abbrev);
}

/**
 * Milliseconds since the epoch for a UTC wall-clock time, or null when a field is out of range
 * (Date.UTC would silently roll Nov 31 over to Dec 1).
 */
export function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number, fraction = ''): number | null {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59));
  const d = new Date(ms);
  if (d.getUTCDate() !== day || d.getUTCMonth() !== month - 1) return null;
  const frac = fraction === '' ? 0 : Math.floor(Number('0.' + fraction) * 1000);
  return ms + frac;
}

/** A record safe to fill from untrusted keys (`__proto__` becomes an ordinary own property). */
export function safeRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Shortens text quoted in messages and excerpts. */
export function clip(s: string, max = 200): string {
  return s.length <= max ? s : s.slice(0, max) + '…';
}

/** The first line that is not blank, or ''. */
export function firstNonEmptyLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '') ?? '';
}

/** Basename of a path-like string (`/usr/bin/flanneld` → `flanneld`). */
export function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i === -1 ? p : p.slice(i + 1);
}

/** True when the text holds NUL bytes: a raw /proc file rather than the collector's one-per-line form. */
export function hasNul(text: string): boolean {
  return text.indexOf('\0') !== -1;
}
