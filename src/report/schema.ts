// The JSON report, flannel-diag-report/1 (shared/spec/report-v1.md), as a zod schema. The report is the
// single model every renderer reads: text, Markdown and HTML print it and compute nothing. Fields beyond
// report-v1 (node and lease tables, integrity notes, notChecked) are extensions; none of report-v1's
// fields is renamed.
import { z } from 'zod';

export const REPORT_FORMAT = 'flannel-diag-report/1';

export const STATUSES = ['fail', 'warn', 'skipped', 'pass'] as const;
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export const CATEGORIES = [
  'etcd-config',
  'etcd-api-version',
  'etcd-connectivity',
  'tls-auth',
  'stale-lease',
  'lease-conflict',
  'subnet-exhaustion',
  'clock',
  'multi-instance',
  'kube-subnet-mgr',
  'kernel-backend',
  'backend-mismatch',
  'iface',
  'residual-interfaces',
  'bundle-integrity',
] as const;

export type Status = (typeof STATUSES)[number];
export type Severity = (typeof SEVERITIES)[number];
export type Category = (typeof CATEGORIES)[number];

export const EvidenceSchema = z.object({
  input: z.string(),
  file: z.string().nullable(),
  key: z.string().nullable().optional(),
  line: z.number().int().nullable().optional(),
  pointer: z.string().nullable().optional(),
  absent: z.boolean().optional(),
  /** what was looked for, with absent: true */
  lookedFor: z.string().optional(),
  excerpt: z.string().nullable().optional(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

export const FindingSchema = z.object({
  ruleId: z.string(),
  status: z.enum(STATUSES),
  severity: z.enum(SEVERITIES),
  category: z.enum(CATEGORIES),
  title: z.string(),
  message: z.string(),
  node: z.string().nullable(),
  /** what the finding is about when the rule fires per subject (a node, a lease key, a device) */
  subject: z.string().nullable().optional(),
  evidence: z.array(EvidenceSchema),
  remediation: z.string().nullable(),
  references: z.array(z.string()),
  /** for skipped findings: the data that was missing, failed or truncated */
  missing: z.array(z.string()).optional(),
  /** how many pieces of evidence back the finding (used to rank likely causes) */
  weight: z.number().optional(),
});
export type Finding = z.infer<typeof FindingSchema>;

export const InputSchema = z.object({
  path: z.string(),
  hostname: z.string().nullable(),
  collectedAt: z.string().nullable(),
  bundleFormat: z.string().nullable(),
  collectorVersion: z.string().nullable().optional(),
  /** why this input (or member) gave no usable bundle */
  error: z.string().nullable().optional(),
  /** this bundle was superseded by a newer one of the same host */
  supersededBy: z.string().nullable().optional(),
});

export const NodeRowSchema = z.object({
  hostname: z.string(),
  input: z.string(),
  collectedAt: z.string().nullable(),
  kernelRelease: z.string().nullable(),
  arch: z.string().nullable(),
  flanneldCount: z.number().int(),
  flanneldVersions: z.array(z.string()),
  mode: z.string(),
  iface: z.string().nullable(),
  publicIp: z.string().nullable(),
  subnetEnvSubnet: z.string().nullable(),
  lease: z.string().nullable(),
  timeSync: z.string(),
  backendKernel: z.string(),
  /** names of the columns above that a fail/warn finding about this node concerns */
  problems: z.array(z.string()),
});
export type NodeRow = z.infer<typeof NodeRowSchema>;

export const LeaseRowSchema = z.object({
  key: z.string(),
  subnet: z.string(),
  ownerIp: z.string().nullable(),
  node: z.string().nullable(),
  backend: z.string().nullable(),
  ttlSeconds: z.number().int().nullable(),
  state: z.string(),
  problem: z.boolean(),
});
export type LeaseRow = z.infer<typeof LeaseRowSchema>;

export const IntegrityNoteSchema = z.object({
  input: z.string(),
  /** command: a manifest command that did not give complete data; entry: a rejected archive entry; read: a reading problem */
  kind: z.enum(['command', 'entry', 'read', 'parse']),
  id: z.string().nullable(),
  state: z.string(),
  message: z.string(),
  file: z.string().nullable(),
  /** true when the state only says something does not exist (see report-v1: not a warn) */
  expected: z.boolean(),
});
export type IntegrityNote = z.infer<typeof IntegrityNoteSchema>;

export const ReportSchema = z.object({
  format: z.literal(REPORT_FORMAT),
  tool: z.object({ name: z.literal('flannel-diag'), version: z.string() }),
  generatedAt: z.string(),
  inputs: z.array(InputSchema),
  cluster: z.object({
    mode: z.enum(['etcd', 'kube', 'mixed', 'unknown']),
    nodes: z.number().int(),
    network: z.string().nullable(),
    backend: z.string().nullable(),
    flannelVersions: z.array(z.string()),
    etcdPrefix: z.string().nullable().optional(),
    collectedFrom: z.string().nullable().optional(),
    collectedTo: z.string().nullable().optional(),
    collectionSpreadSeconds: z.number().nullable().optional(),
  }),
  summary: z.object({
    fail: z.number().int(),
    warn: z.number().int(),
    pass: z.number().int(),
    skipped: z.number().int(),
    notApplicable: z.number().int(),
  }),
  findings: z.array(FindingSchema),
  nodes: z.array(NodeRowSchema).optional(),
  leases: z.array(LeaseRowSchema).optional(),
  integrity: z.array(IntegrityNoteSchema).optional(),
  notApplicable: z.array(z.string()).optional(),
  notes: z.array(z.string()).optional(),
});
export type Report = z.infer<typeof ReportSchema>;
