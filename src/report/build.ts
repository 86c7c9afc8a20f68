// Builds the report model (flannel-diag-report/1) from facts and findings. Everything a renderer shows
// is decided here once: counts, table rows, which cells are problems, integrity notes. Renderers only
// format it.
import type { Facts } from '../facts/schema.js';
import { REPORT_FORMAT, type Finding, type IntegrityNote, type LeaseRow, type NodeRow, type Report } from './schema.js';

export interface InputSummary {
  path: string;
  hostname: string | null;
  collectedAt: string | null;
  bundleFormat: string | null;
  collectorVersion?: string | null;
  error?: string | null;
  supersededBy?: string | null;
}

export interface ReportParts {
  toolVersion: string;
  generatedAt: string;
  inputs: InputSummary[];
  facts: Facts;
  findings: Finding[];
  notApplicable: string[];
  integrity: IntegrityNote[];
  notes: string[];
}

const CATEGORY_COLUMNS: Record<string, (keyof NodeRow)[]> = {
  'multi-instance': ['flanneldCount', 'mode'],
  clock: ['timeSync'],
  'kernel-backend': ['backendKernel'],
  iface: ['iface', 'publicIp'],
  'lease-conflict': ['lease', 'subnetEnvSubnet', 'publicIp'],
  'stale-lease': ['lease'],
  'kube-subnet-mgr': ['mode'],
  'etcd-api-version': ['flanneldVersions'],
  'backend-mismatch': ['backendKernel'],
  'residual-interfaces': ['subnetEnvSubnet'],
};

export function buildReport(p: ReportParts): Report {
  const { facts, findings } = p;
  const summary = { fail: 0, warn: 0, pass: 0, skipped: 0, notApplicable: p.notApplicable.length };
  for (const f of findings) summary[f.status]++;
  const bad = findings.filter((f) => f.status === 'fail' || f.status === 'warn');
  const nodeProblems = new Map<string, Set<string>>();
  for (const f of bad) {
    if (!f.node) continue;
    const cols = CATEGORY_COLUMNS[f.category] ?? [];
    const set = nodeProblems.get(f.node) ?? new Set<string>();
    for (const c of cols) set.add(c);
    nodeProblems.set(f.node, set);
  }
  const badSubjects = new Set(bad.map((f) => f.subject).filter((s): s is string => !!s));
  const nodes: NodeRow[] = facts.nodes.map((n) => ({
    hostname: n.hostname,
    input: n.input,
    collectedAt: n.collectedAt,
    kernelRelease: n.kernelRelease ?? null,
    arch: n.arch ?? null,
    flanneldCount: n.flanneldCount,
    flanneldVersions: [...new Set(n.flanneld.map((f) => f.version ?? 'unknown'))],
    mode: n.mode,
    iface: n.iface ?? null,
    publicIp: n.publicIp ?? null,
    subnetEnvSubnet: n.subnetEnv.subnet ?? null,
    lease: n.lease?.subnet ?? null,
    timeSync: !n.timeSync.known ? 'unknown' : n.timeSync.synchronized ? 'synchronized' : 'not synchronized',
    backendKernel: n.backendSupport,
    problems: [...(nodeProblems.get(n.hostname) ?? [])].sort(),
  }));
  const leases: LeaseRow[] = facts.etcd.leases.map((l) => ({
    key: l.key,
    subnet: l.subnet,
    ownerIp: l.publicIp ?? null,
    node: l.ownerNode ?? null,
    backend: l.backendType || (l.valueValid ? 'udp' : null),
    ttlSeconds: l.ttlSeconds ?? null,
    state: l.reservation ? 'reservation' : !l.publicIp ? 'invalid value' : l.ownerCollected ? 'owned' : l.ownerKubeNode ? 'owned (node not collected)' : 'no owner',
    problem: badSubjects.has(l.key),
  }));
  const epochs = facts.nodes.map((n) => ({ t: n.collectedAtEpoch, s: n.collectedAt })).filter((x) => x.t > 0).sort((a, b) => a.t - b.t);
  return {
    format: REPORT_FORMAT,
    tool: { name: 'flannel-diag', version: p.toolVersion },
    generatedAt: p.generatedAt,
    inputs: p.inputs.map((i) => ({ ...i, collectorVersion: i.collectorVersion ?? null, error: i.error ?? null, supersededBy: i.supersededBy ?? null })),
    cluster: {
      mode: facts.cluster.mode as Report['cluster']['mode'],
      nodes: facts.cluster.nodeCount,
      network: facts.cluster.network ?? null,
      backend: facts.cluster.backend ?? null,
      flannelVersions: facts.cluster.flannelVersions,
      etcdPrefix: facts.etcd.collected ? facts.etcd.prefix : null,
      collectedFrom: epochs[0]?.s ?? null,
      collectedTo: epochs[epochs.length - 1]?.s ?? null,
      collectionSpreadSeconds: epochs.length ? facts.cluster.collectionSpreadSeconds : null,
    },
    summary,
    findings,
    nodes,
    leases,
    integrity: dedupe(p.integrity),
    notApplicable: p.notApplicable,
    notes: p.notes,
  };
}

function dedupe(notes: IntegrityNote[]): IntegrityNote[] {
  const seen = new Set<string>();
  return notes.filter((n) => {
    const k = `${n.input}|${n.kind}|${n.id}|${n.message}|${n.file}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** analyze's exit code (report-v1): 3 with a fail, 4 with a warn under --fail-on warn, else 0. */
export function exitCodeFor(report: Report, failOn: 'fail' | 'warn' | 'never'): number {
  if (failOn === 'never') return 0;
  if (report.summary.fail > 0) return 3;
  if (failOn === 'warn' && report.summary.warn > 0) return 4;
  return 0;
}
