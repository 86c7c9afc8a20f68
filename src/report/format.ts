// Presentation helpers shared by the renderers. They compute nothing about the diagnosis: the report
// arrives ordered and counted; these only pick words and labels for what is already there. Values
// returned here are NOT escaped: each renderer escapes them for its own output.
import { formatDuration } from '../facts/format.js';
import type { Evidence, Finding, LeaseRow, NodeRow, Report, Status } from './schema.js';

/** The mark of each status, the same in the HTML and the Markdown report. */
export const STATUS_MARK: Record<Status, string> = { fail: '✖', warn: '⚠', skipped: '○', pass: '✔' };

export const STATUS_LABEL: Record<Status, string> = {
  fail: 'FAIL',
  warn: 'WARN',
  skipped: 'NOT CHECKED',
  pass: 'PASS',
};

export const STATUS_HEADING: Record<Status, string> = {
  fail: 'Failing',
  warn: 'Warnings',
  skipped: 'Not checked',
  pass: 'Passing',
};

export type Verdict = 'fail' | 'warn' | 'pass';

/** The headline, read off the summary counts. */
export function verdictOf(report: Report): { verdict: Verdict; headline: string } {
  const s = report.summary;
  if (s.fail > 0) return { verdict: 'fail', headline: 'Problems found' };
  if (s.warn > 0) return { verdict: 'warn', headline: 'Warnings found' };
  if (s.skipped > 0) return { verdict: 'pass', headline: 'No problems found in what could be checked' };
  return { verdict: 'pass', headline: 'No problems found' };
}

/** "1 fail, 2 warn, 27 pass, 3 not checked, 5 not applicable" */
export function countsLine(report: Report): string {
  const s = report.summary;
  return `${s.fail} fail, ${s.warn} warn, ${s.pass} pass, ${s.skipped} not checked, ${s.notApplicable} not applicable`;
}

/** The findings of one status, in report order. */
export function findingsOf(report: Report, status: Status): Finding[] {
  return report.findings.filter((f) => f.status === status);
}

/** The first `n` fail/warn findings, in report order (the first is the most likely cause). */
export function topFindings(report: Report, n: number): Finding[] {
  return report.findings.filter((f) => f.status === 'fail' || f.status === 'warn').slice(0, n);
}

/** Where a piece of evidence points, as parts the renderers lay out. */
export interface EvidencePlace {
  input: string;
  file: string | null;
  line: number | null;
  key: string | null;
  pointer: string | null;
  /** for absent evidence: what was looked for */
  absent: string | null;
}

export function evidencePlace(e: Evidence): EvidencePlace {
  return {
    input: e.input,
    file: e.file ?? null,
    line: typeof e.line === 'number' ? e.line : null,
    key: e.key ?? null,
    pointer: e.pointer ?? null,
    absent: e.absent ? (e.lookedFor ?? e.key ?? e.file ?? 'unspecified') : null,
  };
}

/** One-line location: `input:file:line`, `input:file key K`, `input:file#pointer`, or `absent: looked for X`. */
export function evidenceLocation(e: Evidence): string {
  const p = evidencePlace(e);
  if (p.absent !== null) return `absent: looked for ${p.absent} (in ${p.input})`;
  let s = p.input;
  if (p.file !== null) s += `:${p.file}`;
  if (p.line !== null) s += `:${p.line}`;
  if (p.pointer !== null) s += `#${p.pointer}`;
  if (p.key !== null) s += ` key ${p.key}`;
  return s;
}

export interface NodeColumn {
  key: keyof NodeRow & string;
  label: string;
  value: (r: NodeRow) => string;
}

const str = (v: string | null) => (v === null || v === '' ? '—' : v);

/** The node table's columns; `key` is the name used in NodeRow.problems. */
export const NODE_COLUMNS: NodeColumn[] = [
  { key: 'hostname', label: 'Host', value: (r) => str(r.hostname) },
  { key: 'input', label: 'Input', value: (r) => str(r.input) },
  { key: 'collectedAt', label: 'Collected', value: (r) => str(r.collectedAt) },
  { key: 'kernelRelease', label: 'Kernel', value: (r) => str(r.kernelRelease) },
  { key: 'arch', label: 'Arch', value: (r) => str(r.arch) },
  { key: 'flanneldCount', label: 'flanneld', value: (r) => String(r.flanneldCount) },
  { key: 'flanneldVersions', label: 'Versions', value: (r) => (r.flanneldVersions.length ? r.flanneldVersions.join(', ') : '—') },
  { key: 'mode', label: 'Mode', value: (r) => str(r.mode) },
  { key: 'iface', label: 'Iface', value: (r) => str(r.iface) },
  { key: 'publicIp', label: 'Public IP', value: (r) => str(r.publicIp) },
  { key: 'subnetEnvSubnet', label: 'subnet.env', value: (r) => str(r.subnetEnvSubnet) },
  { key: 'lease', label: 'Lease', value: (r) => str(r.lease) },
  { key: 'timeSync', label: 'Time sync', value: (r) => str(r.timeSync) },
  { key: 'backendKernel', label: 'Backend kernel', value: (r) => str(r.backendKernel) },
];

export function isProblemCell(r: NodeRow, key: string): boolean {
  return Array.isArray(r.problems) && r.problems.includes(key);
}

export const LEASE_COLUMNS = ['Key', 'Subnet', 'Owner IP', 'Node', 'Backend', 'TTL', 'State', 'Problem'] as const;

export function leaseCells(l: LeaseRow): string[] {
  return [
    l.key,
    l.subnet,
    str(l.ownerIp),
    str(l.node),
    str(l.backend),
    l.ttlSeconds === null ? '—' : `${l.ttlSeconds} s`,
    str(l.state),
    l.problem ? 'problem' : '',
  ];
}

/** "from A to B (spread 42s)", or null when the report has no collection times. */
export function collectionLine(report: Report): string | null {
  const c = report.cluster;
  const from = c.collectedFrom ?? null;
  const to = c.collectedTo ?? null;
  const spread = c.collectionSpreadSeconds;
  if (from === null && to === null && (spread === null || spread === undefined)) return null;
  let s = from !== null && to !== null && from !== to ? `${from} to ${to}` : (from ?? to ?? 'unknown');
  if (typeof spread === 'number') s += ` (spread ${formatDuration(spread)})`;
  return s;
}
