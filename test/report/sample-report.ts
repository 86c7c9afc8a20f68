// A rich report for the renderer tests: every status, nodes, leases, integrity notes, and hostile values
// (markup, links, table breakers, backtick runs, terminal escapes) in every place a bundle can put them.
// generatedAt is fixed so that rendered output is stable.
import { ReportSchema, type Finding, type Report } from '../../src/report/schema.js';

export const HOSTILE = {
  script: '<script>window.__pwned=1</script>',
  img: '<img src=x onerror="window.__pwned=1">',
  js: 'javascript:alert(1)',
  mdLink: '[click](javascript:alert(1))',
  pipes: '| a | b |',
  ticks3: '```',
  ticks4: '````',
  newline: 'first line\nsecond line',
  sgr: '\u001b[31mRED\u001b[0m',
  osc: '\u001b]8;;http://evil\u0007link\u001b]8;;\u0007',
  proto: '__proto__',
} as const;

export const SAFE_REFERENCE = 'https://github.com/flannel-io/flannel/blob/master/Documentation/troubleshooting.md';

const stale: Finding = {
  ruleId: 'etcd.stale-subnet-lease',
  status: 'fail',
  severity: 'critical',
  category: 'stale-lease',
  title: 'Subnet lease held by an address that no node has',
  message: `10.244.5.0/24 is leased to 192.168.1.15, which none of the 3 collected nodes has (18h left). Owner says ${HOSTILE.script} and ${HOSTILE.mdLink} and *bold* _em_ ~strike~ $x$ see http://evil.example/x www.evil.example @admin &lt;b&gt;`,
  node: null,
  subject: '/coreos.com/network/subnets/10.244.5.0-24',
  evidence: [
    {
      input: 'node-a.tar.gz',
      file: 'etcd/get-prefix.json',
      key: '/coreos.com/network/subnets/10.244.5.0-24',
      line: 12,
      excerpt: `{"PublicIP":"192.168.1.15","BackendType":"vxlan"}\n${HOSTILE.ticks3}\nstill inside ${HOSTILE.ticks4} fence\n${HOSTILE.sgr} ${HOSTILE.osc}\n${HOSTILE.script}`,
    },
    {
      input: 'cluster.tar.gz!node-b.tar.gz',
      file: 'etcd/get-prefix.json',
      key: null,
      line: null,
      pointer: '/kvs/3/value',
      excerpt: null,
    },
  ],
  remediation: `etcdctl del /coreos.com/network/subnets/10.244.5.0-24\n${HOSTILE.ticks4}\n# then restart flanneld on the nodes:\nsystemctl restart flanneld ${HOSTILE.sgr}`,
  references: [SAFE_REFERENCE, HOSTILE.js, HOSTILE.mdLink, 'http://evil.example/" onmouseover="window.__pwned=1', 'https://example.com/a b'],
  weight: 3,
};

const conflict: Finding = {
  ruleId: 'lease.public-ip-conflict',
  status: 'fail',
  severity: 'critical',
  category: 'lease-conflict',
  title: `Two nodes share one public IP ${HOSTILE.pipes}`,
  message: `Nodes ${HOSTILE.img} and node-c both use 192.168.1.20.\n# not a heading\n> not a quote\n- not a list`,
  node: HOSTILE.img,
  subject: HOSTILE.proto,
  evidence: [
    {
      input: 'node-c.tar.gz',
      file: 'run/flannel/subnet.env',
      key: null,
      line: 2,
      excerpt: `FLANNEL_SUBNET=10.244.7.1/24 ${HOSTILE.pipes}`,
    },
    {
      input: 'node-c.tar.gz',
      file: null,
      key: '/coreos.com/network/subnets/10.244.9.0-24',
      absent: true,
      lookedFor: `/coreos.com/network/subnets/10.244.9.0-24 ${HOSTILE.ticks3}`,
      excerpt: null,
    },
  ],
  remediation: null,
  references: [],
};

const clock: Finding = {
  ruleId: 'clock.offset',
  status: 'warn',
  severity: 'warning',
  category: 'clock',
  title: 'Clock offset between nodes',
  message: `node-b is 95 s behind node-a. ${HOSTILE.osc} ${HOSTILE.sgr}`,
  node: 'node-b',
  subject: null,
  evidence: [
    {
      input: 'cluster.tar.gz!node-b.tar.gz',
      file: 'host/timedatectl.txt',
      key: null,
      line: 4,
      excerpt: `NTPSynchronized=no\n${HOSTILE.osc}\r\nbidi \u202etxt.exe\u202c c1 \u009b31m`,
    },
  ],
  remediation: 'timedatectl set-ntp true',
  references: [HOSTILE.js],
};

const lost: Finding = {
  ruleId: 'bundle-integrity.core-command-failed',
  status: 'warn',
  severity: 'info',
  category: 'bundle-integrity',
  title: 'A core command gave no complete data',
  message: `ip -d link timed out on ${HOSTILE.newline}`,
  node: HOSTILE.pipes,
  subject: null,
  evidence: [{ input: 'node-a.tar.gz', file: 'manifest.json', key: null, line: 40, pointer: '/commands/7', excerpt: '{"id":"ip-link","state":"timeout"}' }],
  remediation: `Re-run the collector with a longer timeout:\nflannel-diag collector -o collect.sh && sh collect.sh --timeout 60`,
  references: [],
};

const skipped1: Finding = {
  ruleId: 'kube.podcidr-outside-network',
  status: 'skipped',
  severity: 'critical',
  category: 'kube-subnet-mgr',
  title: 'podCIDR outside the flannel network',
  message: `The node objects were not collected (kubectl not installed) ${HOSTILE.mdLink}`,
  node: null,
  subject: null,
  evidence: [],
  remediation: null,
  references: [],
  missing: ['kube/nodes.json', HOSTILE.script],
};

const skipped2: Finding = {
  ruleId: 'etcd.api-version-mismatch',
  status: 'skipped',
  severity: 'warning',
  category: 'etcd-api-version',
  title: 'Config written through one etcd API and read through the other',
  message: 'etcdctl v2 output missing: the v2 store is not enabled on this cluster.',
  node: null,
  subject: null,
  evidence: [],
  remediation: null,
  references: [],
  missing: ['etcd/v2-get.txt'],
};

function pass(ruleId: string, title: string, category: Finding['category'], node: string | null = null): Finding {
  return { ruleId, status: 'pass', severity: 'info', category, title, message: 'OK', node, evidence: [], remediation: null, references: [] };
}

const passes: Finding[] = [
  pass('etcd.config-present', 'Network config key present', 'etcd-config'),
  pass('etcd.config-valid-json', 'Network config is valid JSON', 'etcd-config'),
  pass('etcd.health', 'etcd healthy', 'etcd-connectivity'),
  pass('tls.certs-valid', 'TLS certificates valid', 'tls-auth'),
  pass('iface.up', 'Chosen interface is up', 'iface', 'node-a'),
  pass('iface.up', `Chosen interface is up ${HOSTILE.mdLink}`, 'iface', HOSTILE.script),
];

export const sampleReportInput: Report = {
  format: 'flannel-diag-report/1',
  tool: { name: 'flannel-diag', version: '1.0.0' },
  generatedAt: '2026-11-26T06:00:00Z',
  inputs: [
    { path: 'node-a.tar.gz', hostname: 'node-a', collectedAt: '2026-11-26T05:58:00Z', bundleFormat: 'flannel-diag-bundle/1', collectorVersion: '1.0.0' },
    { path: 'cluster.tar.gz!node-b.tar.gz', hostname: 'node-b', collectedAt: '2026-11-26T05:59:35Z', bundleFormat: 'flannel-diag-bundle/1' },
    { path: `node-c ${HOSTILE.pipes}.tar.gz`, hostname: HOSTILE.img, collectedAt: '2026-11-26T05:58:10Z', bundleFormat: 'flannel-diag-bundle/1', collectorVersion: HOSTILE.sgr },
    { path: 'old-node-a.tar.gz', hostname: 'node-a', collectedAt: '2026-11-20T01:00:00Z', bundleFormat: 'flannel-diag-bundle/1', supersededBy: 'node-a.tar.gz' },
    { path: 'notes.txt', hostname: null, collectedAt: null, bundleFormat: null, error: `not a bundle: no manifest.json ${HOSTILE.script}` },
  ],
  cluster: {
    mode: 'etcd',
    nodes: 3,
    network: '10.244.0.0/16',
    backend: 'vxlan',
    flannelVersions: ['v0.22.0', `v0.21.5 ${HOSTILE.img}`],
    etcdPrefix: '/coreos.com/network',
    collectedFrom: '2026-11-26T05:58:00Z',
    collectedTo: '2026-11-26T05:59:35Z',
    collectionSpreadSeconds: 95,
  },
  summary: { fail: 2, warn: 2, pass: 6, skipped: 2, notApplicable: 3 },
  findings: [stale, conflict, clock, lost, skipped1, skipped2, ...passes],
  nodes: [
    {
      hostname: 'node-a',
      input: 'node-a.tar.gz',
      collectedAt: '2026-11-26T05:58:00Z',
      kernelRelease: '6.1.0-26-amd64',
      arch: 'x86_64',
      flanneldCount: 1,
      flanneldVersions: ['v0.22.0'],
      mode: 'etcd',
      iface: 'eth0',
      publicIp: '192.168.1.10',
      subnetEnvSubnet: '10.244.1.1/24',
      lease: '10.244.1.0/24',
      timeSync: 'synchronized',
      backendKernel: 'vxlan ok',
      problems: [],
    },
    {
      hostname: 'node-b',
      input: 'cluster.tar.gz!node-b.tar.gz',
      collectedAt: '2026-11-26T05:59:35Z',
      kernelRelease: `5.10.0 ${HOSTILE.sgr}`,
      arch: 'aarch64',
      flanneldCount: 2,
      flanneldVersions: ['v0.22.0', 'v0.21.5'],
      mode: 'etcd',
      iface: `eth0\nbond0 ${HOSTILE.pipes}`,
      publicIp: '192.168.1.11',
      subnetEnvSubnet: '10.244.2.1/24',
      lease: '10.244.2.0/24',
      timeSync: 'not synchronized',
      backendKernel: 'vxlan ok',
      problems: ['timeSync', 'flanneldCount'],
    },
    {
      hostname: HOSTILE.img,
      input: `node-c ${HOSTILE.pipes}.tar.gz`,
      collectedAt: null,
      kernelRelease: null,
      arch: null,
      flanneldCount: 1,
      flanneldVersions: [],
      mode: HOSTILE.script,
      iface: HOSTILE.osc,
      publicIp: `${HOSTILE.js} \\|x\\`,
      subnetEnvSubnet: `10.244.7.1/24 ${HOSTILE.ticks3}`,
      lease: HOSTILE.mdLink,
      timeSync: 'unknown',
      backendKernel: HOSTILE.proto,
      problems: ['publicIp', 'lease', HOSTILE.proto],
    },
  ],
  leases: [
    { key: '/coreos.com/network/subnets/10.244.1.0-24', subnet: '10.244.1.0/24', ownerIp: '192.168.1.10', node: 'node-a', backend: 'vxlan', ttlSeconds: 85000, state: 'held', problem: false },
    { key: '/coreos.com/network/subnets/10.244.5.0-24', subnet: '10.244.5.0/24', ownerIp: '192.168.1.15', node: null, backend: 'vxlan', ttlSeconds: 64800, state: 'stale', problem: true },
    { key: `/coreos.com/network/subnets/${HOSTILE.pipes}${HOSTILE.ticks4}`, subnet: HOSTILE.newline, ownerIp: HOSTILE.js, node: HOSTILE.proto, backend: HOSTILE.img, ttlSeconds: null, state: HOSTILE.osc, problem: true },
    { key: '/coreos.com/network/subnets/10.244.2.0-24', subnet: '10.244.2.0/24', ownerIp: '192.168.1.11', node: 'node-b', backend: 'vxlan', ttlSeconds: 120, state: 'expiring', problem: false },
  ],
  integrity: [
    { input: 'node-a.tar.gz', kind: 'command', id: 'timedatectl-show', state: 'failed', message: 'timedatectl show: unknown command (systemd older than 239)', file: 'host/timedatectl-show.txt', expected: true },
    { input: 'node-a.tar.gz', kind: 'command', id: 'ip-link', state: 'timeout', message: `timed out after 10 s ${HOSTILE.sgr}`, file: 'net/ip-link.txt', expected: false },
    { input: `node-c ${HOSTILE.pipes}.tar.gz`, kind: 'entry', id: null, state: 'rejected', message: `entry escapes the bundle: ../../etc/passwd ${HOSTILE.osc}`, file: `../../etc/passwd${HOSTILE.script}`, expected: false },
  ],
  notApplicable: ['kube.rbac', 'wireguard.keys', HOSTILE.mdLink],
  notes: [`Two bundles of node-a; the newer one was used. ${HOSTILE.img}`],
};

/** The sample, validated: the renderers only ever see reports that pass the schema. */
export function sampleReport(): Report {
  return ReportSchema.parse(structuredClone(sampleReportInput));
}

/** A large report (many passes, nodes and leases) for the Markdown size limit. */
export function largeReport(opts: { passes?: number; nodes?: number; leases?: number; warns?: number } = {}): Report {
  const base = sampleReport();
  const nPass = opts.passes ?? 200;
  const nNodes = opts.nodes ?? 120;
  const nLeases = opts.leases ?? 300;
  const nWarn = opts.warns ?? 20;
  const extraPasses: Finding[] = [];
  for (let i = 0; i < nPass; i++) extraPasses.push(pass(`generated.rule-${String(i).padStart(3, '0')}`, `Generated passing rule ${i} ${HOSTILE.pipes}`, 'iface', `node-${i}`));
  const extraWarns: Finding[] = [];
  for (let i = 0; i < nWarn; i++) extraWarns.push({ ...clock, ruleId: `clock.offset-${i}`, node: `node-${i}`, message: `node-${i} is ${i} s behind ${HOSTILE.script}` });
  const byStatus = (s: Finding['status']) => base.findings.filter((f) => f.status === s);
  const template = base.nodes![1]!;
  const nodes = [...base.nodes!];
  for (let i = 0; i < nNodes; i++) nodes.push({ ...template, hostname: `node-${i} ${HOSTILE.pipes}`, problems: i % 10 === 0 ? ['timeSync'] : [] });
  const leases = [...base.leases!];
  for (let i = 0; i < nLeases; i++) {
    leases.push({ key: `/coreos.com/network/subnets/10.${i >> 8}.${i & 255}.0-24`, subnet: `10.${i >> 8}.${i & 255}.0/24`, ownerIp: `192.168.${i >> 8}.${i & 255}`, node: `node-${i}`, backend: 'vxlan', ttlSeconds: 3600 + i, state: 'held', problem: i % 50 === 0 });
  }
  return ReportSchema.parse({
    ...base,
    summary: { ...base.summary, pass: base.summary.pass + nPass, warn: base.summary.warn + nWarn },
    findings: [...byStatus('fail'), ...byStatus('warn'), ...extraWarns, ...byStatus('skipped'), ...byStatus('pass'), ...extraPasses],
    nodes,
    leases,
  });
}
