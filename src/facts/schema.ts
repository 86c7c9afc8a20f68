// The facts schema: the one description of what rules can see. From it come the CEL type declarations
// (so `rules lint` type-checks conditions), the template checker, `flannel-diag rules facts`, and the
// TypeScript types of the fact model (FactOf<'Lease'> etc.), so the three can never disagree.
//
// Field types use CEL's names: string, int, double, bool, list<T>, map<string, T>, or a type below.
// `int` fields are JS numbers in the model and BigInt inside CEL (see toCel.ts). Optional fields are
// absent when unknown: rules test them with has(x.field).

export interface FieldSpec {
  readonly type: string;
  readonly doc: string;
  readonly optional?: boolean;
}

function f<T extends string>(type: T, doc: string): { readonly type: T; readonly doc: string } {
  return { type, doc };
}
function opt<T extends string>(type: T, doc: string): { readonly type: T; readonly doc: string; readonly optional: true } {
  return { type, doc, optional: true };
}

export const FACT_TYPES = {
  Evidence: {
    input: f('string', 'the input (archive or directory) the fact came from; `set!member` for a member of a set'),
    file: opt('string', 'path of the file inside the bundle'),
    line: opt('int', 'line in the file'),
    key: opt('string', 'etcd key'),
    pointer: opt('string', 'JSON pointer into the file'),
    excerpt: opt('string', 'the text cited'),
  },
  NetworkConfig: {
    source: f('string', 'where it was read: etcd-v3, etcd-v2, net-conf (the node file), configmap (kube-flannel-cfg), k3s-flags'),
    location: f('string', 'the etcd key or file path it was read from'),
    present: f('bool', 'the key or file exists'),
    validJson: f('bool', 'the text parses as JSON (false when absent)'),
    jsonError: opt('string', 'the JSON parse error, with line and column'),
    jsonErrorLine: opt('int', 'line of the JSON error (1-based)'),
    jsonErrorColumn: opt('int', 'column of the JSON error (1-based)'),
    text: opt('string', 'the raw text, shortened to 2000 characters'),
    network: opt('string', 'Network (IPv4 CIDR) as written'),
    enableIPv4: f('bool', 'EnableIPv4 (default true)'),
    enableIPv6: f('bool', 'EnableIPv6 (default false)'),
    ipv6Network: opt('string', 'IPv6Network as written'),
    subnetLen: opt('int', 'SubnetLen as written'),
    effectiveSubnetLen: opt('int', 'SubnetLen flannel uses: as written, else 24 for /22 or larger, else prefix+2'),
    subnetMin: opt('string', 'SubnetMin as written'),
    subnetMax: opt('string', 'SubnetMax as written'),
    capacity: opt('int', 'number of subnets between the effective SubnetMin and SubnetMax'),
    backendPresent: f('bool', 'a Backend object is present'),
    backendType: f('string', 'effective backend type: Backend.Type, or "udp" when Backend is absent (flannel code default)'),
    backendTypeKnown: f('bool', 'backendType is one flannel knows (vxlan, host-gw, udp, wireguard, ipip, ipsec, alloc, tencent-vpc, ali-vpc, aws-vpc, gce)'),
    enableNFTables: f('bool', 'EnableNFTables (default false): flannel uses nftables instead of iptables (no br_netfilter check)'),
    vni: opt('int', 'Backend.VNI (vxlan; default 1)'),
    port: opt('int', 'Backend.Port (vxlan/wireguard)'),
    problems: f('list<string>', "flannel's own validation messages for this config (CheckNetworkConfig, by the flannel code), empty when valid"),
    evidence: f('list<Evidence>', 'where it was read'),
  },
  Lease: {
    key: f('string', 'the etcd key, e.g. /coreos.com/network/subnets/10.244.5.0-24'),
    subnet: f('string', 'the IPv4 subnet in CIDR form, e.g. 10.244.5.0/24'),
    ipv6Subnet: opt('string', 'the IPv6 subnet of a dual-stack lease'),
    valueValid: f('bool', 'the value is valid lease JSON'),
    publicIp: opt('string', 'PublicIP of the owner'),
    publicIpv6: opt('string', 'PublicIPv6 of the owner'),
    backendType: f('string', 'BackendType; empty for udp, which sets none'),
    vni: opt('int', 'BackendData.VNI (vxlan)'),
    vtepMac: opt('string', 'BackendData.VtepMAC (vxlan)'),
    etcdLeaseId: opt('string', 'the etcd lease id, decimal (int64 kept as text)'),
    etcdLeaseIdHex: opt('string', 'the etcd lease id in hex, as etcdctl text output and lease file names show it'),
    reservation: f('bool', 'the key has no etcd lease: it never expires'),
    ttlKnown: f('bool', 'the remaining TTL was collected (etcd/leases/HEXID.json, or the v2 ttl)'),
    ttlSeconds: opt('int', 'seconds left before the key expires'),
    ttlLeft: f('string', 'the time left, human readable (e.g. 18h4m), "never" for a reservation, "unknown"'),
    ownerNode: opt('string', 'hostname of the collected (or Kubernetes) node that has publicIp'),
    ownerCollected: f('bool', 'publicIp is an address of a collected node'),
    ownerKubeNode: f('bool', 'publicIp is an address of a Kubernetes node in kube/nodes.json'),
    store: f('string', 'etcd-v3 or etcd-v2'),
    backupFile: f('string', 'a file name to back the key up to before changing it'),
    evidence: f('list<Evidence>', 'where the lease was read'),
  },
  LogEvent: {
    signature: f('string', 'the id of the log signature that matched'),
    time: opt('string', 'ISO-8601 time of the line when known'),
    line: f('int', 'line in the log file'),
    text: f('string', 'the line (shortened to 500 characters)'),
    groups: f('list<string>', 'the capture groups of the signature'),
    evidence: f('list<Evidence>', 'the log file and line'),
  },
  Log: {
    collected: f('bool', 'a flanneld log was collected'),
    source: f('string', 'where the log came from (journald, crictl, file, kubectl, k3s journal)'),
    file: f('string', 'path of the log in the bundle'),
    lines: f('int', 'number of lines read'),
    firstTime: opt('string', 'time of the first timestamped line'),
    lastTime: opt('string', 'time of the last timestamped line'),
    truncated: f('bool', 'the collector kept only the newest bytes'),
    events: f('list<LogEvent>', 'lines that matched a log signature (at most 40 per signature: the first 20 and the last 20; counts has them all)'),
    counts: f('map<string, int>', 'number of matching lines per signature id (all of them)'),
    last: f('map<string, LogEvent>', 'the last matching line per signature id (the newest, for messages)'),
    intervals: f('map<string, list<int>>', 'seconds between consecutive timestamped lines of each signature, in log order (at most 200 per signature): e.g. lease losses about 86400 s apart'),
  },
  Flanneld: {
    pid: f('int', 'process id (0 for embedded flannel)'),
    source: f('string', 'flanneld, k3s or rke2 (embedded flannel)'),
    command: f('string', 'the command line, secrets redacted'),
    startedAt: opt('string', 'process start time (ISO-8601 UTC)'),
    version: opt('string', 'flanneld version, e.g. v0.22.0, from the binary, the pod image or the log'),
    versionSource: f('string', 'binary, image, log, or unknown'),
    kubeSubnetMgr: f('bool', '--kube-subnet-mgr'),
    mode: f('string', 'etcd, kube or embedded'),
    flags: f('map<string, string>', 'every flag as given (command line, then FLANNELD_* for flags not on it), without leading dashes'),
    etcdEndpoints: f('string', '--etcd-endpoints, or the flannel default'),
    etcdEndpointsSet: f('bool', '--etcd-endpoints (or FLANNELD_ETCD_ENDPOINTS) was given'),
    etcdPrefix: f('string', '--etcd-prefix, or the default /coreos.com/network'),
    etcdPrefixSet: f('bool', '--etcd-prefix was given'),
    etcdCafile: opt('string', '--etcd-cafile'),
    etcdCertfile: opt('string', '--etcd-certfile'),
    etcdKeyfile: opt('string', '--etcd-keyfile'),
    ifaces: f('list<string>', '--iface values (names or IPs), in order'),
    ifaceRegexes: f('list<string>', '--iface-regex values'),
    publicIp: opt('string', '--public-ip'),
    ipMasq: f('bool', '--ip-masq'),
    subnetFile: f('string', '--subnet-file, or /run/flannel/subnet.env'),
    netConfigPath: f('string', '--net-config-path, or /etc/kube-flannel/net-conf.json'),
    renewMarginSet: f('bool', '--subnet-lease-renew-margin was given'),
    renewMarginMinutes: f('int', '--subnet-lease-renew-margin in minutes (default 60)'),
    backend: opt('string', 'the backend chosen on the command line (k3s --flannel-backend)'),
    node: f('string', 'hostname of the node the process runs on'),
    ifaceSelection: f('string', "how flannel picks its interface: flags (--iface/--iface-regex; k3s --flannel-iface), public-ip (v0.19+: the interface owning --public-ip), default-route"),
    ifaceFound: f('bool', 'an interface matching the selection exists on the node (by name or address for --iface, by address then name for --iface-regex)'),
    chosenIface: opt('string', 'the interface the selection gives (the first match in flannel order)'),
    chosenAddress: opt('string', 'the IPv4 address flannel would use: the --iface address given, else the first IPv4 of chosenIface'),
    chosenInterface: opt('Interface', 'the chosen interface itself'),
    publicIpLocal: f('bool', '--public-ip is an address of this node (false when not given)'),
    evidence: f('list<Evidence>', 'the ps line, cmdline.txt and environ.txt'),
  },
  Interface: {
    name: f('string', 'interface name'),
    kind: f('string', 'link kind: vxlan, bridge, veth, wireguard, ipip, tun, ... ; empty for a plain device'),
    up: f('bool', 'administratively and operationally usable (UP flag; operstate UP or UNKNOWN)'),
    operstate: f('string', 'operstate as ip reports it'),
    mtu: opt('int', 'MTU'),
    mac: opt('string', 'link-layer address'),
    master: opt('string', 'the bridge it is enslaved to'),
    addresses: f('list<string>', 'addresses in CIDR form'),
    ipv4: f('list<string>', 'IPv4 addresses without prefix length'),
    vxlanId: opt('int', 'VXLAN VNI'),
    vxlanLocal: opt('string', 'VXLAN local address'),
    vxlanDev: opt('string', 'VXLAN underlay device'),
    vxlanPort: opt('int', 'VXLAN UDP destination port'),
    flannelBackend: opt('string', 'the flannel backend that creates a device of this name and kind: flannel.N/flannel-v6.N (vxlan) vxlan, flannel-wg/flannel-wg-v6 wireguard, flannel0 (tun) udp, flannel.ipip ipip'),
    evidence: f('list<Evidence>', 'where the interface was read'),
  },
  Route: {
    dst: f('string', 'destination (CIDR, address or "default")'),
    gateway: opt('string', 'next hop'),
    dev: opt('string', 'output device'),
    onlink: f('bool', 'the onlink flag is set'),
  },
  TimeSync: {
    known: f('bool', 'some time source answered'),
    synchronized: f('bool', 'the clock is synchronized (false when not known)'),
    ntpActive: f('bool', 'an NTP service is enabled/active (false when not known)'),
    ntpActiveKnown: f('bool', 'the source said whether NTP is active'),
    offsetSeconds: opt('double', 'offset from the reference, seconds, positive when the local clock is ahead'),
    source: f('string', 'the source used: timedatectl-show, timedatectl-status, chronyc-tracking, ntpq'),
    evidence: f('list<Evidence>', 'the line with the verdict'),
  },
  Kernel: {
    release: opt('string', 'kernel release (uname -r)'),
    configKnown: f('bool', 'a kernel config was read'),
    configSource: opt('string', 'which file the config came from'),
    options: f('map<string, string>', 'kernel config options: y, m, n (not set); absent when not in the config'),
    modulesKnown: f('bool', '/proc/modules or /sys/module was read'),
    loaded: f('list<string>', 'loaded modules (/proc/modules and /sys/module), names with _'),
    builtin: f('list<string>', 'modules.builtin names'),
    support: f(
      'map<string, string>',
      'per option (CONFIG_VXLAN, CONFIG_TUN, CONFIG_WIREGUARD, CONFIG_NET_IPIP, CONFIG_XFRM_USER, CONFIG_INET_ESP, CONFIG_BRIDGE_NETFILTER, CONFIG_BRIDGE, CONFIG_VETH): built-in, module-loaded, module (available, not loaded), not-set, absent (config has no line), loaded (config unknown, module loaded), unknown',
    ),
    evidence: f('list<Evidence>', 'the kernel config file'),
  },
  SubnetEnv: {
    present: f('bool', 'subnet.env was collected'),
    network: opt('string', 'FLANNEL_NETWORK'),
    subnet: opt('string', 'FLANNEL_SUBNET as written (the first address, e.g. 10.244.5.1/24)'),
    subnetNetwork: opt('string', 'FLANNEL_SUBNET as a network (e.g. 10.244.5.0/24): the lease it came from'),
    ipv6Subnet: opt('string', 'FLANNEL_IPV6_SUBNET'),
    mtu: opt('int', 'FLANNEL_MTU'),
    ipMasq: opt('bool', 'FLANNEL_IPMASQ'),
    evidence: f('list<Evidence>', 'the file'),
  },
  Command: {
    id: f('string', 'bundle-v1 command id'),
    subject: f('string', 'the PID, device or lease the entry is about (empty when none)'),
    state: f('string', 'ok, failed, timed-out, truncated, skipped, missing'),
    reason: f('string', 'why, in one line'),
    expected: f('bool', 'the failure only says that something does not exist (tool not installed, v2 store on a v3 cluster, timedatectl show on old systemd, not applicable)'),
    file: f('string', 'the output file (empty when none)'),
    evidence: f('list<Evidence>', 'the manifest entry'),
  },
  Rejected: {
    name: f('string', 'the archive entry name, escaped'),
    type: f('string', 'its tar type'),
    reason: f('string', 'why it was rejected'),
  },
  BackendView: {
    source: f('string', 'where this backend type was seen: lease, annotation, device, k3s-flag'),
    type: f('string', 'the backend type it says (udp for a lease without BackendType)'),
    detail: f('string', 'the lease key, annotation, device or flag, for messages'),
    evidence: f('list<Evidence>', 'where it was read'),
  },
  FlagDifference: {
    flag: f('string', 'the flanneld flag, without dashes (ip-masq, iface, iface-regex, etcd-prefix, public-ip)'),
    groups: f('list<Group>', 'each distinct value ("(unset)" when not given) and the nodes that use it'),
  },
  Node: {
    hostname: f('string', 'the hostname from the manifest'),
    input: f('string', 'the input the bundle came from'),
    collectedAt: f('string', "collection time by the node's own clock"),
    collectedAtEpoch: f('double', 'collectedAt in seconds since the epoch'),
    kernelRelease: opt('string', 'kernel release'),
    arch: opt('string', 'machine architecture (uname -m or the Kubernetes node label)'),
    goArch: opt('string', "arch as Go names it (amd64, arm64, arm, 386, ppc64le, s390x, riscv64): flannel's build-time backend support follows it"),
    embedded: f('string', 'k3s or rke2 when flannel is embedded in it; empty otherwise'),
    mode: f('string', 'etcd, kube, embedded, or none (no flannel process found)'),
    flanneld: f('list<Flanneld>', 'flanneld processes (and the embedding k3s/rke2 process)'),
    flanneldCount: f('int', 'number of flanneld processes (embedded flannel not counted)'),
    flannel: opt('Flanneld', 'the flannel process this node runs (the first when there are several)'),
    flanneldDifferingFlags: f('list<string>', 'flags whose value differs between the flanneld processes of this node (each as "flag: value1 | value2")'),
    version: opt('string', 'flannel version of this node'),
    interfaces: f('list<Interface>', 'network interfaces'),
    interfaceByName: f('map<string, Interface>', 'interfaces by name'),
    addresses: f('list<string>', 'every IP address on the node (without prefix length)'),
    routes: f('list<Route>', 'the main routing table'),
    defaultRouteIface: opt('string', 'device of the default route'),
    iface: opt('string', 'the interface flannel uses: the first --iface that exists, else the default route device'),
    ifaceAddress: opt('string', 'the first IPv4 address of iface'),
    publicIp: opt('string', "the address flannel advertises: --public-ip, else iface's address"),
    timeSync: f('TimeSync', 'time synchronization state'),
    kernel: f('Kernel', 'kernel options and modules'),
    backendSupport: f('string', "kernel support (Kernel.support value) for the cluster backend's option; not-needed for host-gw; unknown"),
    backendKernelOption: opt('string', 'the kernel option the cluster backend needs (CONFIG_VXLAN, CONFIG_TUN, CONFIG_WIREGUARD, CONFIG_NET_IPIP, CONFIG_XFRM_USER)'),
    backendKernelModule: opt('string', 'the module that provides it (vxlan, tun, wireguard, ipip, xfrm_user)'),
    subnet: opt('string', "this node's flannel subnet: FLANNEL_SUBNET as a network, else its etcd lease, else its podCIDR"),
    heldLease: opt('Lease', 'the etcd lease of the subnet this node uses (from subnet.env), whoever it names'),
    flannelDevices: f('list<Interface>', 'interfaces that a flannel backend creates (flannelBackend set)'),
    expectedVtepMac: opt('string', 'the VtepMAC that the lease (etcd) or the backend-data annotation (kube) gives this node'),
    vxlanMismatches: f('list<string>', 'attributes of flannelDevice (VNI, UDP port, MAC, local address) that differ from the config, the etcd lease and the interface flannel uses, e.g. "VNI 2 (config VNI 1)"'),
    peerSubnetCount: f('int', 'number of subnets of the other nodes of the same backend that this node should route to (etcd leases or annotated Kubernetes nodes)'),
    missingPeerRouteCount: f('int', 'how many of those subnets have no route on this node'),
    missingPeerRoutes: f('list<string>', 'the first 20 of those subnets without a route (a bounded list: one node per peer would make the facts grow with the square of the cluster)'),
    backendViews: f('list<BackendView>', "backend types that this node's lease, annotation, flannel devices and k3s flags say"),
    nonL2PeerCount: f('int', 'host-gw only: number of peers whose public IP is not inside any on-link network of this node (host-gw needs every peer on-link)'),
    nonL2Peers: f('list<string>', 'host-gw only: the first 20 of those peers (name and IP)'),
    lostCommands: f('list<Command>', 'commands that lost data the diagnosis needs (failed, timed out, truncated, missing; not the expected absences)'),
    expectedAbsences: f('list<Command>', 'commands that failed or were skipped only because something does not exist (integrity notes; built only when a loaded rule names `expectedAbsences`)'),
    expectedAbsenceCount: f('int', 'how many commands failed or were skipped only because something does not exist (the size of expectedAbsences)'),
    subnetEnv: f('SubnetEnv', 'the subnet.env of the (first) flanneld'),
    subnetEnvs: f('list<SubnetEnv>', 'one per flanneld process when they use different files'),
    netConf: opt('NetworkConfig', 'node/net-conf.json (kube and embedded modes)'),
    k3sConfig: f('map<string, string>', 'node/k3s-config.yaml (redacted by the collector), list values joined with commas'),
    sysctl: f('map<string, string>', 'sysctl values'),
    sysctlMissing: f('list<string>', 'sysctl keys that do not exist on the node (e.g. net.bridge.bridge-nf-call-iptables without br_netfilter)'),
    log: f('Log', "flannel's log"),
    lease: opt('Lease', "this node's etcd lease: the one whose PublicIP is the node's publicIp (or one of its addresses)"),
    leases: f('list<Lease>', 'every etcd lease whose PublicIP is one of this node’s addresses'),
    kubeNode: opt('KubeNode', 'the Kubernetes node of the same name'),
    commands: f('list<Command>', 'every manifest command and how it went (built only when a loaded rule names `commands`: it is a fifth of a node\'s facts)'),
    rejected: f('list<Rejected>', 'archive entries rejected while reading'),
    readProblems: f('list<string>', 'problems met while reading the archive (caps hit, damage)'),
    incomplete: f('bool', 'reading stopped early: files may be missing'),
    fdbByDevice: f('map<string, list<string>>', 'bridge fdb destinations (dst) per flannel.* device'),
    flannelDevice: opt('Interface', 'the vxlan device flannel uses: flannel.<VNI of the cluster config> (VNI 1 by default), else the first vxlan flannel.* device'),
    collectedAtDeviationSeconds: f('int', "seconds, collectedAtEpoch minus the cluster's median collection time (node clocks): far from 0 while the other nodes were collected together means this clock is off"),
    evidence: f('list<Evidence>', 'the manifest'),
  },
  KubeNode: {
    name: f('string', 'node name'),
    podCIDR: opt('string', 'spec.podCIDR'),
    podCIDRs: f('list<string>', 'spec.podCIDRs'),
    internalIp: opt('string', 'the InternalIP address'),
    addresses: f('list<string>', 'all status.addresses'),
    annotations: f('map<string, string>', 'annotations'),
    flannelManaged: f('bool', 'annotation flannel.alpha.coreos.com/kube-subnet-manager is "true"'),
    backendType: opt('string', 'annotation flannel.alpha.coreos.com/backend-type'),
    publicIp: opt('string', 'annotation flannel.alpha.coreos.com/public-ip'),
    publicIpOverwrite: opt('string', 'annotation flannel.alpha.coreos.com/public-ip-overwrite (NAT: the public IP given by an operator)'),
    vtepMac: opt('string', 'VtepMAC from annotation flannel.alpha.coreos.com/backend-data'),
    arch: opt('string', 'label kubernetes.io/arch'),
    collected: f('bool', 'a bundle of this node was collected'),
    evidence: f('list<Evidence>', 'the node in kube/nodes.json'),
  },
  KubePod: {
    name: f('string', 'pod name'),
    namespace: f('string', 'namespace'),
    nodeName: opt('string', 'spec.nodeName'),
    image: opt('string', 'the kube-flannel container image'),
    version: opt('string', 'version from the image tag'),
    restarts: f('int', 'restart count of its containers'),
    evidence: f('list<Evidence>', 'the pod in kube/flannel-pods.json'),
  },
  Kube: {
    collected: f('bool', 'the Kubernetes section was collected'),
    source: f('string', 'input of the bundle whose Kubernetes data was used (the newest resourceVersion)'),
    nodes: f('list<KubeNode>', 'the nodes'),
    nodeByName: f('map<string, KubeNode>', 'nodes by name'),
    pods: f('list<KubePod>', 'flannel pods'),
    netConf: opt('NetworkConfig', 'net-conf.json from the kube-flannel-cfg ConfigMap'),
    flannelNamespace: opt('string', 'namespace of the flannel ConfigMap/pods'),
  },
  EtcdError: {
    command: f('string', 'the command id that failed'),
    kind: f('string', 'unreachable, deadline-exceeded, tls-unknown-authority, tls-bad-certificate, auth-failed, v2-disabled, key-not-found, other'),
    message: f('string', 'its first line'),
    node: f('string', 'hostname of the bundle'),
    evidence: f('list<Evidence>', 'the stderr file'),
  },
  EtcdEndpoint: {
    endpoint: f('string', 'endpoint URL'),
    healthy: f('bool', 'endpoint health answered healthy'),
    error: opt('string', 'the health error'),
    version: opt('string', 'server version from endpoint status'),
    evidence: f('list<Evidence>', 'the endpoint health (and status) row'),
  },
  Etcd: {
    collected: f('bool', 'some bundle ran the etcd commands'),
    source: f('string', 'input of the bundle whose etcd dump was used (highest revision)'),
    prefix: f('string', 'the prefix that was dumped'),
    endpoints: f('string', 'the endpoints the collector used'),
    revision: opt('string', 'header.revision of the dump'),
    clusterId: opt('string', 'header.cluster_id of the dump'),
    serverVersion: opt('string', 'etcd server version (endpoint status)'),
    config: f('NetworkConfig', 'PREFIX/config as read through the v3 API'),
    flanneldStore: f('string', 'the store the oldest flanneld reads: etcd-v2 for flannel v0.17 and older, else etcd-v3 (also when no version is known)'),
    flanneldConfig: f('NetworkConfig', 'PREFIX/config in flanneldStore: what flanneld itself reads (config or v2Config)'),
    v2Config: f('NetworkConfig', 'PREFIX/config as read through the v2 API'),
    v2Collected: f('bool', 'the v2 commands ran'),
    v2Enabled: f('bool', 'the v2 API answered (not "response is invalid json")'),
    v2ErrorKind: opt('string', 'how the v2 read failed (key-not-found, v2-disabled, ...)'),
    keys: f('list<string>', 'every key under the prefix (v3), at most 10000'),
    configLikeKeys: f('list<string>', 'keys that end in /config or equal the prefix, other than PREFIX/config'),
    leases: f('list<Lease>', 'subnet leases (v3 store; the v2 store for flannel 0.17 and older when v3 has none)'),
    leaseBySubnet: f('map<string, Lease>', 'leases by subnet CIDR'),
    leaseTtlsCollected: f('bool', 'lease TTLs were collected'),
    endpointHealth: f('list<EtcdEndpoint>', 'endpoint health and status'),
    errors: f('list<EtcdError>', 'etcd commands that failed, classified'),
    evidence: f('list<Evidence>', 'the dump file'),
  },
  OwnerLeases: {
    publicIp: f('string', 'the PublicIP the leases name'),
    owner: opt('string', 'hostname of the collected or Kubernetes node that has the address'),
    subnets: f('list<string>', 'the subnets leased to that address'),
    leases: f('list<Lease>', 'the leases'),
  },
  Group: {
    value: f('string', 'the shared value'),
    nodes: f('list<string>', 'hostnames that share it'),
  },
  InputFailure: {
    input: f('string', 'the input or member'),
    message: f('string', 'why it gave no usable bundle'),
  },
  Cluster: {
    mode: f('string', 'etcd, kube, mixed or unknown (from the flannel processes of all nodes)'),
    nodeCount: f('int', 'number of collected nodes'),
    nodeNames: f('list<string>', 'hostnames of the collected nodes'),
    flannelVersions: f('list<string>', 'distinct flannel versions seen'),
    oldestVersion: opt('string', 'the lowest flannel version seen'),
    config: opt('NetworkConfig', 'the network config flannel uses: etcd (v3 or v2 by version) in etcd mode, the ConfigMap or net-conf in kube/embedded mode'),
    network: opt('string', 'Network of that config'),
    backend: opt('string', 'backend type of that config'),
    leases: f('list<Lease>', 'same as etcd.leases'),
    nodeByAddress: f('map<string, string>', 'every address of every collected node (and Kubernetes node addresses) to its hostname'),
    collectedNodeByAddress: f('map<string, string>', 'addresses of collected nodes only'),
    etcdPrefixes: f('list<string>', 'distinct --etcd-prefix values of the flanneld processes in etcd mode'),
    etcdEndpointSets: f('list<string>', 'distinct --etcd-endpoints values'),
    duplicatePublicIps: f('list<Group>', 'public IPs advertised by more than one node'),
    duplicateSubnetEnv: f('list<Group>', 'FLANNEL_SUBNET values shared by more than one node'),
    duplicateHosts: f('list<string>', 'hostnames collected more than once (the newest bundle was used)'),
    failedInputs: f('list<InputFailure>', 'inputs or members that gave no usable bundle'),
    collectionSpreadSeconds: f('double', 'latest minus earliest collectedAt'),
    collectedTogether: f('bool', 'all bundles were collected within 10 minutes of each other by their own clocks'),
    medianCollectedAtEpoch: f('double', 'median collection time, seconds since the epoch'),
    flanneldProcesses: f('list<Flanneld>', 'every flannel process of every node (flanneld and embedded k3s/rke2), each with its node'),
    subnetManagerModes: f('list<Group>', 'subnet manager modes in use (etcd, kube; embedded counts as kube) and the nodes running each'),
    flagDifferences: f('list<FlagDifference>', 'flanneld flags that should be the same on every node but differ (the first flanneld of each node; embedded flannel excluded)'),
    clockReferenceNodes: f('int', 'nodes whose collectedAt is within 5 minutes of the median: when more than half of 3+ nodes are, they were collected together and a node far from the median has a wrong clock'),
    leasesInRange: opt('int', 'leases whose subnet lies between the effective SubnetMin and SubnetMax of the config (what counts against capacity)'),
    multiLeaseOwners: f('list<OwnerLeases>', 'public IPs that hold more than one subnet lease'),
  },
} as const;

/** The variables every rule sees. A rule's `as` adds one more, bound to each `forEach` element. */
export const FACT_VARIABLES = {
  cluster: { type: 'Cluster', doc: 'the whole cluster: mode, config, indexes for cross-node checks' },
  nodes: { type: 'list<Node>', doc: 'every collected node' },
  etcd: { type: 'Etcd', doc: 'the etcd store (from the newest dump among the bundles)' },
  kube: { type: 'Kube', doc: 'the Kubernetes objects (from the newest list among the bundles)' },
} as const;

/**
 * Data a rule can `require`. Each names the bundle commands behind it; when none of them gave complete
 * data the rule is `skipped` with the reason. `nodes.X` requires X of every node; `NAME.X` where NAME is
 * the rule's `as` variable (bound to a Node) requires X of that node only.
 */
export const DATA_PATHS = {
  node: {
    processes: { commands: ['ps'], doc: 'the process table' },
    uname: { commands: ['uname'], doc: 'uname -a: the kernel release and machine architecture (bundle-v1 names no other source of the architecture)' },
    flanneldVersion: { commands: ['flanneld-version'], doc: 'the flanneld version (binary, image or log)' },
    interfaces: { commands: ['ip-link', 'ip-link-text'], doc: 'network interfaces' },
    addresses: { commands: ['ip-addr', 'ip-addr-text'], doc: 'interface addresses' },
    routes: { commands: ['ip-route', 'ip-route-text'], doc: 'the routing table' },
    fdb: { commands: ['bridge-fdb'], doc: 'vxlan forwarding entries' },
    timeSync: { commands: ['timedatectl-show', 'timedatectl-status', 'chronyc-tracking', 'ntpq'], doc: 'time synchronization state' },
    kernelConfig: { commands: ['kernel-config'], doc: 'the kernel config' },
    modules: { commands: ['modules', 'sys-module'], doc: 'loaded kernel modules' },
    sysctl: { commands: ['sysctl'], doc: 'sysctl values' },
    subnetEnv: { commands: ['subnet-env'], doc: 'subnet.env' },
    netConf: { commands: ['net-conf'], doc: 'net-conf.json on the host' },
    log: { commands: ['flanneld-log', 'kube-flannel-log'], doc: "flannel's log" },
  },
  cluster: {
    'etcd.dump': { commands: ['etcd-get-prefix'], doc: 'the etcd v3 dump under the prefix' },
    'etcd.leases': { commands: ['etcd-get-prefix'], doc: 'subnet leases (the v3 dump; the v2 tree for flannel 0.17 and older)' },
    'etcd.config': { commands: ['etcd-get-prefix'], doc: 'the network config key' },
    'etcd.leaseTtls': { commands: ['etcd-lease-ttl'], doc: 'remaining TTL of each lease' },
    'etcd.v2': { commands: ['etcd-v2-get-config', 'etcd-v2-tree', 'etcd-v2-ls'], doc: 'the etcd v2 store' },
    'etcd.health': { commands: ['etcd-endpoint-health', 'etcd-endpoint-status'], doc: 'etcd endpoint health' },
    'kube.nodes': { commands: ['kube-nodes'], doc: 'kubectl get nodes' },
    'kube.pods': { commands: ['kube-flannel-pods'], doc: 'the flannel pods' },
    'kube.configmaps': { commands: ['kube-flannel-cfg'], doc: 'the flannel ConfigMaps' },
  },
} as const;

// ---- TypeScript types derived from the schema ------------------------------------------------
type Types = typeof FACT_TYPES;
export type TypeName = keyof Types;

type TsOf<S extends string> = S extends 'Evidence'
  ? EvidenceRef
  : S extends 'string'
  ? string
  : S extends 'int' | 'double'
    ? number
    : S extends 'bool'
      ? boolean
      : S extends `list<${infer E}>`
        ? TsOf<E>[]
        : S extends `map<string, ${infer V}>`
          ? Record<string, TsOf<V>>
          : S extends TypeName
            ? FactOf<S>
            : never;

type Fields<N extends TypeName> = Types[N];
type RequiredKeys<N extends TypeName> = {
  [K in keyof Fields<N>]: Fields<N>[K] extends { optional: true } ? never : K;
}[keyof Fields<N>];
type OptionalKeys<N extends TypeName> = Exclude<keyof Fields<N>, RequiredKeys<N>>;

/** The model type of a fact type: FactOf<'Lease'> has exactly the fields the schema declares. */
export type FactOf<N extends TypeName> = {
  -readonly [K in RequiredKeys<N>]: Fields<N>[K] extends { type: infer T extends string } ? TsOf<T> : never;
} & {
  -readonly [K in OptionalKeys<N>]?: Fields<N>[K] extends { type: infer T extends string } ? TsOf<T> : never;
};

export type EvidenceRef = import('../report/schema.js').Evidence;

export type LeaseFact = FactOf<'Lease'>;
export type NodeFact = FactOf<'Node'>;
export type ClusterFact = FactOf<'Cluster'>;
export type EtcdFact = FactOf<'Etcd'>;
export type KubeFact = FactOf<'Kube'>;
export type NetworkConfigFact = FactOf<'NetworkConfig'>;

/** The whole model rules are evaluated against. */
export interface Facts {
  cluster: ClusterFact;
  nodes: NodeFact[];
  etcd: EtcdFact;
  kube: KubeFact;
  availability: Availability;
}

/** Whether the data behind a DATA_PATHS entry was collected completely; `reason` says why not. */
export interface DataState {
  ok: boolean;
  reason: string;
}

export interface Availability {
  cluster: Record<string, DataState>;
  /** by hostname, then by node data path key (timeSync, log, ...) */
  nodes: Record<string, Record<string, DataState>>;
}
