// Entry names and other short strings from bundles, made safe to use and to print.
//
// Why: bundles are uploaded by customers and are UNTRUSTED. An entry name in a tar header (or a file name in
// an unpacked directory) is attacker-controlled: `/etc/passwd`, `../../x`, `a\b`, names with NUL, escape
// sequences or bidi overrides that rewrite a terminal or a report. We never write entries to disk, but
// names become map keys, evidence labels and report text, so they are checked here before anything else
// and every name we keep for display is escaped.

/** Characters that must never be printed raw: C0 controls, DEL, C1 controls. */
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
/** Invisible or direction-changing characters that can make a printed name lie about itself. */
const FORMAT_RE = /[\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

/** The longest entry name we accept (the manifest's own paths are limited to 1024). */
export const MAX_NAME_CHARS = 4096;
/** The longest escaped name we keep for display. */
const MAX_DISPLAY_CHARS = 512;

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/**
 * Escape a name for display: control characters become `\xNN`, invisible/bidi characters `\u{NNNN}`,
 * a backslash `\\` (so an escape in the output is never ambiguous). Long names are cut with `…`.
 */
export function escapeName(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (CONTROL_RE.test(ch)) out += `\\x${hex2(cp)}`;
    else if (FORMAT_RE.test(ch)) out += `\\u{${cp.toString(16)}}`;
    else out += ch;
    if (out.length > MAX_DISPLAY_CHARS) return out.slice(0, MAX_DISPLAY_CHARS) + '…';
  }
  return out;
}

/**
 * One line of text for a message: control characters dropped (tabs and newlines become a space),
 * invisible/bidi characters dropped, whitespace collapsed, cut at `max` characters with `…`.
 */
export function oneLine(s: string, max = 300): string {
  let t = s
    .replace(/[\t\n\r\v\f]/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .replace(/[\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  if (t.length > max) t = t.slice(0, max) + '…';
  return t;
}

export type NameCheck =
  /** `path` is the normalized relative path ('' for the archive root itself, e.g. `./`) */
  | { ok: true; path: string; parts: string[] }
  /** `parts` is a best-effort location of the entry (used only to say which bundle it was in) */
  | { ok: false; reason: string; parts: string[] };

function locate(raw: string): string[] {
  return raw
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p !== '' && p !== '.');
}

/**
 * Check and normalize one entry name. Accepted: relative paths made of ordinary components; `./`
 * prefixes, `.` components and duplicate or trailing slashes are normalized away. Rejected: absolute
 * paths, `..` components, backslashes, NUL and control characters, over-long names.
 */
export function checkEntryName(raw: string): NameCheck {
  const parts = locate(raw);
  if (raw.length > MAX_NAME_CHARS) return { ok: false, reason: `name longer than ${MAX_NAME_CHARS} characters`, parts };
  if (raw.includes('\0')) return { ok: false, reason: 'NUL character in name', parts };
  if (CONTROL_RE.test(raw)) return { ok: false, reason: 'control character in name', parts };
  if (raw.includes('\\')) return { ok: false, reason: 'backslash in name', parts };
  if (raw.startsWith('/')) return { ok: false, reason: 'absolute path', parts };
  if (parts.includes('..')) return { ok: false, reason: "'..' component in path", parts };
  return { ok: true, path: parts.join('/'), parts };
}

/** A file name inside a directory input (one component, as readdir gives it). */
export function checkDirentName(name: string): string | null {
  if (name.includes('\0')) return 'NUL character in name';
  if (CONTROL_RE.test(name)) return 'control character in name';
  if (name.includes('\\')) return 'backslash in name';
  if (name.length > MAX_NAME_CHARS) return `name longer than ${MAX_NAME_CHARS} characters`;
  return null;
}

/** Names of members of a bundle set that are read as archives. */
export function isArchiveName(name: string): boolean {
  const n = name.toLowerCase();
  return n.endsWith('.tar.gz') || n.endsWith('.tgz') || n.endsWith('.tar');
}
