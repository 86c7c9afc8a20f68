// Assembles the cluster model from the per-node builds: picks the newest etcd dump and Kubernetes list
// (by the source's own counter, never by node clocks), links leases to nodes, and precomputes the
// indexes cross-node rules need (address -> node, subnet -> lease, shared public IPs), so no rule
// searches a list inside a loop.
import type { CommandOutcome } from '../bundle/types.js';
import type { Evidence, IntegrityNote } from '../report/schema.js';
import type { ParseIssue } from '../parsers/types.js';
import {
  parseEtcdGetJson, parseEtcdLeaseTimeToLive, parseEtcdEndpointHealth, parseEtcdEndpointStatus,
  parseEtcdV2Get, parseEtcdV2Tree, parseEtcdV2Ls, classifyEtcdError, leaseIdHex, summarizeEtcdError,
} from '../parsers/etcd.js';
import { parseKubeNodes, parseKubePods, parseKubeConfigMaps } from '../parsers/kube.js';
import { compareVersions, parseVersion, versionFromImage } from '../parsers/flannel-version.js';
import type { Availability, ClusterFact, DataState, EtcdFact, FactOf, Facts, KubeFact, LeaseFact, NetworkConfigFact, NodeFact } from './schema.js';
import { DATA_PATHS } from './schema.js';
import { absentNetworkConfig, networkConfigFact } from './network-config.js';
import { ipv4SubnetRange, parseCidrLoose, subnetFromLeaseKey } from './net.js';
import { excerpt as clip, formatDuration } from './format.js';
import { firstNonEmptyLine as firstLine } from '../parsers/util.js';
import type { EtcdContribution, KubeContribution, NodeBuild } from './node.js';
import { KERNEL_OPTIONS } from './node.js';
import { clusterGroups, deriveNodeTopology } from './topology.js';

const BACKEND_OPTION: Record<string, string> = {
  vxlan: 'CONFIG_VXLAN',
  udp: 'CONFIG_TUN',
  '': 'CONFIG_TUN',
  wireguard: 'CONFIG_WIREGUARD',
  ipip: 'CONFIG_NET_IPIP',
  ipsec: 'CONFIG_XFRM_USER',
};

export interface Assembled {
  facts: Facts;
  integrity: IntegrityNote[];
  notes: string[];
  /** inputs superseded by a newer bundle of the same host: input -> the one used */
  superseded: Map<string, string>;
}

export function assembleFacts(builds: NodeBuild[], failedInputs: { input: string; message: string }[]): Assembled {
  const integrity: IntegrityNote[] = [];
  const notes: string[] = [];
  const superseded = new Map<string, string>();
  // Same hostname twice: the same node collected twice; the newest collection wins.
  const byHost = new Map<string, NodeBuild>();
  const duplicateHosts = new Set<string>();
  for (const b of builds) {
    const prev = byHost.get(b.node.hostname);
    if (!prev) {
      byHost.set(b.node.hostname, b);
      continue;
    }
    duplicateHosts.add(b.node.hostname);
    const [keep, drop] = b.node.collectedAtEpoch > prev.node.collectedAtEpoch ? [b, prev] : [prev, b];
    byHost.set(b.node.hostname, keep);
    superseded.set(drop.node.input, keep.node.input);
    notes.push(`${drop.node.input} and ${keep.node.input} are both ${keep.node.hostname}: the newer collection (${keep.node.input}) was used.`);
  }
  const kept = [...byHost.values()].sort((a, b) => a.node.hostname.localeCompare(b.node.hostname, 'en'));
  for (const b of kept) integrity.push(...b.integrity);
  const nodes = kept.map((b) => b.node);

  const etcdPick = pickEtcd(kept.map((b) => b.etcd).filter((e): e is EtcdContribution => e !== null), notes);
  const kubePick = pickKube(kept.map((b) => b.kube).filter((k): k is KubeContribution => k !== null), notes);

  const versions = [...new Set(nodes.flatMap((n) => n.flanneld.map((f) => f.version).filter((v): v is string => !!v)))];
  const kube = buildKube(kubePick, nodes, integrity);
  // A flanneld version unknown from the binary can come from its pod's image.
  // the first pod with a version on each node, looked up once per node instead of searched for each
  const podByNode = new Map<string, FactOf<'KubePod'>>();
  for (const p of kube.pods) if (p.nodeName && p.version && !podByNode.has(p.nodeName)) podByNode.set(p.nodeName, p);
  for (const n of nodes) {
    const pod = podByNode.get(n.hostname);
    for (const f of n.flanneld) {
      if (!f.version && pod?.version && f.source === 'flanneld') {
        f.version = pod.version;
        f.versionSource = 'image';
      }
    }
    n.version ??= n.flanneld.find((f) => f.version)?.version;
    if (n.version === undefined) delete n.version;
  }
  for (const v of nodes.flatMap((n) => n.flanneld.map((f) => f.version).filter((x): x is string => !!x))) if (!versions.includes(v)) versions.push(v);
  versions.sort((a, b) => compareVersions(a, b));
  const oldestVersion = versions.find((v) => parseVersion(v) !== null);

  const etcd = buildEtcd(etcdPick, oldestVersion, integrity);

  // ---- indexes
  const nodeByAddress: Record<string, string> = Object.create(null);
  const collectedNodeByAddress: Record<string, string> = Object.create(null);
  for (const n of nodes) {
    for (const a of n.addresses) {
      collectedNodeByAddress[a] ??= n.hostname;
      nodeByAddress[a] ??= n.hostname;
    }
    if (n.publicIp) {
      collectedNodeByAddress[n.publicIp] ??= n.hostname;
      nodeByAddress[n.publicIp] ??= n.hostname;
    }
  }
  const kubeAddr = new Set<string>();
  for (const kn of kube.nodes) {
    kn.collected = byHost.has(kn.name);
    for (const a of [...kn.addresses, kn.publicIp].filter((x): x is string => !!x)) {
      nodeByAddress[a] ??= kn.name;
      kubeAddr.add(a);
    }
  }
  for (const l of etcd.leases) {
    if (l.publicIp) {
      const owner = nodeByAddress[l.publicIp];
      if (owner) l.ownerNode = owner;
      l.ownerCollected = l.publicIp in collectedNodeByAddress;
      l.ownerKubeNode = kubeAddr.has(l.publicIp);
    }
  }
  const leasesByIp = new Map<string, LeaseFact[]>();
  for (const l of etcd.leases) if (l.publicIp) leasesByIp.set(l.publicIp, [...(leasesByIp.get(l.publicIp) ?? []), l]);
  const multiLeaseOwners: FactOf<'OwnerLeases'>[] = [];
  for (const [ip, ls] of leasesByIp) {
    if (ls.length < 2) continue;
    const g: FactOf<'OwnerLeases'> = { publicIp: ip, subnets: ls.map((l) => l.subnet), leases: ls };
    if (nodeByAddress[ip]) g.owner = nodeByAddress[ip];
    multiLeaseOwners.push(g);
  }
  for (const n of nodes) {
    const mine = new Map<string, LeaseFact>();
    for (const a of [n.publicIp, ...n.addresses].filter((x): x is string => !!x)) for (const l of leasesByIp.get(a) ?? []) mine.set(l.key, l);
    n.leases = [...mine.values()];
    const own = (n.publicIp ? leasesByIp.get(n.publicIp)?.[0] : undefined) ?? n.leases[0];
    if (own) n.lease = own;
    const kn = kube.nodeByName[n.hostname];
    if (kn) {
      n.kubeNode = kn;
      if (!n.arch && kn.arch) n.arch = kn.arch;
    }
  }

  // ---- cluster-wide
  const modes = new Set(nodes.map((n) => (n.mode === 'embedded' ? 'kube' : n.mode)).filter((m) => m !== 'none'));
  const procModes = new Set(nodes.flatMap((n) => n.flanneld.map((f) => (f.mode === 'embedded' ? 'kube' : f.mode))));
  const mode = modes.size === 0 && procModes.size === 0 ? 'unknown' : modes.size > 1 || procModes.size > 1 ? 'mixed' : [...modes, ...procModes][0];
  const config = effectiveConfig(mode, etcd, kube, nodes, oldestVersion);
  const backend = config?.present && config.validJson ? config.backendType : nodes.find((n) => n.flannel?.backend)?.flannel?.backend;
  for (const n of nodes) {
    if (backend === undefined) n.backendSupport = 'unknown';
    else if (backend === 'host-gw' || backend === 'alloc' || backend.endsWith('-vpc') || backend === 'gce') n.backendSupport = 'not-needed';
    else n.backendSupport = n.kernel.support[BACKEND_OPTION[backend] ?? ''] ?? 'unknown';
    if (backend !== undefined && BACKEND_OPTION[backend]) {
      n.backendKernelOption = BACKEND_OPTION[backend];
      n.backendKernelModule = KERNEL_OPTIONS[BACKEND_OPTION[backend]];
    }
  }
  // the vxlan device is flannel.<VNI>: with a known VNI only that one, else any vxlan flannel.* device
  const vni = config?.present && config.validJson && config.backendType === 'vxlan' ? (config.vni ?? 1) : undefined;
  for (const n of nodes) {
    const dev = vni !== undefined ? n.interfaceByName[`flannel.${vni}`] : n.interfaces.find((i) => /^flannel\.\d+$/.test(i.name) && i.kind === 'vxlan');
    if (dev) n.flannelDevice = dev;
  }
  // leases that count against the capacity of the config's SubnetMin..SubnetMax
  let leasesInRange: number | undefined;
  if (config?.network && config.capacity !== undefined) {
    const r = ipv4SubnetRange(config.network, config.subnetLen, config.subnetMin, config.subnetMax);
    if (r.min !== undefined && r.max !== undefined) {
      leasesInRange = 0;
      for (const l of etcd.leases) {
        const c = parseCidrLoose(l.subnet);
        if (c && c.family === 4 && c.prefix === r.effectiveSubnetLen && c.addr >= r.min && c.addr <= r.max) leasesInRange++;
      }
    }
  }
  const group = (pick: (n: NodeFact) => string | undefined) => {
    const m = new Map<string, string[]>();
    for (const n of nodes) {
      const v = pick(n);
      if (v) m.set(v, [...(m.get(v) ?? []), n.hostname]);
    }
    return [...m].filter(([, hs]) => hs.length > 1).map(([value, hs]) => ({ value, nodes: hs }));
  };
  const epochs = nodes.map((n) => n.collectedAtEpoch).filter((x) => x > 0).sort((a, b) => a - b);
  const spread = epochs.length ? epochs[epochs.length - 1] - epochs[0] : 0;
  const median = epochs.length ? epochs[Math.floor(epochs.length / 2)] : 0;
  for (const n of nodes) n.collectedAtDeviationSeconds = n.collectedAtEpoch > 0 && median > 0 ? Math.round(n.collectedAtEpoch - median) : 0;
  // collection times differ by the time between collections: a node's clock is judged against the
  // median only when most nodes were collected within minutes of it
  const clockReferenceNodes = nodes.filter((n) => n.collectedAtEpoch > 0 && Math.abs(n.collectedAtDeviationSeconds) <= 300).length;
  const etcdModeProcs = nodes.flatMap((n) => n.flanneld.filter((f) => f.mode === 'etcd'));
  const cluster: ClusterFact = {
    mode,
    nodeCount: nodes.length,
    nodeNames: nodes.map((n) => n.hostname),
    flannelVersions: versions,
    leases: etcd.leases,
    nodeByAddress,
    collectedNodeByAddress,
    etcdPrefixes: [...new Set(etcdModeProcs.map((f) => f.etcdPrefix))],
    etcdEndpointSets: [...new Set(etcdModeProcs.map((f) => f.etcdEndpoints))],
    duplicatePublicIps: group((n) => n.publicIp),
    duplicateSubnetEnv: group((n) => n.subnetEnv.subnet),
    duplicateHosts: [...duplicateHosts],
    failedInputs,
    collectionSpreadSeconds: spread,
    collectedTogether: spread <= 600,
    medianCollectedAtEpoch: median,
    ...clusterGroups(nodes),
    clockReferenceNodes,
    multiLeaseOwners,
  };
  if (leasesInRange !== undefined) cluster.leasesInRange = leasesInRange;
  if (oldestVersion) cluster.oldestVersion = oldestVersion;
  if (config) cluster.config = config;
  if (config?.network) cluster.network = config.network;
  if (backend !== undefined) cluster.backend = backend;
  deriveNodeTopology(nodes, etcd, kube, cluster);

  const availability: Availability = { cluster: clusterAvailability(etcdPick, kubePick, etcd), nodes: Object.create(null) };
  for (const b of kept) availability.nodes[b.node.hostname] = b.availability;
  return { facts: { cluster, nodes, etcd, kube, availability }, integrity, notes, superseded };
}

function effectiveConfig(mode: string, etcd: EtcdFact, kube: KubeFact, nodes: NodeFact[], oldest: string | undefined): NetworkConfigFact | undefined {
  if (mode === 'etcd' || (mode === 'mixed' && etcd.collected)) {
    const v2First = oldest !== undefined && compareVersions(oldest, 'v0.18.0') < 0;
    const [a, b] = v2First ? [etcd.v2Config, etcd.config] : [etcd.config, etcd.v2Config];
    if (a.present) return a;
    if (b.present) return b;
    return etcd.collected ? a : undefined;
  }
  const candidates = [kube.netConf, ...nodes.map((n) => n.netConf)].filter((c): c is NetworkConfigFact => c !== undefined);
  return candidates.find((c) => c.present) ?? candidates[0];
}

// ---- etcd ------------------------------------------------------------------------------------

interface EtcdPick {
  c: EtcdContribution;
  get: ReturnType<typeof parseEtcdGetJson> | null;
}

function outcomeOf(c: { outcomes: Map<string, CommandOutcome[]> }, id: string): CommandOutcome | undefined {
  return c.outcomes.get(id)?.[0];
}

function pickEtcd(list: EtcdContribution[], notes: string[]): EtcdPick | null {
  let best: EtcdPick | null = null;
  let bestRev = -1n;
  const clusterIds = new Set<string>();
  for (const c of list) {
    const text = c.texts.get('etcd-get-prefix');
    const ok = outcomeOf(c, 'etcd-get-prefix')?.state === 'ok';
    const get = text !== undefined && ok ? parseEtcdGetJson(text, outcomeOf(c, 'etcd-get-prefix')?.file ?? 'etcd/get-prefix.json') : null;
    if (get?.value.clusterId) clusterIds.add(get.value.clusterId);
    const rev = get?.value.revision && /^\d+$/.test(get.value.revision) ? BigInt(get.value.revision) : get ? 0n : -1n;
    if (best === null || rev > bestRev) {
      best = { c, get };
      bestRev = rev;
    }
  }
  if (clusterIds.size > 1) notes.push(`The etcd dumps come from ${clusterIds.size} different etcd clusters (cluster_id ${[...clusterIds].join(', ')}); the one with the highest revision was used.`);
  return best;
}

function buildEtcd(pick: EtcdPick | null, oldestVersion: string | undefined, integrity: IntegrityNote[]): EtcdFact {
  const prefix = (pick?.c.prefix ?? '/coreos.com/network').replace(/(?<!\/)\/+$/, '') || '/coreos.com/network'; // (?<!/): linear on a prefix of many slashes
  const input = pick?.c.input ?? '';
  const dumpFile = outcomeOf(pick?.c ?? { outcomes: new Map() }, 'etcd-get-prefix')?.file ?? 'etcd/get-prefix.json';
  const configKey = `${prefix}/config`;
  const ev = (file: string, extra: Partial<Evidence> = {}): Evidence => ({ input, file, ...extra });
  const notes = (issues: ParseIssue[]) => {
    for (const i of issues.slice(0, 20)) integrity.push({ input, kind: 'parse', id: null, state: 'parse-issue', message: i.message, file: i.line ? `${i.file}:${i.line}` : i.file, expected: false });
  };
  const v3Config = absentNetworkConfig('etcd-v3', configKey, [ev(dumpFile, { absent: true, lookedFor: configKey, key: configKey })]);
  const etcd: EtcdFact = {
    collected: pick !== null,
    source: input,
    prefix,
    endpoints: pick?.c.endpoints ?? '',
    config: v3Config,
    flanneldStore: oldestVersion !== undefined && compareVersions(oldestVersion, 'v0.18.0') < 0 ? 'etcd-v2' : 'etcd-v3',
    flanneldConfig: v3Config,
    v2Config: absentNetworkConfig('etcd-v2', configKey, [ev('etcd/v2-get-config.json', { absent: true, lookedFor: configKey, key: configKey })]),
    v2Collected: false,
    v2Enabled: false,
    keys: [],
    configLikeKeys: [],
    leases: [],
    leaseBySubnet: Object.create(null),
    leaseTtlsCollected: false,
    endpointHealth: [],
    errors: [],
    evidence: [ev(dumpFile)],
  };
  etcd.flanneldConfig = etcd.flanneldStore === 'etcd-v2' ? etcd.v2Config : etcd.config;
  if (!pick) return etcd;
  const c = pick.c;
  if (pick.get) notes(pick.get.issues);
  const kvs = pick.get?.value.kvs ?? [];
  if (pick.get?.value.revision) etcd.revision = pick.get.value.revision;
  if (pick.get?.value.clusterId) etcd.clusterId = pick.get.value.clusterId;

  // lease TTLs by hex id
  const ttls = new Map<string, { ttl: number; file: string }>();
  for (const [hex, { text, file }] of c.leaseTtlTexts) {
    const p = parseEtcdLeaseTimeToLive(text, file);
    notes(p.issues);
    if (p.value) ttls.set(p.value.idHex.toLowerCase(), { ttl: p.value.ttl, file });
    else ttls.set(hex, { ttl: Number.NaN, file });
  }
  etcd.leaseTtlsCollected = (c.outcomes.get('etcd-lease-ttl') ?? []).some((o) => o.state === 'ok');

  for (const kv of kvs) {
    if (etcd.keys.length < 10000) etcd.keys.push(kv.key);
    if (kv.key === configKey) {
      etcd.config = networkConfigFact(kv.value ?? '', 'etcd-v3', configKey, [ev(dumpFile, { key: configKey, pointer: kv.pointer, excerpt: clip(kv.value ?? '(value is not valid base64/UTF-8)') })]);
      continue;
    }
    if ((kv.key.endsWith('/config') || kv.key === prefix) && !kv.key.startsWith(`${prefix}/subnets/`)) etcd.configLikeKeys.push(kv.key);
    if (!kv.key.startsWith(`${prefix}/subnets/`)) continue;
    const lease = leaseFact(kv.key, kv.key.slice(prefix.length + 9), kv.value, 'etcd-v3', ev(dumpFile, { key: kv.key, pointer: kv.pointer, excerpt: clip(kv.value ?? '') }));
    if (!lease) continue;
    if (kv.lease && kv.lease !== '0') {
      lease.etcdLeaseId = kv.lease;
      const hex = leaseIdHex(kv.lease);
      if (hex) {
        lease.etcdLeaseIdHex = hex;
        const t = ttls.get(hex);
        if (t && Number.isFinite(t.ttl)) {
          lease.ttlKnown = true;
          lease.ttlSeconds = t.ttl;
          lease.ttlLeft = t.ttl < 0 ? 'expired' : formatDuration(t.ttl);
          lease.evidence.push(ev(t.file, { excerpt: `ttl ${t.ttl}s` }));
        }
      }
    } else {
      lease.reservation = true;
      lease.ttlLeft = 'never';
    }
    etcd.leases.push(lease);
  }

  // v2 store
  const v2get = c.texts.get('etcd-v2-get-config') ?? c.texts.get('etcd-v2-get-config:stderr');
  const v2Outcome = outcomeOf(c, 'etcd-v2-get-config');
  if (v2Outcome && v2Outcome.state !== 'skipped' && v2Outcome.state !== 'missing') {
    etcd.v2Collected = true;
    const text = [c.texts.get('etcd-v2-get-config'), c.texts.get('etcd-v2-get-config:stderr')].filter(Boolean).join('\n');
    const p = parseEtcdV2Get(text || v2get || '', v2Outcome.file ?? 'etcd/v2-get-config.json');
    const cfg = p.value.nodes.find((n) => n.key === configKey && !n.dir);
    if (cfg && cfg.value !== null) {
      etcd.v2Config = networkConfigFact(cfg.value, 'etcd-v2', configKey, [ev(v2Outcome.file ?? 'etcd/v2-get-config.json', { key: configKey, excerpt: clip(cfg.value) })]);
      etcd.v2Enabled = true;
    } else if (p.value.error) {
      const kind = classifyEtcdError(`${p.value.error.code ?? ''}: ${p.value.error.message}`);
      const k2 = classifyEtcdError(text);
      etcd.v2ErrorKind = k2 !== 'none' && k2 !== 'other' ? k2 : kind;
      etcd.v2Enabled = etcd.v2ErrorKind === 'key-not-found';
      etcd.v2Config.evidence = [ev(v2Outcome.entry?.stderr ?? v2Outcome.file ?? 'etcd/v2-get-config.json', { absent: true, lookedFor: configKey, key: configKey, excerpt: clip(p.value.error.message) })];
    }
  }
  // v2 leases (flannel <= 0.17 keeps them there; they carry TTLs)
  const treeText = c.texts.get('etcd-v2-tree');
  const treeOutcome = outcomeOf(c, 'etcd-v2-tree');
  const v2Old = oldestVersion !== undefined && compareVersions(oldestVersion, 'v0.18.0') < 0;
  if (treeText && treeOutcome?.state === 'ok') {
    const p = parseEtcdV2Tree(treeText, treeOutcome.file ?? 'etcd/v2-tree.json');
    notes(p.issues);
    etcd.v2Collected = true;
    // etcd 3.4+ without --enable-v2 answers the v2 keys URL with a plain "404 page not found"
    if (classifyEtcdError(treeText) === 'v2-disabled') etcd.v2ErrorKind ??= 'v2-disabled';
    else if (!p.value.error) etcd.v2Enabled = true;
    const cfgNode = p.value.nodes.find((n) => n.key === configKey && !n.dir);
    if (cfgNode?.value && !etcd.v2Config.present) etcd.v2Config = networkConfigFact(cfgNode.value, 'etcd-v2', configKey, [ev(treeOutcome.file ?? 'etcd/v2-tree.json', { key: configKey, excerpt: clip(cfgNode.value) })]);
    if (etcd.leases.length === 0 || v2Old) {
      const v2Leases: LeaseFact[] = [];
      for (const n of p.value.nodes) {
        if (n.dir || !n.key.startsWith(`${prefix}/subnets/`)) continue;
        const lease = leaseFact(n.key, n.key.slice(prefix.length + 9), n.value, 'etcd-v2', ev(treeOutcome.file ?? 'etcd/v2-tree.json', { key: n.key, excerpt: clip(n.value ?? '') }));
        if (!lease) continue;
        if (n.ttl !== null) {
          lease.ttlKnown = true;
          lease.ttlSeconds = n.ttl;
          lease.ttlLeft = formatDuration(n.ttl);
        } else {
          lease.reservation = true;
          lease.ttlLeft = 'never';
        }
        v2Leases.push(lease);
      }
      if (v2Leases.length && (etcd.leases.length === 0 || v2Old)) {
        etcd.leases = v2Leases;
        etcd.leaseTtlsCollected = true;
      }
    }
  } else {
    const lsText = c.texts.get('etcd-v2-ls');
    if (lsText && outcomeOf(c, 'etcd-v2-ls')?.state === 'ok') {
      const p = parseEtcdV2Ls(lsText, 'etcd/v2-ls.txt');
      if (!p.value.error) etcd.v2Enabled = true;
    }
  }
  for (const l of etcd.leases) etcd.leaseBySubnet[l.subnet] ??= l;

  // endpoints
  const health = c.texts.get('etcd-endpoint-health');
  const status = c.texts.get('etcd-endpoint-status');
  const statusRows = status ? parseEtcdEndpointStatus(status, 'etcd/endpoint-status.json').value : [];
  if (health) {
    for (const h of parseEtcdEndpointHealth(health, 'etcd/endpoint-health.json').value) {
      const row: FactOf<'EtcdEndpoint'> = {
        endpoint: h.endpoint,
        healthy: h.health,
        evidence: [ev('etcd/endpoint-health.json', { excerpt: clip(`${h.endpoint} health ${h.health}${h.error ? `: ${h.error}` : ''}`) })],
      };
      if (h.error) row.error = h.error;
      const st = statusRows.find((s) => s.endpoint === h.endpoint);
      if (st?.version) row.version = st.version;
      etcd.endpointHealth.push(row);
    }
  }
  const sv = statusRows.find((s) => s.version)?.version;
  if (sv) etcd.serverVersion = sv;
  // flannel v0.17 and older read the v2 store, v0.18 and later v3 (an unknown version is taken as current)
  etcd.flanneldConfig = etcd.flanneldStore === 'etcd-v2' ? etcd.v2Config : etcd.config;

  // failed etcd commands, classified
  for (const [id, list] of c.outcomes) {
    for (const o of list) {
      if (o.state !== 'failed' && o.state !== 'timed-out') continue;
      const text = [c.texts.get(`${id}:stderr`), o.reason].filter(Boolean).join('\n');
      const kind = o.state === 'timed-out' ? 'deadline-exceeded' : classifyEtcdError(text);
      etcd.errors.push({
        command: id,
        kind: kind === 'none' ? 'other' : kind,
        message: clip(summarizeEtcdError(c.texts.get(`${id}:stderr`) ?? o.reason) || o.reason, 300),
        node: c.hostname,
        evidence: [ev(o.entry?.stderr ?? o.file ?? 'manifest.json', { line: 1, excerpt: clip(firstLine(c.texts.get(`${id}:stderr`) ?? o.reason)) })],
      });
    }
  }
  return etcd;
}

function leaseFact(key: string, keyTail: string, value: string | null, store: string, evidence: Evidence): LeaseFact | null {
  const sub = subnetFromLeaseKey(keyTail);
  if (!sub) return null;
  const lease: LeaseFact = {
    key,
    subnet: sub.v4,
    valueValid: false,
    backendType: '',
    reservation: false,
    ttlKnown: false,
    ttlLeft: 'unknown',
    ownerCollected: false,
    ownerKubeNode: false,
    store,
    backupFile: `lease-${sub.v4.replace(/[/:]/g, '-')}.backup.json`,
    evidence: [evidence],
  };
  if (sub.v6) lease.ipv6Subnet = sub.v6;
  if (value !== null) {
    try {
      const v = JSON.parse(value) as Record<string, unknown>;
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        lease.valueValid = true;
        if (typeof v.PublicIP === 'string') lease.publicIp = v.PublicIP;
        if (typeof v.PublicIPv6 === 'string') lease.publicIpv6 = v.PublicIPv6;
        if (typeof v.BackendType === 'string') lease.backendType = v.BackendType;
        const bd = v.BackendData as Record<string, unknown> | undefined;
        if (bd && typeof bd === 'object') {
          if (typeof bd.VNI === 'number') lease.vni = bd.VNI;
          if (typeof bd.VtepMAC === 'string') lease.vtepMac = bd.VtepMAC;
        }
      }
    } catch {
      lease.valueValid = false;
    }
  }
  return lease;
}

// ---- kubernetes ------------------------------------------------------------------------------

/** kube/nodes.json of the contribution pickKube chose, so that buildKube does not parse it again */
const pickedKubeNodes = new WeakMap<KubeContribution, ReturnType<typeof parseKubeNodes>>();

function pickKube(list: KubeContribution[], notes: string[]): KubeContribution | null {
  let best: KubeContribution | null = null;
  let bestRv = -1n;
  for (const k of list) {
    const text = k.texts.get('kube-nodes');
    const parsed = text ? parseKubeNodes(text, 'kube/nodes.json') : null;
    const rv = parsed ? parsed.value.resourceVersion : null;
    // a resourceVersion is an etcd revision (uint64): BigInt of a megabyte of digits takes seconds
    const n = rv && /^\d{1,20}$/.test(rv) ? BigInt(rv) : text ? 0n : -1n;
    if (best === null || n > bestRv) {
      if (best) pickedKubeNodes.delete(best);
      if (parsed) pickedKubeNodes.set(k, parsed);
      best = k;
      bestRv = n;
    }
  }
  if (list.length > 1 && best) notes.push(`Kubernetes objects were collected on ${list.length} nodes; those from ${best.input} (newest resourceVersion) were used.`);
  return best;
}

function buildKube(pick: KubeContribution | null, nodes: NodeFact[], integrity: IntegrityNote[]): KubeFact {
  const kube: KubeFact = { collected: false, source: pick?.input ?? '', nodes: [], nodeByName: Object.create(null), pods: [] };
  if (!pick) return kube;
  const input = pick.input;
  const notes = (issues: ParseIssue[]) => {
    for (const i of issues.slice(0, 20)) integrity.push({ input, kind: 'parse', id: null, state: 'parse-issue', message: i.message, file: i.line ? `${i.file}:${i.line}` : i.file, expected: false });
  };
  const nodesText = pick.texts.get('kube-nodes');
  if (nodesText && outcomeOf(pick, 'kube-nodes')?.state === 'ok') {
    kube.collected = true;
    const p = pickedKubeNodes.get(pick) ?? parseKubeNodes(nodesText, 'kube/nodes.json');
    notes(p.issues);
    const hostnames = new Set(nodes.map((n) => n.hostname));
    for (const r of p.value.items) {
      const ann = r.annotations;
      const kn: FactOf<'KubeNode'> = {
        name: r.name,
        podCIDRs: r.podCIDRs,
        addresses: r.addresses.map((a) => a.address),
        annotations: ann,
        flannelManaged: ann['flannel.alpha.coreos.com/kube-subnet-manager'] === 'true',
        collected: hostnames.has(r.name),
        evidence: [{ input, file: 'kube/nodes.json', pointer: r.pointer, excerpt: clip(`${r.name} podCIDR=${r.podCIDR ?? '(none)'}`) }],
      };
      if (r.podCIDR) kn.podCIDR = r.podCIDR;
      const internal = r.addresses.find((a) => a.type === 'InternalIP')?.address;
      if (internal) kn.internalIp = internal;
      if (ann['flannel.alpha.coreos.com/backend-type']) kn.backendType = ann['flannel.alpha.coreos.com/backend-type'];
      if (ann['flannel.alpha.coreos.com/public-ip']) kn.publicIp = ann['flannel.alpha.coreos.com/public-ip'];
      if (ann['flannel.alpha.coreos.com/public-ip-overwrite']) kn.publicIpOverwrite = ann['flannel.alpha.coreos.com/public-ip-overwrite'];
      const bd = ann['flannel.alpha.coreos.com/backend-data'];
      if (bd) {
        try {
          const v = JSON.parse(bd) as { VtepMAC?: unknown };
          if (v && typeof v.VtepMAC === 'string') kn.vtepMac = v.VtepMAC;
        } catch {
          /* a malformed annotation is simply not a MAC */
        }
      }
      const arch = r.labels['kubernetes.io/arch'] ?? r.architecture;
      if (arch) kn.arch = arch;
      kube.nodes.push(kn);
      kube.nodeByName[kn.name] ??= kn;
    }
  }
  const podsText = pick.texts.get('kube-flannel-pods');
  if (podsText && outcomeOf(pick, 'kube-flannel-pods')?.state === 'ok') {
    const p = parseKubePods(podsText, 'kube/flannel-pods.json');
    notes(p.issues);
    for (const r of p.value.items) {
      const image = r.images.find((i) => /flannel/.test(i) && !/cni-plugin/.test(i)) ?? r.images[0];
      const pod: FactOf<'KubePod'> = { name: r.name, namespace: r.namespace, restarts: r.restartCount, evidence: [{ input, file: 'kube/flannel-pods.json', pointer: r.pointer, excerpt: clip(`${r.namespace}/${r.name} ${image ?? ''}`) }] };
      if (r.nodeName) pod.nodeName = r.nodeName;
      if (image) {
        pod.image = image;
        const v = versionFromImage(image);
        if (v) pod.version = v;
      }
      kube.pods.push(pod);
      kube.flannelNamespace ??= r.namespace;
    }
  }
  const cmText = pick.texts.get('kube-flannel-cfg');
  if (cmText && outcomeOf(pick, 'kube-flannel-cfg')?.state === 'ok') {
    const p = parseKubeConfigMaps(cmText, 'kube/flannel-configmaps.json');
    notes(p.issues);
    const cm = p.value.items.find((i) => i.name === 'kube-flannel-cfg' && 'net-conf.json' in i.data) ?? p.value.items.find((i) => 'net-conf.json' in i.data);
    if (cm) {
      kube.netConf = networkConfigFact(cm.data['net-conf.json'], 'configmap', `${cm.namespace}/${cm.name} net-conf.json`, [{ input, file: 'kube/flannel-configmaps.json', pointer: `${cm.pointer}/data/net-conf.json`, excerpt: clip(cm.data['net-conf.json']) }]);
      kube.flannelNamespace ??= cm.namespace;
    } else if (p.value.items.length === 0 || !cm) {
      kube.netConf = absentNetworkConfig('configmap', 'kube-flannel-cfg net-conf.json', [{ input, file: 'kube/flannel-configmaps.json', absent: true, lookedFor: 'ConfigMap kube-flannel-cfg with net-conf.json' }]);
    }
  }
  return kube;
}

function clusterAvailability(etcd: EtcdPick | null, kube: KubeContribution | null, etcdFact: EtcdFact): Record<string, DataState> {
  const out: Record<string, DataState> = Object.create(null);
  for (const [key, spec] of Object.entries(DATA_PATHS.cluster)) {
    const ids = spec.commands as readonly string[];
    const src = key.startsWith('etcd.') ? etcd?.c : kube;
    if (!src) {
      out[key] = { ok: false, reason: key.startsWith('etcd.') ? 'etcd was not collected (no bundle has an etcd section)' : 'Kubernetes objects were not collected (no bundle has a kube section)' };
      continue;
    }
    const states = ids.flatMap((id) => (src.outcomes.get(id) ?? []).map((o) => ({ id, o })));
    const ok = states.some(({ o }) => o.state === 'ok');
    const reason = states.length === 0 ? `${ids.join(', ')} not collected` : states.map(({ id, o }) => `${id}${o.subject ? ` (${o.subject})` : ''} ${o.state}${o.reason ? ` (${o.reason})` : ''}`).slice(0, 5).join('; ');
    out[key] = { ok, reason: ok ? '' : `${reason} [${src.input}]` };
  }
  // v2 answers that say "not there" are data, not failures
  if (etcd && etcdFact.v2Collected && (etcdFact.v2Enabled || etcdFact.v2ErrorKind === 'v2-disabled' || etcdFact.v2ErrorKind === 'key-not-found')) out['etcd.v2'] = { ok: true, reason: '' };
  // lease TTLs: fine when every lease is a reservation or TTLs came with the v2 tree
  if (etcd && etcdFact.leaseTtlsCollected) out['etcd.leaseTtls'] = { ok: true, reason: '' };
  if (etcd && !out['etcd.leases'].ok && etcdFact.leases.length && etcdFact.leases[0].store === 'etcd-v2') out['etcd.leases'] = { ok: true, reason: '' };
  const ttlTruncated = (etcd?.c.outcomes.get('etcd-lease-ttl') ?? []).some((o) => o.state === 'truncated' || o.entry?.truncated);
  if (ttlTruncated) out['etcd.leaseTtls'] = { ok: false, reason: 'the collector cut the lease TTL look-ups short (etcd-lease-ttl truncated)' };
  return out;
}
