// The short terminal summary `analyze` prints by default. Every value is passed through oneLine
// (stripControl) so that no escape sequence from a bundle reaches the terminal; the only escape sequences
// in the output are this file's own SGR colour codes, and only with opts.color.
import { oneLine } from './escape.js';
import { countsLine, evidenceLocation, findingsOf, verdictOf } from './format.js';
import type { Finding, Report } from './schema.js';

export interface TextOptions {
  /** ANSI colours; the caller decides (NO_COLOR, isTTY). */
  color: boolean;
  /**
   * At most this many findings in each section (fail and warn; not checked), then how many more: the
   * summary beside a written report must stay short on a 5,000-node cluster. Default: all.
   */
  maxPerSection?: number;
}

const SGR = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[1;31m',
  yellow: '\u001b[1;33m',
  green: '\u001b[1;32m',
  cyan: '\u001b[36m',
} as const;

type Style = keyof typeof SGR;

export function renderText(report: Report, opts: TextOptions): string {
  const paint = (style: Style, s: string) => (opts.color ? `${SGR[style]}${s}${SGR.reset}` : s);
  const v = (s: string | null | undefined) => oneLine(s ?? '');
  const lines: string[] = [];

  const { verdict, headline } = verdictOf(report);
  const verdictStyle: Style = verdict === 'fail' ? 'red' : verdict === 'warn' ? 'yellow' : 'green';
  lines.push(
    `${paint('bold', `flannel-diag ${v(report.tool.version)}`)}: ${paint(verdictStyle, `${verdict.toUpperCase()} ${headline}`)} (${countsLine(report)})`,
  );
  const c = report.cluster;
  const clusterBits = [`mode ${v(c.mode)}`, `${c.nodes} node${c.nodes === 1 ? '' : 's'}`];
  if (c.network) clusterBits.push(`network ${v(c.network)}`);
  if (c.backend) clusterBits.push(`backend ${v(c.backend)}`);
  if (c.flannelVersions.length) clusterBits.push(`flannel ${c.flannelVersions.map(v).join(', ')}`);
  lines.push(`Cluster: ${clusterBits.join(', ')}`);

  const finding = (f: Finding, label: string, style: Style) => {
    const node = f.node !== null ? `  ${paint('cyan', `[${v(f.node)}]`)}` : '';
    lines.push(`${paint(style, label.padEnd(5))} ${paint('bold', v(f.ruleId))}${node}`);
    lines.push(`      ${v(f.message)}`);
    const first = f.evidence[0];
    if (first) lines.push(`      ${paint('dim', 'evidence:')} ${v(evidenceLocation(first))}`);
  };

  const limit = opts.maxPerSection ?? Infinity;
  const more = (shown: number, total: number, what: string) => {
    if (total > shown) lines.push(`  ... and ${total - shown} more ${what} (all of them are in the report)`);
  };
  const fails = findingsOf(report, 'fail');
  const warns = findingsOf(report, 'warn');
  if (fails.length || warns.length) lines.push('');
  const bad = [...fails.map((f) => [f, 'FAIL', 'red'] as const), ...warns.map((f) => [f, 'WARN', 'yellow'] as const)];
  for (const [f, label, style] of bad.slice(0, limit)) finding(f, label, style);
  more(Math.min(limit, bad.length), bad.length, 'fail and warn findings');

  const skipped = findingsOf(report, 'skipped');
  if (skipped.length) {
    lines.push('', paint('bold', 'Not checked:'));
    for (const f of skipped.slice(0, limit)) {
      const missing = f.missing && f.missing.length ? ` (missing: ${f.missing.map(v).join(', ')})` : '';
      lines.push(`  ${paint('dim', 'SKIP')}  ${v(f.ruleId)}: ${v(f.message)}${missing}`);
    }
    more(Math.min(limit, skipped.length), skipped.length, 'not checked');
  }

  const integrity = report.integrity ?? [];
  lines.push('');
  lines.push(
    integrity.length
      ? `Bundle integrity: ${integrity.length} note${integrity.length === 1 ? '' : 's'}; see the HTML or Markdown report.`
      : 'Bundle integrity: no notes.',
  );
  return lines.join('\n') + '\n';
}
