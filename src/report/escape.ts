// Escaping for every value that reaches a report. Every string in a report comes from an untrusted
// customer bundle (or from rule files), so each renderer passes each value through one of these before
// it is printed: stripControl for the terminal, escapeHtml for HTML (text and attributes),
// escapeMarkdownInline / escapeMarkdownCell / codeSpan / fenceFor for Markdown.

// Escape sequences are removed whole, so that their payload (an OSC 8 link target, a window title) does
// not survive as text either.
const OSC_RE = /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\|$)/g; // OSC ... BEL | ST | end of string
const STRING_RE = /\u001b[PX^_][^\u0007\u001b]*(?:\u0007|\u001b\\|$)/g; // DCS, SOS, PM, APC ... ST
const CSI_RE = /\u001b\[[0-?]*[ -/]*[@-~]?/g; // CSI params intermediates final
const ESC_OTHER_RE = /\u001b[ -/]*[0-~]?/g; // nF / Fp / Fe / Fs two-or-more byte escapes, lone ESC
// C0 except \t and \n, DEL, C1; bidirectional overrides and isolates (text that reads differently from
// what it is: "Trojan Source").
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Removes terminal escape sequences (CSI, OSC, DCS/SOS/PM/APC, other ESC sequences) with their payload,
 * C0 control characters except tab and newline, DEL, C1 controls and Unicode bidi controls. CR LF and
 * U+2028/U+2029 become \n; a lone CR is removed.
 */
export function stripControl(s: string): string {
  if (typeof s !== 'string') s = String(s ?? '');
  return s
    .replace(OSC_RE, '')
    .replace(STRING_RE, '')
    .replace(CSI_RE, '')
    .replace(ESC_OTHER_RE, '')
    .replace(/\r\n|[\u2028\u2029]/g, '\n')
    .replace(CONTROL_RE, '');
}

/** stripControl, then every whitespace run holding a newline or tab becomes one space: for one-line output. */
export function oneLine(s: string): string {
  // (?<!…): a match starts only where a run of blanks starts, else a long run is rescanned from each of its characters (quadratic)
  return stripControl(s).replace(/(?<![ \t])[ \t]*[\n\t][\s]*/g, ' ');
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** For HTML text and for quoted attribute values alike. Control characters are removed first. */
export function escapeHtml(s: string): string {
  return stripControl(s).replace(/[&<>"'`]/g, (c) => HTML_ENTITIES[c] as string);
}

/**
 * One line of GitHub-flavoured Markdown text that renders as exactly the given characters: no emphasis,
 * code, link, image, autolink (http://, www., e-mail), HTML, entity, math, heading, quote or list can be
 * opened by the value. Newlines and tabs become spaces.
 */
export function escapeMarkdownInline(s: string): string {
  let out = oneLine(s)
    // every punctuation character that can open or close markup, and the backslash itself
    .replace(/[\\`*_~[\]|#&$]/g, (c) => '\\' + c)
    // angle brackets as entities: no HTML and no autolink can open, and no `<tag` text is left for
    // filters that look for one
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    // GFM extended autolinks: scheme://, www., e-mail addresses
    // `](` reads as a link destination to a human and to naive filters even when `]` is escaped
    .replace(/\\\]\(/g, '\\]\\(')
    .replace(/:(?=\/\/)/g, '\\:')
    .replace(/\b(www)\./gi, '$1\\.')
    .replace(/@/g, '\\@');
  // block markup at the start of a line: list items, ordered lists, setext underline, quotes
  out = out
    .replace(/^(\s*)([-+=](?=[-+=\s]|$))/, '$1\\$2')
    .replace(/^(\s*\d{1,9})([.)])(?=\s|$)/, '$1\\$2');
  return out;
}

/**
 * A GitHub table cell: like escapeMarkdownInline (pipes become \|, backslashes \\ so that no pipe can end
 * the cell early, newlines become spaces). An empty value becomes a single space.
 */
export function escapeMarkdownCell(s: string): string {
  const out = escapeMarkdownInline(s);
  return out === '' ? ' ' : out;
}

/** The shortest run of backticks (at least `min`) longer than any run of backticks in s. */
function backtickFence(s: string, min: number): string {
  let longest = 0;
  for (const m of s.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(min, longest + 1));
}

/** A code fence (three backticks or more) longer than any backtick run in s, so s cannot close it. */
export function fenceFor(s: string): string {
  return backtickFence(s, 3);
}

/**
 * An inline code span holding s on one line. Not for table cells: inside a code span a backslash cannot
 * be escaped, so `\|` in a value could end a GFM table cell; use escapeMarkdownCell there.
 */
export function codeSpan(s: string): string {
  const text = oneLine(s);
  if (text === '') return '` `';
  const fence = backtickFence(text, 1);
  const pad = text.startsWith('`') || text.endsWith('`') || (text.startsWith(' ') && text.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced code block holding s (control characters removed), with the given info string. */
export function codeBlock(s: string, info = ''): string {
  let text = stripControl(s);
  if (!text.endsWith('\n')) text += '\n';
  const fence = fenceFor(text);
  return `${fence}${info}\n${text}${fence}`;
}

/** True for an absolute http(s) URL that is safe to make clickable (no whitespace, quotes or brackets). */
export function isSafeHttpUrl(s: string): boolean {
  if (typeof s !== 'string' || s.length > 2048) return false;
  if (!/^https?:\/\/[^\s<>"'`\\{}|^/?#]+(?:[/?#][^\s<>"'`\\{}|^]*)?$/i.test(s)) return false;
  if (stripControl(s) !== s) return false;
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}
