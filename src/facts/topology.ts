// Cross-source facts about each node's flannel plumbing: its subnet, the devices a backend created and
// how they compare with the config, lease and annotations, the peers it should route to, the backend
// types each source says, and the cluster-wide groups (modes, flags) that multi-instance rules compare.
// Computed once here so that no rule searches one node's data inside a loop over nodes.
import { compareVersions, parseVersion } from '../parsers/flannel-version.js';
import type { ClusterFact, EtcdFact, FactOf, KubeFact, NodeFact } from './schema.js';
import { networkOf, parseCidrLoose, parsedCidrContains } from './net.js';
import { goArch } from './iface.js';

type Group = FactOf<'Group'>;
type Flanneld = FactOf<'Flanneld'>;

/** Backends whose flannel code creates a device (the others route over the host's own interface). */
const DEVICE_BACKENDS = new Set(['vxlan', 'wireguard', 'udp', 'ipip']);
/** Backends whose per-peer routes name the peer's subnet (vxlan: via flannel.N; host-gw: via the peer). */
const ROUTED_BACKENDS = new Set(['vxlan', 'host-gw']);
const VXLAN_DEFAULT_PORT = 8472;
/** Per-node lists of peers are cut to this many examples (their counts stay exact): facts stay linear in nodes. */
const PEER_EXAMPLES = 20;
/** Distinct sets of connected networks whose far peers are kept while deriving host-gw facts. */
const KEPT_NETWORK_SETS = 16;

/** k3s --flannel-backend values as flannel backend types (k3s docs: wireguard-native is flannel's wireguard). */
function k3sBackend(v: string): string {
  return v === 'wireguard-native' || v === 'wireguard' ? 'wireguard' : v;
}

function groupBy<T>(items: T[], key: (t: T) => string | undefined, name: (t: T) => string): Group[] {
  // a Set per value: with every node in one group, a list search per node was quadratic
  const m = new Map<string, Set<string>>();
  for (const it of items) {
    const k = key(it);
    if (k === undefined) continue;
    const names = m.get(k) ?? m.set(k, new Set()).get(k)!;
    names.add(name(it));
  }
  return [...m].map(([value, nodes]) => ({ value, nodes: [...nodes] }));
}

const isIp = (s: string) => parseCidrLoose(s) !== null && !s.includes('/');

/** Cluster-wide groups: every flannel process, the subnet manager modes, flags that differ between nodes. */
export function clusterGroups(nodes: NodeFact[]): Pick<ClusterFact, 'flanneldProcesses' | 'subnetManagerModes' | 'flagDifferences'> {
  const flanneldProcesses = nodes.flatMap((n) => n.flanneld);
  const subnetManagerModes = groupBy(flanneldProcesses, (f) => (f.mode === 'embedded' ? 'kube' : f.mode), (f) => f.node);
  // the first flanneld of each node; k3s/rke2 take other flags, so they are not compared
  const firsts = nodes.map((n) => n.flanneld.find((f) => f.source === 'flanneld')).filter((f): f is Flanneld => f !== undefined);
  const flagDifferences: FactOf<'FlagDifference'>[] = [];
  if (firsts.length > 1) {
    const compare: [string, (f: Flanneld) => string | undefined][] = [
      ['ip-masq', (f) => (f.ipMasq ? 'true' : '(unset)')],
      // an address given as --iface is per node by nature: only names and their absence are compared
      ['iface', (f) => (f.ifaces.length === 0 ? '(unset)' : f.ifaces.every(isIp) ? undefined : f.ifaces.join(','))],
      ['iface-regex', (f) => (f.ifaceRegexes.length ? f.ifaceRegexes.join(',') : '(unset)')],
      ['etcd-prefix', (f) => (f.mode === 'etcd' ? f.etcdPrefix : undefined)],
    ];
    for (const [flag, value] of compare) {
      const groups = groupBy(firsts, value, (f) => f.node);
      if (groups.length > 1) flagDifferences.push({ flag, groups });
    }
  }
  return { flanneldProcesses, subnetManagerModes, flagDifferences };
}

/** Per-node derived facts; needs the cluster config, leases and Kubernetes nodes already linked to nodes. */
export function deriveNodeTopology(nodes: NodeFact[], etcd: EtcdFact, kube: KubeFact, cluster: ClusterFact): void {
  const backend = cluster.backend;
  const config = cluster.config?.present && cluster.config.validJson ? cluster.config : undefined;
  // every address a peer may be reached at, with its node name
  const peerIps = new Map<string, string>();
  for (const n of nodes) if (n.publicIp) peerIps.set(n.publicIp, n.hostname);
  for (const l of etcd.leases) if (l.publicIp && !peerIps.has(l.publicIp)) peerIps.set(l.publicIp, l.ownerNode ?? l.subnet);
  for (const kn of kube.nodes) {
    const ip = kn.publicIp ?? kn.internalIp;
    if (ip && !peerIps.has(ip)) peerIps.set(ip, kn.name);
  }
  // parsed once, not once per node (every node looks at every peer)
  const peerList = [...peerIps].map(([ip, name]) => ({ ip, name, parsed: parseCidrLoose(ip) }));
  // every lease subnet of the backend, sorted once: a node's peers are these without its own
  const leasePeers = backend ? [...new Set(etcd.leases.filter((l) => (l.backendType || 'udp') === backend).map((l) => l.subnet))].sort() : [];
  // kube mode: every annotated node's podCIDR of the backend (a node skips its own)
  const kubePeers = backend ? [...new Set(kube.nodes.filter((kn) => kn.flannelManaged && kn.podCIDR && (kn.backendType ?? backend) === backend).map((kn) => networkOf(kn.podCIDR!) ?? kn.podCIDR!))].sort() : [];
  const peerSet = new Set(cluster.mode === 'etcd' ? leasePeers : kubePeers);

  type Peer = (typeof peerList)[number];
  const outsideByNets = new Map<string, Peer[]>();
  const peerByIp = new Map(peerList.map((p) => [p.ip, p]));
  const peersByName = new Map<string, Peer[]>();
  for (const p of peerList) (peersByName.get(p.name) ?? peersByName.set(p.name, []).get(p.name)!).push(p);
  const counted = new Set<Peer>();

  for (const n of nodes) {
    const arch = goArch(n.arch);
    if (arch) n.goArch = arch;
    const subnet = n.subnetEnv.subnetNetwork ?? n.lease?.subnet ?? n.kubeNode?.podCIDR;
    if (subnet) n.subnet = networkOf(subnet) ?? subnet;
    const held = n.subnetEnv.subnetNetwork ? etcd.leaseBySubnet[n.subnetEnv.subnetNetwork] : undefined;
    if (held) n.heldLease = held;
    const mac = n.lease?.vtepMac ?? n.kubeNode?.vtepMac;
    if (mac) n.expectedVtepMac = mac;

    // ---- the vxlan device against the config, the lease/annotation and the interface flannel uses
    const dev = n.flannelDevice;
    if (dev && backend === 'vxlan' && config) {
      const mm: string[] = [];
      const vni = config.vni ?? 1;
      if (dev.vxlanId !== undefined && dev.vxlanId !== vni) mm.push(`VNI ${dev.vxlanId} (config VNI ${vni})`);
      else if (dev.vxlanId !== undefined && n.lease?.vni !== undefined && dev.vxlanId !== n.lease.vni) mm.push(`VNI ${dev.vxlanId} (lease VNI ${n.lease.vni})`);
      const port = config.port !== undefined && config.port !== 0 ? config.port : VXLAN_DEFAULT_PORT;
      if (dev.vxlanPort !== undefined && dev.vxlanPort !== port) mm.push(`UDP port ${dev.vxlanPort} (${config.port ? `config Port ${port}` : `kernel default ${port}, no Port in the config`})`);
      // the annotation's VtepMAC is compared by the kube-subnet-mgr rules; here the etcd lease's
      const leaseMac = n.lease?.vtepMac;
      if (leaseMac && dev.mac && dev.mac.toLowerCase() !== leaseMac.toLowerCase()) mm.push(`MAC ${dev.mac} (lease VtepMAC ${leaseMac})`);
      // VTEP local: the interface address up to v0.27.3, the external (public) address from v0.27.4
      const v = n.version;
      const known = v !== undefined && parseVersion(v) !== null;
      const wanted = !known
        ? [n.ifaceAddress, n.publicIp]
        : compareVersions(v!, 'v0.27.4') >= 0 ? [n.publicIp] : [n.ifaceAddress];
      const ok = wanted.filter((x): x is string => !!x);
      if (dev.vxlanLocal && ok.length && !ok.includes(dev.vxlanLocal)) mm.push(`local ${dev.vxlanLocal} (flannel${known ? ` ${v}` : ''} uses ${[...new Set(ok)].join(' or ')})`);
      n.vxlanMismatches = mm;
    }

    // ---- peers this node should route to (only when its flannel runs and its subnet is known)
    if (backend && ROUTED_BACKENDS.has(backend) && n.flanneld.length > 0 && n.subnet) {
      const routed = new Set(n.routes.map((r) => r.dst));
      const own = n.subnet;
      const peers = cluster.mode === 'etcd' ? leasePeers : kubePeers;
      // counted from this node's routes, not by looking up every peer: linear in the routes it has
      let routedPeers = 0;
      for (const dst of routed) if (dst !== own && peerSet.has(dst)) routedPeers++;
      n.peerSubnetCount = peers.length - (peerSet.has(own) ? 1 : 0);
      n.missingPeerRouteCount = n.peerSubnetCount - routedPeers;
      // the first examples, in subnet order: a scan that stops once it has them all
      const sample: string[] = [];
      const want = Math.min(PEER_EXAMPLES, n.missingPeerRouteCount);
      for (let i = 0; i < peers.length && sample.length < want; i++) if (peers[i] !== own && !routed.has(peers[i])) sample.push(peers[i]);
      n.missingPeerRoutes = sample;
    }

    // ---- backend types each source says
    const views: FactOf<'BackendView'>[] = [];
    if (n.lease) views.push({ source: 'lease', type: n.lease.backendType || 'udp', detail: n.lease.key, evidence: n.lease.evidence });
    if (n.kubeNode?.backendType) views.push({ source: 'annotation', type: n.kubeNode.backendType, detail: `flannel.alpha.coreos.com/backend-type of node ${n.kubeNode.name}`, evidence: n.kubeNode.evidence });
    for (const f of n.flanneld) if (f.source !== 'flanneld' && f.backend) views.push({ source: 'k3s-flag', type: k3sBackend(f.backend), detail: `${f.source} flannel-backend=${f.backend}`, evidence: f.evidence });
    // a device says which backend runs only when the configured backend's own device is absent
    if (backend && DEVICE_BACKENDS.has(backend) && !n.flannelDevices.some((d) => d.flannelBackend === backend)) {
      for (const d of n.flannelDevices) views.push({ source: 'device', type: d.flannelBackend!, detail: `device ${d.name}${d.kind ? ` (${d.kind})` : ''}`, evidence: d.evidence });
    }
    n.backendViews = views;

    // ---- peers not on-link (host-gw routes "via <peer>" need the peer in a connected network)
    if (backend !== 'host-gw') continue;
    const onLink = [
      ...n.interfaces.filter((i) => !i.flannelBackend && i.kind !== 'bridge' && i.name !== 'lo').flatMap((i) => i.addresses.filter((a) => !a.includes(':'))),
      ...n.routes.filter((r) => !r.gateway && r.dst.includes('/') && !r.dst.includes(':') && r.dev && !r.dev.startsWith('flannel') && r.dev !== 'cni0').map((r) => r.dst),
    ];
    const own = new Set(n.addresses);
    // the peers outside these networks, found once per distinct set of networks (nodes of one L2 segment
    // share theirs; keyed by network, not by the node's own address in it): looking at every peer for
    // every node was quadratic. Only a few sets are kept: nodes each on a network of their own, which is
    // what this check reports, are looked at one by one without keeping anything.
    const nets = onLink.map(parseCidrLoose);
    const netsKey = [...new Set(onLink.map((c) => networkOf(c) ?? c))].sort().join(' ');
    let outside = outsideByNets.get(netsKey);
    if (outside === undefined) {
      outside = peerList.filter(({ parsed }) => !nets.some((c) => parsedCidrContains(c, parsed)));
      if (outsideByNets.size < KEPT_NETWORK_SETS) outsideByNets.set(netsKey, outside);
    }
    const mine = (p: Peer) => own.has(p.ip) || p.name === n.hostname;
    // this node's own entries among them (its addresses, the peers named after it): a few look-ups
    let ownOutside = 0;
    for (const p of [...[...own].map((ip) => peerByIp.get(ip)), ...(peersByName.get(n.hostname) ?? [])]) {
      if (p && !counted.has(p) && !nets.some((c) => parsedCidrContains(c, p.parsed))) {
        counted.add(p);
        ownOutside++;
      }
    }
    counted.clear();
    n.nonL2PeerCount = outside.length - ownOutside;
    const sample: string[] = [];
    for (let i = 0; i < outside.length && sample.length < Math.min(PEER_EXAMPLES, n.nonL2PeerCount); i++) {
      const p = outside[i];
      if (!mine(p)) sample.push(p.name === p.ip ? p.ip : `${p.name} (${p.ip})`);
    }
    n.nonL2Peers = sample;
  }
}
