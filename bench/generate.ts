// Deterministic synthetic clusters for the benchmark: one bundle-v1 archive per node, built from the
// fixture generator's building blocks (fixtures/lib: real iproute2/procps/etcdctl/klog shapes) with the
// sizes of a real node: a ~250 KB kernel config, ~11 interfaces, ~200 processes, a ~1 MiB flanneld log
// (klog lines, some matching signatures), and on the first node an etcd section with one lease per
// node plus 10% stale leases. Generated once per (size, GENERATOR_VERSION) into .bench-cache/.
//
// Unlike fixtures/make-fixtures.mjs (whose scenario resolution gives every node a route and an fdb entry
// per peer: quadratic in the cluster size), each node here routes to at most PEERS neighbours, so every
// bundle has the same size whatever the cluster size and the benchmark measures the analyzer, not the
// growth of the input.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loadFixtureLib, readTemplate, REPO_ROOT, type Cmd, type FixtureLib, type Link, type Proc, type Route } from './fixture-lib.js';

/** Bump when the generated content changes: cached clusters of other versions are regenerated. */
export const GENERATOR_VERSION = 1;
export const CACHE_ROOT = path.join(REPO_ROOT, '.bench-cache');

const START_MS = Date.parse('2026-11-26T05:13:06Z');
const PREFIX = '/coreos.com/network';
const ENDPOINTS = 'http://172.16.0.5:2379';
const NETWORK = '10.128.0.0/9';
const RELEASE = '5.15.0-91-generic';
const KBUILD = '#101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023';
const VERSION = 'v0.22.0';
const PEERS = 16;
const LOG_BYTES = 1024 * 1024;
const KERNEL_CONFIG_BYTES = 250 * 1024;
/** etcd-lease-ttl look-ups the collector makes at most (its --max-leases default) */
const MAX_LEASES = 2000;
const DURATION: Record<string, number> = { date: 2, uname: 2, ps: 14, 'flanneld-cmdline': 1, 'flanneld-environ': 1, 'flanneld-version': 9, 'kernel-config': 3, 'flanneld-log': 212, 'etcd-get-prefix': 31, 'etcd-lease-ttl': 17 };
const ETCD_IDS = ['etcd-version', 'etcd-endpoint-status', 'etcd-endpoint-health', 'etcd-get-prefix', 'etcd-lease-list', 'etcd-lease-ttl', 'etcd-v2-get-config', 'etcd-v2-ls', 'etcd-v2-tree'];
const KUBE_IDS = ['kube-nodes', 'kube-flannel-pods', 'kube-flannel-cfg', 'kube-flannel-log'];

export interface GeneratedCluster {
  size: number;
  dir: string;
  archives: number;
  compressedBytes: number;
  /** ms spent generating, or null when taken from the cache */
  generatedMs: number | null;
}

/** A small, fast PRNG (mulberry32): deterministic per node without hashing every value. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hostOf = (i: number) => `node-${String(i).padStart(5, '0')}`;

const identities = new Map<number, Identity>();
/** Everything about node i (1-based) that other nodes or the etcd section need, derived from i alone (memoized). */
function identity(L: FixtureLib, i: number): Identity {
  let id = identities.get(i);
  if (!id) identities.set(i, (id = makeIdentity(L, i)));
  return id;
}
function makeIdentity(L: FixtureLib, i: number) {
  const hostname = hostOf(i);
  const ip = L.intToIp(L.ipToInt('172.16.0.0') + 16 + i);
  const subnetNet = L.intToIp(L.ipToInt('10.128.0.0') + i * 256);
  return { i, hostname, ip, subnetNet, subnet: `${subnetNet}/24`, vtepMac: L.macFrom(`bench/${hostname}/flannel.1`), leaseId: (7587876021943120000n + BigInt(i)).toString() };
}
type Identity = ReturnType<typeof makeIdentity>;

function staleLease(L: FixtureLib, size: number, k: number) {
  const subnetNet = L.intToIp(L.ipToInt('10.128.0.0') + (size + 1 + k) * 256);
  return { subnet: `${subnetNet}/24`, subnetNet, ip: L.intToIp(L.ipToInt('172.31.0.0') + 16 + k), vtepMac: L.macFrom(`bench/stale/${k}`), leaseId: (7587876021953120000n + BigInt(k)).toString() };
}

// ---- shared, per generator process ----------------------------------------------------------------

/** Plausible kernel config lines appended to the fixture config until it has the size of a real one. */
function padKernelConfig(base: string): string {
  const seen = new Set(base.match(/CONFIG_[A-Z0-9_]+/g) ?? []);
  const sections = ['Device Drivers', 'Network device support', 'Ethernet driver support', 'USB support', 'Sound card support', 'Graphics support',
    'SCSI device support', 'Input device support', 'HID support', 'File systems', 'Cryptographic API', 'Library routines', 'Kernel hacking',
    'Power management and ACPI options', 'Multimedia support', 'Hardware Monitoring support', 'Industrial I/O support', 'Staging drivers'];
  const groups = ['NET_VENDOR', 'USB_SERIAL', 'SND_SOC', 'DRM', 'INPUT_TOUCHSCREEN', 'HID', 'SCSI', 'SENSORS', 'IIO', 'MEDIA_TUNER', 'VIDEO',
    'CRYPTO', 'MFD', 'REGULATOR', 'PINCTRL', 'GPIO', 'I2C', 'SPI', 'MTD', 'LEDS', 'RTC_DRV', 'PHY', 'NFC', 'BT', 'WLAN', 'CAN', 'ATA', 'MMC'];
  const parts = ['INTEL', 'AMD', 'REALTEK', 'BROADCOM', 'QCOM', 'MARVELL', 'NXP', 'TI', 'ADI', 'MAXIM', 'SAMSUNG', 'ROCKCHIP', 'MEDIATEK',
    'CHELSIO', 'EMULEX', 'MELLANOX', 'SOLARFLARE', 'ATHEROS', 'CIRRUS', 'WOLFSON', 'DIALOG', 'ANALOG', 'MICROCHIP', 'SILABS'];
  const rnd = prng(0x6b636667);
  const out = [base.trimEnd()];
  let bytes = base.length;
  let n = 0;
  while (bytes < KERNEL_CONFIG_BYTES) {
    if (n % 40 === 0) {
      const s = `\n#\n# ${sections[(n / 40) % sections.length]}\n#`;
      out.push(s);
      bytes += s.length + 1;
    }
    const name = `CONFIG_${groups[Math.floor(rnd() * groups.length)]}_${parts[Math.floor(rnd() * parts.length)]}_${(1000 + n).toString(36).toUpperCase()}`;
    n++;
    if (seen.has(name)) continue;
    seen.add(name);
    const r = rnd();
    const line = r < 0.45 ? `${name}=m` : r < 0.7 ? `# ${name} is not set` : r < 0.9 ? `${name}=y` : `${name}=${Math.floor(rnd() * 4096)}`;
    out.push(line);
    bytes += line.length + 1;
  }
  return `${out.join('\n')}\n`;
}

interface Shared {
  L: FixtureLib;
  net: unknown;
  kernelConfig: string;
  modules: { loaded: Set<string>; text: string };
  modulesBuiltin: string;
  sysModule: string;
}

export async function loadShared(): Promise<Shared> {
  const L = await loadFixtureLib();
  const kernelConfig = padKernelConfig(L.buildKernelConfig(readTemplate('synthetic-kernel-config-base.txt'), readTemplate('proc-config-gz-grep.txt'), RELEASE, L.DISTRO_KERNEL_CONFIG));
  const modules = L.loadedModules(kernelConfig, {}, readTemplate('synthetic-proc-modules.txt').trim().split('\n'));
  return {
    L,
    net: L.loadNetTemplates(readTemplate),
    kernelConfig,
    modules,
    modulesBuiltin: L.modulesBuiltin(kernelConfig, readTemplate('synthetic-modules-builtin.txt')),
    sysModule: L.sysModule(kernelConfig, modules.loaded),
  };
}

// ---- one node ------------------------------------------------------------------------------------------

const KTHREADS = ['rcu_gp', 'rcu_par_gp', 'slub_flushwq', 'netns', 'mm_percpu_wq', 'rcu_tasks_kthread', 'rcu_tasks_rude_kthread', 'rcu_tasks_trace_kthread',
  'rcu_preempt', 'kdevtmpfs', 'inet_frag_wq', 'kauditd', 'khungtaskd', 'oom_reaper', 'writeback', 'kcompactd0', 'ksmd', 'khugepaged', 'kintegrityd',
  'kblockd', 'blkcg_punt_bio', 'tpm_dev_wq', 'ata_sff', 'md', 'edac-poller', 'devfreq_wq', 'watchdogd', 'kswapd0', 'ecryptfs-kthread', 'kthrotld',
  'acpi_thermal_pm', 'scsi_eh_0', 'scsi_tmf_0', 'vfio-irqfd-clea', 'mld', 'ipv6_addrconf', 'kstrp', 'zswap-shrink', 'charger_manager', 'jbd2/sda1-8',
  'ext4-rsv-conver', 'cryptd', 'kworker/u17:0', 'xfsalloc', 'xfs_mru_cache', 'nvme-wq', 'nvme-reset-wq', 'nvme-delete-wq', 'dm_bufio_cache'];
const SERVICES = ['/lib/systemd/systemd-journald', '/lib/systemd/systemd-udevd', '/lib/systemd/systemd-networkd', '/lib/systemd/systemd-timesyncd',
  '/lib/systemd/systemd-resolved', '@dbus-daemon --system --address=systemd: --nofork --nopidfile --systemd-activation --syslog-only',
  '/usr/sbin/irqbalance --foreground', '/usr/bin/python3 /usr/bin/networkd-dispatcher --run-startup-triggers', '/usr/sbin/rsyslogd -n -iNONE',
  '/lib/systemd/systemd-logind', '/usr/libexec/udisks2/udisksd', '/usr/sbin/cron -f -P', '/sbin/agetty -o -p -- \\u --noclear tty1 linux',
  '/usr/sbin/chronyd -F 1', '/usr/bin/containerd', '/usr/sbin/atd -f', '/usr/lib/policykit-1/polkitd --no-debug'];
const APPS = ['nginx: master process nginx -g daemon off;', 'nginx: worker process', '/coredns -conf /etc/coredns/Corefile',
  '/usr/local/bin/kube-proxy --config=/var/lib/kube-proxy/config.conf', '/bin/node_exporter --path.rootfs=/host', 'redis-server *:6379',
  '/app/server --port=8080 --metrics-port=9090', 'java -Xmx512m -jar /opt/app/app.jar', '/fluent-bit/bin/fluent-bit -c /fluent-bit/etc/fluent-bit.conf'];

function processes(S: Shared, id: Identity, rnd: () => number, up: number, flanneld: Proc): Proc[] {
  const { L } = S;
  const P: Proc[] = [{ pid: 1, ppid: 0, etimes: up, args: '/sbin/init' }, { pid: 2, ppid: 0, etimes: up, args: '[kthreadd]' }];
  let pid = 3;
  for (const k of KTHREADS) P.push({ pid: pid++, ppid: 2, etimes: up, args: `[${k}]` });
  for (let cpu = 0; cpu < 8; cpu++) for (const k of [`cpuhp/${cpu}`, `migration/${cpu}`, `ksoftirqd/${cpu}`, `kworker/${cpu}:0H-events_highpri`, `kworker/${cpu}:1-events`]) P.push({ pid: pid++, ppid: 2, etimes: up - (k.startsWith('kworker') ? Math.floor(rnd() * 3000) : 0), args: `[${k}]` });
  for (let k = 0; k < 8; k++) P.push({ pid: pid++, ppid: 2, etimes: Math.floor(rnd() * 900), args: `[kworker/u16:${k}-events_unbound]` });
  pid = 380;
  for (const s of SERVICES) P.push({ pid: (pid += 3 + Math.floor(rnd() * 40)), ppid: 1, etimes: up - 2, args: s });
  P.push({ pid: (pid += 11), ppid: 1, etimes: up - 3, args: 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups' });
  const sshd = pid;
  P.push({ pid: (pid += 9), ppid: 1, etimes: up - 9, args: '/usr/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.9' });
  P.push(flanneld);
  pid = Math.max(pid, flanneld.pid) + 20;
  for (let c = 0; c < 24; c++) {
    const shim = (pid += 5 + Math.floor(rnd() * 30));
    const t = up - 40 - Math.floor(rnd() * 5000);
    P.push({ pid: shim, ppid: 1, etimes: t, args: `/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id ${L.hexFrom(`${id.hostname}/shim${c}`, 64)} -address /run/containerd/containerd.sock` });
    P.push({ pid: (pid += 2), ppid: shim, etimes: t, args: '/pause' });
    P.push({ pid: (pid += 3), ppid: shim, etimes: t - 1, args: APPS[c % APPS.length] });
    if (c % 3 === 0) P.push({ pid: (pid += 1), ppid: pid - 1, etimes: t - 1, args: APPS[(c + 1) % APPS.length] });
  }
  const sess = 30000 + Math.floor(rnd() * 2000);
  P.push({ pid: sess, ppid: sshd, etimes: 412, args: 'sshd: root@pts/0' }, { pid: sess + 9, ppid: sess, etimes: 411, args: '-bash' },
    { pid: sess + 402, ppid: sess + 9, etimes: 1, args: `/bin/sh /usr/local/sbin/flannel-diag-collect${id.i === 1 ? ` --etcd-endpoints ${ENDPOINTS}` : ''}` },
    { pid: sess + 431, ppid: sess + 402, etimes: 0, args: 'ps -eo pid,ppid,lstart,etimes,args ww' });
  return P;
}

/** ~1 MiB of flanneld log: its startup and lease renewals (fixtures/lib), then a week of steady-state lines. */
function flanneldLog(S: Shared, id: Identity, size: number, rnd: () => number, p: { pid: number; argv: string[]; etimes: number }, clockMs: number): string {
  const { L } = S;
  const lb = new L.LogBuilder({ style: 'crictl', hostname: id.hostname });
  const untilUs = clockMs * 1000;
  const startUs = (clockMs - p.etimes * 1000) * 1000;
  const backend = { type: 'vxlan', vni: 1, port: 8472, learning: false };
  const r = L.flanneldStartup(lb, { pid: p.pid, version: VERSION, argv: p.argv, flags: L.parseFlags(p.argv), mode: 'etcd', backend, iface: { name: 'eth0', ip: id.ip },
    subnet: id.subnet, previousSubnet: id.subnet, leaseAction: 'reuse', nodeName: id.hostname, outcome: 'ok', ipMasq: true, vtepMac: id.vtepMac, peersAtStart: [] }, startUs, untilUs);
  const troubled = id.i % 20 === 7; // etcd trouble on 5% of the nodes: renew errors and client retries
  const avgLine = 150;
  const budget = LOG_BYTES - 8192;
  const stepUs = ((untilUs - r.endUs) / (budget / avgLine)) * 0.97;
  let bytes = 0;
  let t = r.endUs + 1e6;
  const K = (level: string, file: string, msg: string) => {
    lb.klog(Math.floor(t), p.pid, level, file, msg);
    bytes += 33 + file.length + msg.length; // `L1126 05:13:06.101233 <pid:7> file] msg\n`
  };
  while (bytes < budget) {
    t += stepUs * (0.5 + rnd());
    if (t >= untilUs) t = untilUs - 1000;
    const x = rnd();
    const peer = identity(L, 1 + Math.floor(rnd() * size));
    if (troubled && x < 0.04) {
      K('E', 'main.go:411', 'Error renewing lease (trying again in 1 min): context deadline exceeded');
      const ts = new Date(Math.floor(t / 1000)).toISOString();
      const msg = `{"level":"warn","ts":"${ts}","logger":"etcd-client","caller":"v3@v3.5.9/retry_interceptor.go:62","msg":"retrying of unary invoker failed","target":"etcd-endpoints://0xc0001a2000/${ENDPOINTS.slice(7)}","attempt":0,"error":"rpc error: code = DeadlineExceeded desc = context deadline exceeded"}`;
      lb.raw(Math.floor(t) + 12, p.pid, msg);
      bytes += msg.length + 1;
    } else if (x < 0.6) {
      K('I', 'vxlan_network.go:159', `Received Subnet Event with VxLan: BackendType: vxlan, PublicIP: ${peer.ip}, PublicIPv6: (nil), BackendData: {"VNI":1,"VtepMAC":"${peer.vtepMac}"}, BackendV6Data: (nil)`);
    } else if (x < 0.68) {
      K('I', 'vxlan_network.go:197', `Subnet removed: ${peer.subnet}`);
    } else if (x < 0.9) {
      K('I', 'iptables.go:421', 'Some iptables rules are missing; deleting and recreating rules');
      t += 30000;
      K('I', 'iptables.go:283', 'bootstrap done');
    } else {
      K('I', 'watch.go:51', `Watch subnets: got 1 event(s), revision ${4000 + Math.floor(t / 1e9) % 100000}`);
    }
  }
  return lb.render();
}

function stderrPath(p: string): string {
  const m = /^(.*)\.([a-z]+)$/.exec(p);
  return m ? `${m[1]}${m[2] === 'txt' ? '' : `-${m[2]}`}.stderr.txt` : `${p}.stderr.txt`;
}

type Entry = Cmd | { id: string; subject?: string; skipped: string; truncated?: boolean };

function etcdSection(S: Shared, size: number, nowMs: number): Entry[] {
  const { L } = S;
  const kvs: Parameters<FixtureLib['etcdCommands']>[0]['kvs'] = [{ key: `${PREFIX}/config`, value: `{"Network":"${NETWORK}","SubnetLen":24,"Backend":{"Type":"vxlan","VNI":1}}`, createRevision: 2, modRevision: 2, version: 1 }];
  const leases: Parameters<FixtureLib['etcdCommands']>[0]['leases'] = [];
  let rev = 2;
  const add = (subnet: string, value: string, leaseId: string, ttl: number) => {
    const key = `${PREFIX}/subnets/${subnet.replace('/', '-')}`;
    kvs.push({ key, value, lease: leaseId, createRevision: ++rev, modRevision: rev, version: 1 });
    leases.push({ id: leaseId, ttl, grantedTtl: 86400, keys: [key] });
  };
  const value = (ip: string, mac: string) => JSON.stringify({ PublicIP: ip, PublicIPv6: null, BackendType: 'vxlan', BackendData: { VNI: 1, VtepMAC: mac } });
  for (let i = 1; i <= size; i++) {
    const id = identity(L, i);
    add(id.subnet, value(id.ip, id.vtepMac), id.leaseId, 3600 + ((i * 7919) % 82000));
  }
  for (let k = 0; k < Math.ceil(size / 10); k++) {
    const s = staleLease(L, size, k);
    add(s.subnet, value(s.ip, s.vtepMac), s.leaseId, 600 + ((k * 104729) % 80000));
  }
  const cmds: Entry[] = L.etcdCommands({
    api: 3, prefix: PREFIX, endpoints: ENDPOINTS, version: '3.4.23', clusterId: '8219623371206934317', memberId: '10276657743932975437', raftTerm: 4,
    dbSize: 20480 + 4096 * Math.ceil(rev / 4), dbSizeInUse: 16384 + 4096 * Math.ceil(rev / 6), raftIndex: rev * 2 + 7, healthTook: '3.141592ms', revision: rev,
    kvs, leases, orphanLeases: [], v2: { enabled: true, index: 4 }, nowUs: nowMs * 1000, failure: null,
  });
  // the collector looks up at most MAX_LEASES TTLs; the rest are skipped entries marked truncated
  let looked = 0;
  return cmds.map((c) => ('argv' in c && c.id === 'etcd-lease-ttl' && ++looked > MAX_LEASES
    ? { id: c.id, subject: c.subject, skipped: `lease look-up limit reached: ${MAX_LEASES} of ${leases.length} leases looked up (--max-leases)`, truncated: true }
    : c));
}

/** The archive of node i: file name and bytes. */
export function nodeArchive(S: Shared, size: number, i: number): { name: string; data: Buffer } {
  const { L } = S;
  const id = identity(L, i);
  const rnd = prng(0x9e3779b1 ^ Math.imul(i, 2654435761));
  const clockMs = START_MS + (i % 300) * 1000 + Math.floor(rnd() * 900);
  const up = 8 * 86400 + Math.floor(rnd() * 86400);
  const etimes = up - 120 - Math.floor(rnd() * 600);
  const pid = 700 + Math.floor(rnd() * 200);
  const argv = ['/usr/bin/flanneld', `--etcd-endpoints=${ENDPOINTS}`, `--etcd-prefix=${PREFIX}`, '--iface=eth0', '--ip-masq'];
  const synced = i % 100 !== 37; // 1% of the nodes with an unsynchronized clock
  const time = { synchronized: synced, ntpService: 'active', rtcOffsetSeconds: 0 };

  // network: lo, eth0, flannel.1, cni0 and 7 pod veths; routes and fdb to the neighbours
  const eth0Mac = L.macFrom(`bench/${id.hostname}/eth0`);
  const cniMac = L.macFrom(`bench/${id.hostname}/cni0`);
  const links: Link[] = [
    { ifname: 'lo', kind: 'loopback', mtu: 65536, addrs: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host' }, { family: 'inet6', local: '::1', prefixlen: 128, scope: 'host' }] },
    { ifname: 'eth0', kind: 'veth', mac: eth0Mac, mtu: 1500, peer: { linkIndex: 8 + (i % 30), netnsid: 0 }, addrs: [{ family: 'inet', local: id.ip, prefixlen: 12 }, { family: 'inet6', local: L.linkLocal(eth0Mac), prefixlen: 64 }] },
    { ifname: 'flannel.1', kind: 'vxlan', mac: id.vtepMac, mtu: 1450, vxlan: { id: 1, local: id.ip, link: 'eth0', port: 8472, learning: false }, addrs: [{ family: 'inet', local: id.subnetNet, prefixlen: 32 }, { family: 'inet6', local: L.linkLocal(id.vtepMac), prefixlen: 64 }] },
    { ifname: 'cni0', kind: 'bridge', mac: cniMac, mtu: 1450, state: 'up', gcTimer: '117.42', addrs: [{ family: 'inet', local: L.intToIp(L.ipToInt(id.subnetNet) + 1), prefixlen: 24 }, { family: 'inet6', local: L.linkLocal(cniMac), prefixlen: 64 }] },
  ];
  for (let j = 0; j < 7; j++) {
    const mac = L.macFrom(`bench/${id.hostname}/veth${j}`);
    links.push({ ifname: `veth${L.hexFrom(`${id.hostname}/pod${j}`, 8)}`, kind: 'veth', mac, mtu: 1450, master: 'cni0', portNo: j + 1, peer: { linkIndex: 2, netnsid: j + 1 }, addrs: [{ family: 'inet6', local: L.linkLocal(mac), prefixlen: 64 }] });
  }
  const routes: Route[] = [
    { dst: 'default', gateway: '172.16.0.1', dev: 'eth0' },
    { dst: '172.16.0.0/12', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: id.ip },
    { dst: id.subnet, dev: 'cni0', protocol: 'kernel', scope: 'link', prefsrc: L.intToIp(L.ipToInt(id.subnetNet) + 1) },
  ];
  const fdb: { mac: string; dst: string }[] = [];
  for (let j = Math.max(1, i - PEERS / 2); j <= Math.min(size, i + PEERS / 2); j++) {
    if (j === i) continue;
    const peer = identity(L, j);
    routes.push({ dst: peer.subnet, gateway: peer.subnetNet, dev: 'flannel.1', flags: ['onlink'] });
    fdb.unshift({ mac: peer.vtepMac, dst: peer.ip });
  }
  const net = L.renderNet(S.net, links, L.sortRoutes(routes), { 'flannel.1': fdb });

  const entries: Entry[] = [];
  const ok = (cid: string, cargv: string[], file: string, stdout: string, extra: Partial<Cmd> = {}) => entries.push({ id: cid, argv: cargv, file, stdout, stderr: '', exitCode: 0, ...extra });
  const skip = (cid: string, reason: string) => entries.push({ id: cid, skipped: reason });
  ok('date', ['date', '-u', '+%Y-%m-%dT%H:%M:%SZ'], 'node/date.txt', `${L.isoSec(clockMs)}\n`);
  ok('uname', ['uname', '-a'], 'node/uname.txt', `Linux ${id.hostname} ${RELEASE} ${KBUILD} x86_64 x86_64 x86_64 GNU/Linux\n`);
  const flanneld: Proc = { pid, ppid: 1, etimes, args: argv.join(' ') };
  ok('ps', ['ps', '-eo', 'pid,ppid,lstart,etimes,args', 'ww'], 'node/ps.txt', L.renderPs(processes(S, id, rnd, up, flanneld), clockMs + 40));
  const dir = `node/flanneld/${pid}`;
  ok('flanneld-cmdline', ['cat', `/proc/${pid}/cmdline`], `${dir}/cmdline.txt`, `${argv.join('\n')}\n`, { subject: String(pid), source: `/proc/${pid}/cmdline` });
  ok('flanneld-environ', ['cat', `/proc/${pid}/environ`], `${dir}/environ.txt`, '', { subject: String(pid), source: `/proc/${pid}/environ` });
  ok('flanneld-version', ['sh', '-c', `/proc/${pid}/exe --version 2>&1`], `${dir}/version.txt`, `${VERSION}\n`, { subject: String(pid) });
  for (const [id, argv, file, key] of L.NET_COMMANDS) ok(id, argv, file, net[key]);
  for (const [dev, out] of Object.entries(net.fdb)) ok('bridge-fdb', ['bridge', '-j', 'fdb', 'show', 'dev', dev], `node/bridge-fdb/${dev}.json`, out, { subject: dev });
  ok('timedatectl-status', ['timedatectl', 'status'], 'node/timedatectl-status.txt', L.timedatectlStatus(clockMs + 800, time));
  ok('timedatectl-show', ['timedatectl', 'show'], 'node/timedatectl-show.txt', L.timedatectlShow(clockMs + 850, time));
  skip('chronyc-tracking', 'command not found: chronyc');
  skip('ntpq', 'command not found: ntpq');
  const cfgSrc = `/boot/config-${RELEASE}`;
  ok('kernel-config', ['cat', cfgSrc], 'node/kernel-config.txt', S.kernelConfig, { source: cfgSrc });
  ok('modules', ['cat', '/proc/modules'], 'node/proc-modules.txt', S.modules.text, { source: '/proc/modules' });
  ok('modules-builtin', ['cat', `/lib/modules/${RELEASE}/modules.builtin`], 'node/modules-builtin.txt', S.modulesBuiltin, { source: `/lib/modules/${RELEASE}/modules.builtin` });
  ok('sys-module', ['ls', '/sys/module'], 'node/sys-module.txt', S.sysModule);
  const sysvals = { 'net.ipv4.ip_forward': '1', 'net.bridge.bridge-nf-call-iptables': '1' };
  entries.push({ id: 'sysctl', argv: ['sysctl', ...Object.keys(sysvals)], file: 'node/sysctl.txt', ...L.sysctlOutput(sysvals) });
  ok('subnet-env', ['cat', '/run/flannel/subnet.env'], 'node/subnet.env', `FLANNEL_NETWORK=${NETWORK}\nFLANNEL_SUBNET=${L.intToIp(L.ipToInt(id.subnetNet) + 1)}/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n`, { source: '/run/flannel/subnet.env' });
  skip('net-conf', 'not applicable: the etcd subnet manager reads its network config from etcd');
  ok('flanneld-log', ['tail', '-c', '20971520', '/var/log/flanneld.log'], 'node/flanneld.log', flanneldLog(S, id, size, rnd, { pid, argv, etimes }, clockMs), { source: '/var/log/flanneld.log' });
  if (i === 1) entries.push(...etcdSection(S, size, clockMs + 2500));
  else for (const e of ETCD_IDS) skip(e, 'etcd not requested on this node (options.etcd false)');
  for (const k of KUBE_IDS) skip(k, 'kube not requested (options.kube false)');

  // manifest and archive, as fixtures/make-fixtures.mjs lays them out
  const files = new Map<string, Buffer>();
  const commands: Record<string, unknown>[] = [];
  let clock = clockMs;
  for (const e of entries) {
    if ('skipped' in e) {
      commands.push({ id: e.id, ...(e.subject ? { subject: e.subject } : {}), skipped: e.skipped, ...(e.truncated ? { truncated: true } : {}) });
      continue;
    }
    const out = Buffer.from(e.stdout, 'utf8');
    const errPath = stderrPath(e.file);
    files.set(e.file, out);
    files.set(errPath, Buffer.from(e.stderr ?? '', 'utf8'));
    const dur = DURATION[e.id] ?? 5;
    commands.push({ id: e.id, ...(e.subject ? { subject: e.subject } : {}), argv: e.argv, ...(e.source ? { source: e.source } : {}), stdout: e.file, stderr: errPath, exitCode: e.exitCode, startedAt: L.isoSec(clock), durationMs: dur, timedOut: false, truncated: false, bytes: out.length });
    clock += dur + 3;
  }
  const manifest = {
    format: 'flannel-diag-bundle/1',
    collector: { name: 'flannel-diag-collect', version: '1.0.0' },
    host: { hostname: id.hostname, machineId: L.hexFrom(`bench/${id.hostname}/machine-id`, 32), kernelRelease: RELEASE, arch: 'x86_64' },
    collectedAt: L.isoSec(clockMs),
    collectedAtEpoch: Math.floor(clockMs / 1000),
    options: { etcd: i === 1, ...(i === 1 ? { etcdEndpoints: ENDPOINTS, etcdPrefix: PREFIX } : {}), kube: false, logSince: '48h', timeoutSeconds: 20 },
    commands,
  };
  files.set('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'));
  const top = `flannel-diag-${id.hostname}-${L.compactStamp(clockMs)}`;
  return { name: `${top}.tar.gz`, data: L.makeTarGz(files, top, Math.floor(clockMs / 1000), 6) };
}

// ---- the cluster, cached ---------------------------------------------------------------------------------

interface Marker {
  version: number;
  size: number;
  archives: number;
  compressedBytes: number;
}

export function clusterDir(size: number): string {
  return path.join(CACHE_ROOT, `cluster-g${GENERATOR_VERSION}-n${size}`);
}

/** Beside the directory, not in it: the analyzer would report a stray file in a bundle set. */
const markerPath = (dir: string) => `${dir}.json`;

function readMarker(dir: string): Marker | null {
  try {
    if (!existsSync(dir)) return null;
    return JSON.parse(readFileSync(markerPath(dir), 'utf8')) as Marker;
  } catch {
    return null;
  }
}

/** The cluster of `size` nodes: from the cache, or generated (on every core) into it. */
export async function ensureCluster(size: number, onProgress?: (msg: string) => void): Promise<GeneratedCluster> {
  const dir = clusterDir(size);
  const m = readMarker(dir);
  if (m && m.version === GENERATOR_VERSION && m.size === size) return { size, dir, archives: m.archives, compressedBytes: m.compressedBytes, generatedMs: null };
  const t0 = performance.now();
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const workers = Math.max(1, Math.min(availableParallelism(), size));
  let done = 0;
  await Promise.all(
    Array.from({ length: workers }, (_, w) => new Promise<void>((resolve, reject) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: { benchGenerate: true, size, dir: tmp, first: w + 1, step: workers } });
      worker.on('message', (n: number) => {
        done += n;
        if (done % 100 === 0 || done === size) onProgress?.(`generating ${size} nodes: ${done}/${size}`);
      });
      worker.on('error', reject);
      worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`generator worker exited with ${code}`))));
    })),
  );
  const names = readdirSync(tmp).filter((f) => f.endsWith('.tar.gz'));
  const compressedBytes = names.reduce((s, f) => s + statSync(path.join(tmp, f)).size, 0);
  const marker: Marker = { version: GENERATOR_VERSION, size, archives: names.length, compressedBytes };
  rmSync(markerPath(dir), { force: true });
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  writeFileSync(markerPath(dir), `${JSON.stringify(marker)}\n`);
  return { size, dir, archives: names.length, compressedBytes, generatedMs: performance.now() - t0 };
}

if (!isMainThread && (workerData as { benchGenerate?: boolean } | null)?.benchGenerate) {
  const { size, dir, first, step } = workerData as { size: number; dir: string; first: number; step: number };
  const S = await loadShared();
  for (let i = first; i <= size; i += step) {
    const a = nodeArchive(S, size, i);
    writeFileSync(path.join(dir, a.name), a.data);
    parentPort!.postMessage(1);
  }
}
