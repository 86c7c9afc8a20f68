// One entry point for the CLI: renders a report in the requested format. The renderers print the report
// model as it is (see schema.ts); they compute nothing.
import { renderHtmlChunks } from './html.js';
import { DEFAULT_MD_MAX_CHARS, renderMarkdown } from './markdown.js';
import type { Report } from './schema.js';
import { renderText } from './text.js';

export type ReportFormat = 'text' | 'md' | 'html' | 'json';

export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'md', 'html', 'json'];

export interface RenderOptions {
  /** text: ANSI colours (the caller decides from NO_COLOR and isTTY); default false */
  color?: boolean;
  /** md: the largest output in characters; default 30000 */
  mdMaxChars?: number;
  /** text: at most this many findings per section (the short summary); default all */
  maxPerSection?: number;
}

/**
 * The report in pieces, to be written one after the other: a JSON report of a 5,000-node cluster is tens
 * of MB, and building it as one string (twice, with the escaping) was the peak of the analysis' memory.
 * JSON and HTML are cut into pieces (one per finding, note, node...); Markdown (capped in size) and text
 * come as one piece. The one dispatcher: renderReport joins its pieces.
 */
export function* renderReportChunks(report: Report, format: ReportFormat, opts: RenderOptions = {}): Generator<string> {
  switch (format) {
    case 'text':
      yield renderText(report, { color: opts.color ?? false, maxPerSection: opts.maxPerSection });
      return;
    case 'md':
      yield renderMarkdown(report, { maxChars: opts.mdMaxChars ?? DEFAULT_MD_MAX_CHARS });
      return;
    case 'html':
      yield* renderHtmlChunks(report);
      return;
    case 'json':
      yield* jsonChunks(report);
      return;
    default: {
      const never: never = format;
      throw new Error(`unknown report format: ${String(never)}`);
    }
  }
}

/** The same bytes as JSON.stringify(report, null, 2) (made terminal-safe): top-level arrays element by element. */
function* jsonChunks(report: Report): Generator<string> {
  const entries = Object.entries(report).filter(([, v]) => v !== undefined && typeof v !== 'function');
  yield '{';
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i];
    yield `${i ? ',' : ''}\n  ${JSON.stringify(key)}: `;
    if (Array.isArray(value) && value.length > 0) {
      yield '[';
      for (let j = 0; j < value.length; j++) yield `${j ? ',' : ''}\n    ${jsonSafe(indent(JSON.stringify(value[j] ?? null, null, 2), '    '))}`;
      yield '\n  ]';
    } else yield jsonSafe(indent(JSON.stringify(value, null, 2), '  '));
  }
  yield entries.length ? '\n}\n' : '}\n';
}

/** JSON text never holds a raw newline (strings escape theirs), so indenting is adding after each one. */
function indent(json: string, by: string): string {
  return json.replaceAll('\n', `\n${by}`);
}

/**
 * JSON.stringify escapes C0 but leaves DEL, C1 (U+009B is a CSI to many terminals) and bidi overrides
 * raw: `cat report.json` must not let a bundle value drive the terminal. Lossless.
 */
function jsonSafe(json: string): string {
  return json.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function renderReport(report: Report, format: ReportFormat, opts: RenderOptions = {}): string {
  return [...renderReportChunks(report, format, opts)].join('');
}

export { renderText } from './text.js';
export { renderMarkdown, DEFAULT_MD_MAX_CHARS } from './markdown.js';
export { renderHtml } from './html.js';
export { stripControl, escapeHtml, escapeMarkdownInline, escapeMarkdownCell, fenceFor } from './escape.js';
