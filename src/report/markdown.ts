// GitHub-flavoured Markdown that pastes into a ticket as it is. No raw HTML; every value from the report
// goes through escape.ts (escapeMarkdownInline / escapeMarkdownCell / codeSpan / codeBlock) so that it
// cannot break a table, open a link or inject markup. References become autolinks only when they are
// http(s) URLs. The output never exceeds opts.maxChars: the least important parts are cut first and a
// final note says what was left out.
import { codeBlock, codeSpan, escapeMarkdownCell, escapeMarkdownInline, isSafeHttpUrl } from './escape.js';
import {
  LEASE_COLUMNS,
  NODE_COLUMNS,
  STATUS_HEADING,
  STATUS_MARK,
  collectionLine,
  countsLine,
  evidencePlace,
  findingsOf,
  isProblemCell,
  leaseCells,
  topFindings,
  verdictOf,
} from './format.js';
import type { Evidence, Finding, LeaseRow, NodeRow, Report, Status } from './schema.js';

export interface MarkdownOptions {
  /** the largest output, in characters (the caller's default is 30000) */
  maxChars: number;
}

export const DEFAULT_MD_MAX_CHARS = 30000;

/** Longest excerpt shown in Markdown; the JSON and HTML reports carry it whole. */
const EXCERPT_MAX_CHARS = 1500;
const EXCERPT_MAX_LINES = 30;


/** Longest single value shown in Markdown (a message, a title); longer ones end in "…". */
const VALUE_MAX_CHARS = 2000;
const CODE_MAX_CHARS = 300;
const CELL_MAX_CHARS = 200;

function clip(s: string, n: number): string {
  if (s.length <= n) return s;
  const end = /[\ud800-\udbff]/.test(s[n - 1] as string) ? n - 1 : n;
  return s.slice(0, end) + '…';
}

const md = (s: string) => escapeMarkdownInline(clip(s, VALUE_MAX_CHARS));
const code = (s: string) => codeSpan(clip(s, CODE_MAX_CHARS));
const cell = (s: string) => escapeMarkdownCell(clip(s.trim(), CELL_MAX_CHARS));

/** What is shown; every field at its largest value renders the whole report. */
interface Cut {
  pass: boolean;
  notApplicable: boolean;
  leaseRows: number;
  nodeRows: number;
  skippedDetails: boolean;
  warnExcerpts: boolean;
  skippedList: boolean;
  integrityExpected: boolean;
  integrityCount: number;
  warnRemediation: boolean;
  warnCount: number;
  failExcerptsAfterFirst: boolean;
  failCount: number;
  inputsCount: number;
  failRemediationAfterFirst: boolean;
}

type CountKey = 'leaseRows' | 'nodeRows' | 'integrityCount' | 'warnCount' | 'failCount' | 'inputsCount';

function fullCut(r: Report): Cut {
  return {
    pass: true,
    notApplicable: true,
    leaseRows: (r.leases ?? []).length,
    nodeRows: (r.nodes ?? []).length,
    skippedDetails: true,
    warnExcerpts: true,
    skippedList: true,
    integrityExpected: true,
    integrityCount: (r.integrity ?? []).length,
    warnRemediation: true,
    warnCount: r.summary.warn,
    failExcerptsAfterFirst: true,
    failCount: r.summary.fail,
    inputsCount: r.inputs.length,
    failRemediationAfterFirst: true,
  };
}

/** Keeps `k` rows in their order: the flagged rows first, then the others from the top. */
function keepRows<T>(rows: T[], k: number, flagged: (row: T) => boolean): T[] {
  if (k >= rows.length) return rows;
  const flaggedCount = rows.filter(flagged).length;
  let others = Math.max(0, k - flaggedCount);
  let flags = Math.min(k, flaggedCount);
  return rows.filter((row) => {
    if (flagged(row)) return flags-- > 0;
    return others-- > 0;
  });
}

function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "40 of 52 lease rows", "all 52 lease rows" */
function someOf(omitted: number, total: number, one: string): string {
  return omitted === total ? (total === 1 ? `the ${one}` : `all ${plural(total, one)}`) : `${omitted} of ${plural(total, one)}`;
}

function omissions(r: Report, c: Cut): string[] {
  const full = fullCut(r);
  const out: string[] = [];
  const { pass: passes, skipped, warn: warns, fail: fails } = r.summary; // counted once, by build.ts
  const integrity = r.integrity ?? [];
  if (!c.pass && passes) out.push(plural(passes, 'passing check'));
  if (!c.notApplicable && (r.notApplicable ?? []).length) out.push(`the list of ${plural((r.notApplicable ?? []).length, 'not-applicable rule')}`);
  if (c.leaseRows < full.leaseRows) out.push(someOf(full.leaseRows - c.leaseRows, full.leaseRows, 'lease row'));
  if (c.nodeRows < full.nodeRows) out.push(someOf(full.nodeRows - c.nodeRows, full.nodeRows, 'node row'));
  if (!c.skippedList && skipped) out.push(`the list of ${plural(skipped, 'not-checked rule')}`);
  else if (!c.skippedDetails && skipped) out.push(`the reasons of ${plural(skipped, 'not-checked rule')}`);
  if (!c.warnExcerpts && c.warnCount > 0) out.push('warning evidence excerpts');
  const shownNotes = integrity.slice(0, c.integrityCount).filter((n) => c.integrityExpected || !n.expected).length;
  if (shownNotes < integrity.length) out.push(someOf(integrity.length - shownNotes, integrity.length, 'bundle integrity note'));
  if (!c.warnRemediation && c.warnCount > 0) out.push('warning remediation');
  if (c.warnCount < warns) out.push(someOf(warns - c.warnCount, warns, 'warning'));
  if (!c.failExcerptsAfterFirst && fails > 1) out.push('evidence excerpts of failures after the first');
  if (c.failCount < fails) out.push(someOf(fails - c.failCount, fails, 'failure'));
  if (c.inputsCount < full.inputsCount) out.push(someOf(full.inputsCount - c.inputsCount, full.inputsCount, 'input'));
  if (!c.failRemediationAfterFirst && fails > 1) out.push('remediation of failures after the first');
  return out;
}

function omissionNote(parts: string[], maxChars: number): string {
  return `_… ${parts.join(', ')} omitted to fit ${maxChars} characters; see the JSON/HTML report._`;
}

// ---------------------------------------------------------------------------------------------------
// Sections

function glance(r: Report): string[] {
  const c = r.cluster;
  const bits = [`mode ${code(c.mode)}`, plural(c.nodes, 'node')];
  if (c.network) bits.push(`network ${code(c.network)}`);
  if (c.backend) bits.push(`backend ${code(c.backend)}`);
  if (c.flannelVersions.length) bits.push(`flannel ${c.flannelVersions.map((v) => code(v)).join(', ')}`);
  if (c.etcdPrefix) bits.push(`etcd prefix ${code(c.etcdPrefix)}`);
  const lines = [`**Cluster:** ${bits.join(', ')}`];
  const coll = collectionLine(r);
  if (coll !== null) lines.push(`**Collected:** ${md(coll)}`);
  lines.push(`**Tool:** flannel-diag ${md(r.tool.version)}, report generated ${md(r.generatedAt)}`);
  return [lines.join('  \n')];
}

function evidenceBlock(e: Evidence, i: number, excerpts: boolean): string[] {
  const p = evidencePlace(e);
  let loc: string;
  if (p.absent !== null) {
    loc = `absent: looked for ${code(p.absent)} in ${code(p.input)}`;
  } else {
    let where = p.input;
    if (p.file !== null) where += `:${p.file}`;
    if (p.line !== null) where += `:${p.line}`;
    loc = code(where);
    if (p.key !== null) loc += ` key ${code(p.key)}`;
    if (p.pointer !== null) loc += ` pointer ${code(p.pointer)}`;
  }
  const out = [`**Evidence ${i + 1}:** ${loc}`];
  if (excerpts && typeof e.excerpt === 'string' && e.excerpt.trim() !== '') {
    let text = e.excerpt;
    let shortened = false;
    const lines = text.split('\n');
    if (lines.length > EXCERPT_MAX_LINES) {
      text = lines.slice(0, EXCERPT_MAX_LINES).join('\n');
      shortened = true;
    }
    if (text.length > EXCERPT_MAX_CHARS) {
      text = text.slice(0, EXCERPT_MAX_CHARS);
      shortened = true;
    }
    out.push(codeBlock(text, 'text'));
    if (shortened) out.push('_(excerpt shortened; the JSON/HTML report has it whole)_');
  }
  return out;
}

function referencesLine(refs: string[]): string | null {
  if (!refs.length) return null;
  const items = refs.map((ref) => (isSafeHttpUrl(ref) ? `<${ref}>` : code(ref)));
  return `**References:** ${items.join(' · ')}`;
}

function findingBlock(f: Finding, n: number, o: { excerpts: boolean; remediation: boolean }): string[] {
  const out: string[] = [];
  out.push(`### ${n}. ${STATUS_MARK[f.status]} ${code(f.ruleId)} — ${md(f.title)}`);
  const meta = [`${f.status.toUpperCase()}`, md(f.severity), md(f.category)];
  if (f.node !== null) meta.push(`node ${code(f.node)}`);
  if (f.subject !== null && f.subject !== undefined) meta.push(`subject ${code(f.subject)}`);
  out.push(meta.join(' · '));
  out.push(md(f.message));
  f.evidence.forEach((e, i) => out.push(...evidenceBlock(e, i, o.excerpts)));
  if (o.remediation && f.remediation !== null && f.remediation.trim() !== '') {
    out.push('**Remediation:**', codeBlock(f.remediation, 'sh'));
  }
  const refs = referencesLine(f.references);
  if (refs !== null) out.push(refs);
  return out;
}

function table(header: readonly string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header.map((h) => cell(h))), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function nodeTable(rows: NodeRow[]): string {
  return table(
    NODE_COLUMNS.map((c) => c.label),
    rows.map((r) =>
      NODE_COLUMNS.map((c) => {
        const value = cell(c.value(r));
        return isProblemCell(r, c.key) ? `**⚠ ${value}**` : value;
      }),
    ),
  );
}

function leaseTable(rows: LeaseRow[]): string {
  return table(
    LEASE_COLUMNS,
    rows.map((l) => leaseCells(l).map((v, i) => (i === LEASE_COLUMNS.length - 1 ? (l.problem ? '**⚠ problem**' : ' ') : cell(v)))),
  );
}

function render(r: Report, c: Cut, maxChars: number): { body: string; note: string } {
  const parts: string[] = [];
  const { verdict, headline } = verdictOf(r);
  const mark = verdict === 'fail' ? STATUS_MARK.fail : verdict === 'warn' ? STATUS_MARK.warn : STATUS_MARK.pass;
  parts.push('# flannel-diag report');
  parts.push(`**${mark} ${verdict.toUpperCase()}: ${headline}.** ${countsLine(r)}.`);
  const top = topFindings(r, 1)[0];
  if (top) parts.push(`**Most likely cause:** ${code(top.ruleId)}: ${md(top.message)}`);
  parts.push(...glance(r));

  let n = 0;
  const fails = findingsOf(r, 'fail');
  const warns = findingsOf(r, 'warn');
  if (fails.length) {
    parts.push(`## ${STATUS_MARK.fail} ${STATUS_HEADING.fail} (${fails.length})`);
    fails.slice(0, c.failCount).forEach((f, i) =>
      parts.push(...findingBlock(f, ++n, { excerpts: i === 0 || c.failExcerptsAfterFirst, remediation: i === 0 || c.failRemediationAfterFirst })),
    );
  }
  n = fails.length;
  if (warns.length) {
    parts.push(`## ${STATUS_MARK.warn} ${STATUS_HEADING.warn} (${warns.length})`);
    warns.slice(0, c.warnCount).forEach((f) => parts.push(...findingBlock(f, ++n, { excerpts: c.warnExcerpts, remediation: c.warnRemediation })));
  }

  const nodes = r.nodes ?? [];
  if (nodes.length) {
    parts.push(`## Nodes (${nodes.length})`);
    const shown = keepRows(nodes, c.nodeRows, (row) => row.problems.length > 0);
    if (shown.length) parts.push(nodeTable(shown));
    parts.push('Cells marked **⚠** are what a failing or warning finding is about.');
  }
  const leases = r.leases ?? [];
  if (leases.length) {
    parts.push(`## Subnet leases (${leases.length})`);
    const shown = keepRows(leases, c.leaseRows, (row) => row.problem);
    if (shown.length) parts.push(leaseTable(shown));
  }

  const skipped = findingsOf(r, 'skipped');
  if (skipped.length) {
    parts.push(`## ${STATUS_MARK.skipped} ${STATUS_HEADING.skipped} (${skipped.length})`);
    if (c.skippedList) {
      parts.push(
        skipped
          .map((f) => {
            let line = `- ${code(f.ruleId)} ${md(f.title)}`;
            if (c.skippedDetails) {
              line += `: ${md(f.message)}`;
              if (f.missing && f.missing.length) line += ` Missing: ${f.missing.map((v) => code(v)).join(', ')}.`;
            }
            return line;
          })
          .join('\n'),
      );
    }
  }

  const integrity = (r.integrity ?? []).slice(0, c.integrityCount).filter((note) => c.integrityExpected || !note.expected);
  if ((r.integrity ?? []).length) {
    parts.push('## Bundle integrity');
    if (integrity.length) {
      parts.push(
        integrity
          .map((note) => {
            const label = note.expected ? 'ℹ informational (absent on this system, not a problem)' : '⚠ problem';
            const what = [code(note.input), md(note.kind)];
            if (note.id !== null) what.push(code(note.id));
            let line = `- ${label}: ${what.join(' ')} ${code(note.state)}: ${md(note.message)}`;
            if (note.file !== null) line += ` (file ${code(note.file)})`;
            return line;
          })
          .join('\n'),
      );
    }
  }

  parts.push(`## What was analyzed (${r.inputs.length} input${r.inputs.length === 1 ? '' : 's'})`);
  const inputs = r.inputs.slice(0, c.inputsCount);
  if (inputs.length) {
    parts.push(
      inputs
        .map((i) => {
          const bits: string[] = [];
          bits.push(`host ${i.hostname !== null ? code(i.hostname) : 'unknown'}`);
          bits.push(`collected ${i.collectedAt !== null ? md(i.collectedAt) : 'unknown'}`);
          if (i.bundleFormat !== null) bits.push(`bundle format ${code(i.bundleFormat)}`);
          if (i.collectorVersion) bits.push(`collector ${code(i.collectorVersion)}`);
          if (i.error) bits.push(`**not analyzed:** ${md(i.error)}`);
          if (i.supersededBy) bits.push(`superseded by ${code(i.supersededBy)}`);
          return `- ${code(i.path)}: ${bits.join(', ')}`;
        })
        .join('\n'),
    );
  }
  if (r.notes && r.notes.length) parts.push('**Notes:**', r.notes.map((s) => `- ${md(s)}`).join('\n'));

  const passes = findingsOf(r, 'pass');
  if (passes.length) {
    parts.push(`## ${STATUS_MARK.pass} ${STATUS_HEADING.pass} (${passes.length})`);
    if (c.pass) parts.push(passes.map((f) => `- ${code(f.ruleId)} ${md(f.title)}${f.node !== null ? ` (${code(f.node)})` : ''}`).join('\n'));
  }
  const na = r.notApplicable ?? [];
  if (na.length && c.notApplicable) parts.push(`**Not applicable (${na.length}):** ${na.map((v) => code(v)).join(', ')}`);

  const omitted = omissions(r, c);
  return { body: parts.join('\n\n') + '\n', note: omitted.length ? omissionNote(omitted, maxChars) + '\n' : '' };
}

/** Cuts a rendered body at a line end so that body + closing fence + note fits; closes an open fence. */
function hardTruncate(body: string, note: string, maxChars: number): string {
  if (note.length > maxChars) return note.slice(0, Math.max(0, maxChars));
  const lines = body.split('\n');
  // after line i: the characters up to and including its newline, and the fence left open
  const upTo: number[] = [];
  const openAfter: (string | null)[] = [];
  let open: string | null = null;
  let total = 0;
  for (const l of lines) {
    const m = /^(`{3,})/.exec(l);
    if (m && open === null) open = m[1] as string;
    else if (m && m[1] === open && l.trim() === open) open = null;
    total += l.length + 1;
    upTo.push(total);
    openAfter.push(open);
  }
  for (let k = lines.length - 1; k > 0; k--) {
    const fence = openAfter[k - 1];
    if (fence && (k === 1 || openAfter[k - 2] === null)) continue; // would end on an opening fence
    const closing = fence ? fence.length + 1 : 0;
    if ((upTo[k - 1] as number) + closing + 1 + note.length > maxChars) continue;
    const kept = lines.slice(0, k).join('\n').replace(/(?<!\n)\n+$/, ''); // (?<!\n): linear on many trailing newlines
    return kept + '\n' + (fence ? fence + '\n' : '') + '\n' + note;
  }
  return note;
}

export function renderMarkdown(report: Report, opts: MarkdownOptions): string {
  const maxChars = Math.max(0, Math.floor(Number.isFinite(opts.maxChars) ? opts.maxChars : DEFAULT_MD_MAX_CHARS));
  const cut = fullCut(report);
  const out = (c: Cut) => {
    const { body, note } = render(report, c, maxChars);
    return note ? body + '\n' + note : body;
  };
  const fits = (c: Cut) => out(c).length <= maxChars;
  if (fits(cut)) return out(cut);

  type Step = { flag: (c: Cut) => void } | { count: CountKey; min: number };
  const steps: Step[] = [
    { flag: (c) => ((c.pass = false), (c.notApplicable = false)) },
    { count: 'leaseRows', min: 0 },
    { count: 'nodeRows', min: 0 },
    { flag: (c) => (c.skippedDetails = false) },
    { flag: (c) => (c.warnExcerpts = false) },
    { flag: (c) => (c.skippedList = false) },
    { flag: (c) => (c.integrityExpected = false) },
    { count: 'integrityCount', min: 0 },
    { flag: (c) => (c.warnRemediation = false) },
    { count: 'warnCount', min: 0 },
    { flag: (c) => (c.failExcerptsAfterFirst = false) },
    { count: 'failCount', min: Math.min(1, cut.failCount) },
    { count: 'inputsCount', min: 0 },
    { flag: (c) => (c.failRemediationAfterFirst = false) },
  ];
  for (const step of steps) {
    if ('flag' in step) {
      step.flag(cut);
      if (fits(cut)) return out(cut);
      continue;
    }
    const key = step.count;
    const max = cut[key];
    if (max <= step.min) continue;
    cut[key] = step.min;
    if (!fits(cut)) continue;
    // largest count that fits: lo fits, hi does not
    let lo = step.min;
    let hi = max;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      cut[key] = mid;
      if (fits(cut)) lo = mid;
      else hi = mid;
    }
    cut[key] = lo;
    return out(cut);
  }
  // Still too long (a single huge finding, a tiny limit): cut the text itself.
  const { body } = render(report, cut, maxChars);
  const parts = omissions(report, cut);
  parts.push('the rest of the report');
  let note = omissionNote(parts, maxChars) + '\n';
  if (note.length > maxChars / 3) note = omissionNote(['most of the report'], maxChars) + '\n';
  return hardTruncate(body, note, maxChars);
}
