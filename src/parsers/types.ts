// Output types of the parsers. A parser knows one file format and nothing about health: it turns text
// into typed rows, each with the 1-based line it came from, and reports what it could not read as
// ParseIssues (file + line) instead of throwing.

export interface ParseIssue {
  file: string;
  line: number | null;
  column?: number | null;
  message: string;
}

export interface Parsed<T> {
  value: T;
  issues: ParseIssue[];
}

// ---- processes -------------------------------------------------------------------------------
export interface ProcessRow {
  pid: number;
  ppid: number;
  /** ISO-8601 UTC, from `lstart` (collected with TZ=UTC) or the /proc stat fallback; null when absent */
  startedAt: string | null;
  elapsedSeconds: number | null;
  /** the args column as ps prints it (spaces inside arguments are lost: prefer cmdline.txt) */
  args: string;
  /** basename of argv[0] as far as the args column tells */
  command: string;
  line: number;
}

export interface EnvVar {
  name: string;
  value: string;
  line: number;
}

// ---- ip / bridge -----------------------------------------------------------------------------
export interface VxlanInfo {
  id: number | null;
  local: string | null;
  /** underlay device name */
  dev: string | null;
  port: number | null;
  learning: boolean | null;
}

export interface LinkRow {
  ifname: string;
  ifindex: number | null;
  mtu: number | null;
  operstate: string | null;
  flags: string[];
  /** MAC address (link/ether) */
  address: string | null;
  /** linkinfo.info_kind: vxlan, bridge, veth, wireguard, ipip, tun, ... ; null for plain devices */
  kind: string | null;
  master: string | null;
  vxlan: VxlanInfo | null;
  line: number | null;
}

export interface AddrInfo {
  family: 'inet' | 'inet6' | string;
  local: string;
  prefixlen: number;
}

export interface AddrRow {
  ifname: string;
  operstate: string | null;
  flags: string[];
  addresses: AddrInfo[];
  line: number | null;
}

export interface RouteRow {
  /** `default` or a CIDR / address */
  dst: string;
  gateway: string | null;
  dev: string | null;
  flags: string[];
  protocol: string | null;
  line: number | null;
  /** route type when the output states it (`unicast` with `ip -d route`, `blackhole`, `unreachable`, ...) */
  type?: string;
}

export interface FdbRow {
  mac: string;
  dst: string | null;
  dev: string | null;
  state: string | null;
  flags: string[];
  line: number | null;
}

// ---- time ------------------------------------------------------------------------------------
export interface TimeSyncReading {
  source: 'timedatectl-status' | 'timedatectl-show' | 'chronyc-tracking' | 'ntpq';
  /** is the clock synchronized according to this source; null when the source does not say */
  synchronized: boolean | null;
  /** is an NTP service enabled/active; null when not stated */
  ntpActive: boolean | null;
  /** offset from the reference in seconds (positive: local clock ahead); null when not known */
  offsetSeconds: number | null;
  /** the line that carried the verdict */
  line: number | null;
  excerpt: string;
}

// ---- kernel ----------------------------------------------------------------------------------
/** CONFIG_X=y -> 'y', =m -> 'm', `# CONFIG_X is not set` -> 'n', any other value is kept as is */
export interface KernelConfigOption {
  value: string;
  line: number;
}
export type KernelConfig = Map<string, KernelConfigOption>;

export interface ModuleRow {
  name: string;
  line: number;
}

/** `sysctl KEY...` output: values read, and keys sysctl could not find (e.g. br_netfilter not loaded). */
export interface SysctlValues {
  values: Record<string, { value: string; line: number }>;
  missing: Record<string, { line: number }>;
}

// ---- flannel files ---------------------------------------------------------------------------
export interface SubnetEnv {
  vars: Record<string, { value: string; line: number }>;
}

export interface LogLine {
  line: number;
  /** ISO-8601 UTC when the line carries a timestamp; klog lacks the year, taken from the collection time */
  time: string | null;
  /** klog severity letter I/W/E/F, or null */
  level: string | null;
  text: string;
}

// ---- etcd ------------------------------------------------------------------------------------
export interface EtcdKv {
  key: string;
  /** UTF-8 decoded value; null when the base64 was invalid */
  value: string | null;
  /** decimal etcd lease id as a string (int64, never a JS number); null when the key has no lease */
  lease: string | null;
  createRevision: string | null;
  modRevision: string | null;
  version: string | null;
  /** line of the kv in the file (the JSON is one line: 1), plus JSON pointer */
  pointer: string;
}

export interface EtcdGetResult {
  clusterId: string | null;
  memberId: string | null;
  revision: string | null;
  kvs: EtcdKv[];
  more: boolean;
}

export interface EtcdLeaseTtl {
  /** decimal id string */
  id: string;
  /** hex id as etcdctl prints it in text output */
  idHex: string;
  /** seconds left; -1 when expired or unknown to etcd */
  ttl: number;
  grantedTtl: number;
  keys: string[];
}

export interface EtcdEndpointStatus {
  endpoint: string;
  version: string | null;
  dbSize: number | null;
  leader: string | null;
  memberId: string | null;
  revision: string | null;
  clusterId: string | null;
}

export interface EtcdEndpointHealth {
  endpoint: string;
  health: boolean;
  error: string | null;
  took: string | null;
}

export interface EtcdV2Error {
  code: number | null;
  message: string;
  cause: string | null;
  index: number | null;
  line: number | null;
}

export interface EtcdV2Node {
  key: string;
  value: string | null;
  dir: boolean;
  ttl: number | null;
  expiration: string | null;
}

export interface EtcdV2Result {
  /** flat list of the nodes the output holds (directories included) */
  nodes: EtcdV2Node[];
  error: EtcdV2Error | null;
}

/** What an etcdctl failure was about, from its stderr ('none' when stderr is empty). */
export type EtcdErrorCode =
  | 'none'
  | 'unreachable'
  | 'deadline-exceeded'
  | 'tls-unknown-authority'
  | 'tls-bad-certificate'
  | 'tls-other'
  | 'auth-failed'
  | 'v2-disabled'
  | 'key-not-found'
  | 'other';

export interface EtcdVersionInfo {
  etcdctlVersion: string | null;
  apiVersion: string | null;
}

// ---- kubernetes ------------------------------------------------------------------------------
export interface KubeNodeRow {
  name: string;
  podCIDR: string | null;
  podCIDRs: string[];
  addresses: { type: string; address: string }[];
  annotations: Record<string, string>;
  labels: Record<string, string>;
  architecture: string | null;
  kubeletVersion: string | null;
  /** JSON pointer of the node in the list */
  pointer: string;
}

export interface KubeList<T> {
  resourceVersion: string | null;
  items: T[];
}

export interface KubePodRow {
  name: string;
  namespace: string;
  nodeName: string | null;
  images: string[];
  phase: string | null;
  restartCount: number;
  pointer: string;
}

export interface KubeConfigMapRow {
  name: string;
  namespace: string;
  data: Record<string, string>;
  pointer: string;
}

// ---- misc ------------------------------------------------------------------------------------
export interface UnameInfo {
  kernelName: string | null;
  hostname: string | null;
  kernelRelease: string | null;
  machine: string | null;
}

/** A JSON document parsed with its error position (for config files whose breakage must be shown). */
export interface JsonDoc {
  value: unknown;
  error: { message: string; line: number; column: number } | null;
}
