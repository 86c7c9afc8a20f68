// One entry point for the CLI: renders a report in the requested format. The renderers print the report
// model as it is (see schema.ts); they compute nothing.
import { renderHtml } from './html.js';
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

export function renderReport(report: Report, format: ReportFormat, opts: RenderOptions = {}): string {
  switch (format) {
    case 'text':
      return renderText(report, { color: opts.color ?? false, maxPerSection: opts.maxPerSection });
    case 'md':
      return renderMarkdown(report, { maxChars: opts.mdMaxChars ?? DEFAULT_MD_MAX_CHARS });
    case 'html':
      return renderHtml(report);
    case 'json':
      // JSON.stringify escapes C0 but leaves DEL, C1 (U+009B is a CSI to many terminals) and bidi
      // overrides raw: `cat report.json` must not let a bundle value drive the terminal. Lossless.
      return JSON.stringify(report, null, 2).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
    default: {
      const never: never = format;
      throw new Error(`unknown report format: ${String(never)}`);
    }
  }
}

export { renderText } from './text.js';
export { renderMarkdown, DEFAULT_MD_MAX_CHARS } from './markdown.js';
export { renderHtml } from './html.js';
export { stripControl, escapeHtml, escapeMarkdownInline, escapeMarkdownCell, fenceFor } from './escape.js';
