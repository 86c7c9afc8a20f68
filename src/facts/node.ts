// Builds the facts of one node bundle: processes and their flags, interfaces, routes, time sync,
// kernel support, subnet.env, log events, and how each command of the manifest went. Raw file text is
// read here and dropped when this returns; only facts and short evidence excerpts survive.
import { excerpt as clip } from './format.js';
import { firstNonEmptyLine, type TextLike } from '../parsers/util.js';
import type { NodeBundle } from '../bundle/types.js';
import { commandOutcomes, decodeText, fileText, lookupCommand, lookupOutput, scannableText } from '../bundle/commands.js';
import type { CommandOutcome } from '../bundle/types.js';
import type { Evidence, IntegrityNote } from '../report/schema.js';
import type { SignatureMatcher } from '../engine/signatures.js';
import type { ParseIssue, LinkRow, AddrRow, RouteRow, TimeSyncReading, Parsed } from '../parsers/types.js';
import { parsePs, parseCmdline, parseEnviron } from '../parsers/ps.js';
import { parseFlanneldVersion } from '../parsers/flannel-version.js';
import { parseIpLinkJson, parseIpLinkText, parseIpAddrJson, parseIpAddrText, parseIpRouteJson, parseIpRouteText, parseBridgeFdbJson } from '../parsers/ip.js';
import { parseTimedatectlShow, parseTimedatectlStatus, parseChronycTracking, parseNtpq } from '../parsers/time.js';
import { parseKernelConfig, parseProcModules, parseModulesBuiltin, parseSysModule, parseSysctl } from '../parsers/kernel.js';
import { parseSubnetEnv } from '../parsers/subnet-env.js';
import { LogScan } from '../parsers/log-scan.js';
import { parseK3sConfig, parseUname } from '../parsers/misc.js';
import { classifyEtcdError } from '../parsers/etcd.js';
import type { DataState, FactOf, NodeFact } from './schema.js';
import { networkConfigFact } from './network-config.js';
import { networkOf } from './net.js';
import { kernelOptions, parseKernelConfigOnce } from './kernel-cache.js';
import { deviceBackend, differingFlags, selectIface } from './iface.js';
import { DATA_PATHS } from './schema.js';

type Flanneld = FactOf<'Flanneld'>;
type Iface = FactOf<'Interface'>;
type CommandFact = FactOf<'Command'>;

const BOOL_FLAGS = new Set([
  'ip-masq', 'kube-subnet-mgr', 'version', 'ip-masq-fully-random-disable', 'ip-blackhole-route',
  'set-node-network-unavailable', 'iptables-forward-rules', 'v6-only', 'auto-detect-ipv4', 'auto-detect-ipv6',
  'logtostderr', 'alsologtostderr',
]);
const REPEATABLE = new Set(['iface', 'iface-regex', 'iface-can-reach']);
const DEFAULT_ENDPOINTS = 'http://127.0.0.1:4001,http://127.0.0.1:2379';
const DEFAULT_PREFIX = '/coreos.com/network';

/** Kernel options that flannel backends and their plumbing need, with the module that provides each. */
export const KERNEL_OPTIONS: Record<string, string> = {
  CONFIG_VXLAN: 'vxlan',
  CONFIG_TUN: 'tun',
  CONFIG_WIREGUARD: 'wireguard',
  CONFIG_NET_IPIP: 'ipip',
  CONFIG_XFRM_USER: 'xfrm_user',
  CONFIG_INET_ESP: 'esp4',
  CONFIG_BRIDGE_NETFILTER: 'br_netfilter',
  CONFIG_BRIDGE: 'bridge',
  CONFIG_VETH: 'veth',
};

export interface EtcdContribution {
  input: string;
  hostname: string;
  prefix: string;
  endpoints: string;
  outcomes: Map<string, CommandOutcome[]>;
  texts: Map<string, string>;
  /** lease TTL outputs by hex id */
  leaseTtlTexts: Map<string, { text: string; file: string }>;
}

export interface KubeContribution {
  input: string;
  hostname: string;
  outcomes: Map<string, CommandOutcome[]>;
  texts: Map<string, string>;
}

export interface NodeBuild {
  node: NodeFact;
  availability: Record<string, DataState>;
  etcd: EtcdContribution | null;
  kube: KubeContribution | null;
  integrity: IntegrityNote[];
}

/**
 * Node fields that only rules read (no code of the analyzer does) and that cost memory on every node: they
 * are left out of a node's facts when no loaded rule names them (engine/pipeline.ts, unnamedNodeFields).
 * Every manifest command with its evidence was a fifth of a node's facts (~8 KB; 40 MB at 5,000 nodes); the
 * expected absences (tools not installed: ~16 per node) another 3 KB, where the built-in rules need their count.
 */
export const RULE_ONLY_NODE_FIELDS = ['commands', 'expectedAbsences'] as const;
export type RuleOnlyNodeField = (typeof RULE_ONLY_NODE_FIELDS)[number];

const KEEP_ALL: ReadonlySet<RuleOnlyNodeField> = new Set();

/** Every process the facts look at has one of these in its ps line (the command test in buildNode). */
const PROCESS_WORDS = ['flanneld', 'k3s', 'rke2'];

/** The facts of one node bundle; `omit`: rule-only fields no loaded rule reads. */
export function buildNode(bundle: NodeBundle, matcher: SignatureMatcher, omit: ReadonlySet<RuleOnlyNodeField> = KEEP_ALL): NodeBuild {
  const m = bundle.manifest;
  const input = bundle.input;
  const outcomes = commandOutcomes(bundle);
  const integrity: IntegrityNote[] = [];
  const ev = (file: string | null, extra: Partial<Evidence> = {}): Evidence => ({ input, file, ...extra });
  const parseNotes = (issues: ParseIssue[]) => {
    for (const i of issues.slice(0, 20)) {
      integrity.push({ input, kind: 'parse', id: null, state: 'parse-issue', message: `${i.message}`, file: i.line ? `${i.file}:${i.line}` : i.file, expected: false });
    }
  };
  const get = (id: string, fallback?: string) => lookupCommand(bundle, outcomes, id, fallback);
  /** The parse of a command's output (text or bytes), or null without one; its notes go to the integrity notes. */
  const parseOf = <T, S>(outcome: CommandOutcome, content: S | null, fallback: string, parser: (content: S, file: string) => Parsed<T>): { value: T; file: string } | null => {
    if (content === null) return null;
    const file = outcome.file ?? fallback;
    const p = parser(content, file);
    parseNotes(p.issues);
    return { value: p.value, file };
  };
  const parsed = <T>(id: string, fallback: string, parser: (text: string, file: string) => Parsed<T>) => {
    const r = get(id, fallback);
    return parseOf(r.outcome, r.text, fallback, parser);
  };

  const collectedAt = m.collectedAt;
  const epochMs = Date.parse(collectedAt);
  const refYear = Number.isFinite(epochMs) ? new Date(epochMs).getUTCFullYear() : new Date().getUTCFullYear();
  const refMonth = Number.isFinite(epochMs) ? new Date(epochMs).getUTCMonth() + 1 : undefined;

  // ---- uname / arch
  const uname = parsed('uname', 'node/uname.txt', parseUname);
  const arch = m.host.arch ?? uname?.value.machine ?? undefined;

  // ---- processes
  // only rows that can be flanneld or an embedded flannel (k3s, rke2) are parsed: the test below decides
  const ps = parsed('ps', 'node/ps.txt', (text, file) => parsePs(text, file, PROCESS_WORDS));
  const flanneld: Flanneld[] = [];
  let embedded = '';
  for (const row of ps?.value ?? []) {
    const cmd = row.command;
    const isFlanneld = cmd === 'flanneld';
    const embeddedKind = (cmd === 'k3s' || cmd === 'rke2') && /\s(server|agent)(\s|$)/.test(` ${row.args} `) ? cmd : cmd.startsWith('k3s-') || cmd === 'k3s-server' || cmd === 'k3s-agent' ? 'k3s' : '';
    if (!isFlanneld && !embeddedKind) continue;
    const pid = String(row.pid);
    const evidence: Evidence[] = [ev(ps!.file, { line: row.line, excerpt: clip(row.args) })];
    let argv = row.args.split(/\s+/).filter(Boolean);
    const cmdline = get('flanneld-cmdline', `node/flanneld/${pid}/cmdline.txt`);
    const cmdOutcome = pickSubject(outcomes.get('flanneld-cmdline'), pid);
    const cmdText = cmdOutcome ? lookupText(bundle, cmdOutcome) : cmdline.outcome.subject === pid || !outcomes.has('flanneld-cmdline') ? cmdline.text : null;
    if (cmdText) {
      const p = parseCmdline(cmdText, `node/flanneld/${pid}/cmdline.txt`);
      if (p.value.length) {
        argv = p.value;
        evidence.push(ev(cmdOutcome?.file ?? `node/flanneld/${pid}/cmdline.txt`, { excerpt: clip(argv.join(' ')) }));
      }
    }
    const envOutcome = pickSubject(outcomes.get('flanneld-environ'), pid);
    const envText = envOutcome ? lookupText(bundle, envOutcome) : fileText(bundle, `node/flanneld/${pid}/environ.txt`);
    const env: Record<string, string> = Object.create(null);
    if (envText) {
      const p = parseEnviron(envText, `node/flanneld/${pid}/environ.txt`);
      for (const v of p.value) env[v.name] = v.value;
      if (p.value.length) evidence.push(ev(envOutcome?.file ?? `node/flanneld/${pid}/environ.txt`, { excerpt: clip(p.value.map((v) => `${v.name}=${v.value}`).join(' ')) }));
    }
    const verOutcome = pickSubject(outcomes.get('flanneld-version'), pid);
    const verText = verOutcome ? lookupText(bundle, verOutcome) : fileText(bundle, `node/flanneld/${pid}/version.txt`);
    const version = verText ? parseFlanneldVersion(verText, `node/flanneld/${pid}/version.txt`).value : null;
    const fact = flanneldFact(argv, env, isFlanneld ? 'flanneld' : embeddedKind, row.pid, row.startedAt, evidence);
    if (version) {
      fact.version = version;
      fact.versionSource = 'binary';
    }
    if (!isFlanneld) embedded = embeddedKind;
    flanneld.push(fact);
  }

  // ---- k3s config (embedded flannel settings may live there instead of on the command line)
  const k3sConfig: Record<string, string> = Object.create(null);
  const k3s = parsed('k3s-config', 'node/k3s-config.yaml', parseK3sConfig);
  if (k3s) {
    for (const [k, v] of Object.entries(k3s.value)) k3sConfig[k] = Array.isArray(v) ? v.join(',') : String(v);
    for (const f of flanneld.filter((x) => x.source !== 'flanneld')) {
      if (!f.backend && k3sConfig['flannel-backend']) f.backend = k3sConfig['flannel-backend'];
      if (!f.ifaces.length && k3sConfig['flannel-iface']) f.ifaces = k3sConfig['flannel-iface'].split(',');
      f.evidence.push(ev(k3s.file));
    }
  }

  // ---- interfaces and addresses
  const linkJson = get('ip-link', 'node/ip-link.json');
  const links: { rows: LinkRow[]; file: string } | null =
    linkJson.text !== null && linkJson.outcome.state !== 'failed'
      ? withNotes(parseIpLinkJson(linkJson.text, linkJson.outcome.file ?? 'node/ip-link.json'), linkJson.outcome.file ?? 'node/ip-link.json', parseNotes)
      : null;
  const linkRows = links && links.rows.length ? links : textFallback(get('ip-link-text', 'node/ip-link.txt'), 'node/ip-link.txt', parseIpLinkText, parseNotes);
  const addrJson = get('ip-addr', 'node/ip-addr.json');
  const addrs: { rows: AddrRow[]; file: string } | null =
    addrJson.text !== null && addrJson.outcome.state !== 'failed' ? withNotes(parseIpAddrJson(addrJson.text, addrJson.outcome.file ?? 'node/ip-addr.json'), addrJson.outcome.file ?? 'node/ip-addr.json', parseNotes) : null;
  const addrRows = addrs && addrs.rows.length ? addrs : textFallback(get('ip-addr-text', 'node/ip-addr.txt'), 'node/ip-addr.txt', parseIpAddrText, parseNotes);
  const interfaces: Iface[] = [];
  const byName: Record<string, Iface> = Object.create(null);
  for (const l of linkRows?.rows ?? []) {
    const i: Iface = {
      name: l.ifname,
      kind: l.kind ?? '',
      up: l.flags.includes('UP') && (l.operstate === null || l.operstate === 'UP' || l.operstate === 'UNKNOWN'),
      operstate: l.operstate ?? '',
      addresses: [],
      ipv4: [],
      evidence: [ev(linkRows!.file, { line: l.line ?? undefined, pointer: l.line === null ? undefined : undefined, excerpt: clip(`${l.ifname} ${l.kind ?? ''} ${l.operstate ?? ''}${l.vxlan ? ` vxlan id ${l.vxlan.id} local ${l.vxlan.local} dev ${l.vxlan.dev} dstport ${l.vxlan.port}` : ''}`) })],
    };
    if (l.mtu !== null) i.mtu = l.mtu;
    if (l.address) i.mac = l.address;
    if (l.master) i.master = l.master;
    if (l.vxlan) {
      if (l.vxlan.id !== null) i.vxlanId = l.vxlan.id;
      if (l.vxlan.local) i.vxlanLocal = l.vxlan.local;
      if (l.vxlan.dev) i.vxlanDev = l.vxlan.dev;
      if (l.vxlan.port !== null) i.vxlanPort = l.vxlan.port;
    }
    if (byName[i.name]) continue;
    byName[i.name] = i;
    interfaces.push(i);
  }
  const addresses: string[] = [];
  for (const a of addrRows?.rows ?? []) {
    let i = byName[a.ifname];
    if (!i) {
      // ip addr knows a device ip link did not list (or ip link failed): keep what we know
      i = { name: a.ifname, kind: '', up: a.flags.includes('UP'), operstate: a.operstate ?? '', addresses: [], ipv4: [], evidence: [] };
      byName[i.name] = i;
      interfaces.push(i);
    }
    for (const x of a.addresses) {
      i.addresses.push(`${x.local}/${x.prefixlen}`);
      if (x.family === 'inet') i.ipv4.push(x.local);
      addresses.push(x.local);
    }
    if (a.addresses.length) i.evidence.push(ev(addrRows!.file, { line: a.line ?? undefined, excerpt: clip(`${a.ifname}: ${a.addresses.map((x) => `${x.local}/${x.prefixlen}`).join(' ')}`) }));
  }

  // ---- routes
  const routeJson = get('ip-route', 'node/ip-route.json');
  const routeRowsJ: { rows: RouteRow[]; file: string } | null =
    routeJson.text !== null && routeJson.outcome.state !== 'failed' ? withNotes(parseIpRouteJson(routeJson.text, routeJson.outcome.file ?? 'node/ip-route.json'), routeJson.outcome.file ?? 'node/ip-route.json', parseNotes) : null;
  const routeRows = routeRowsJ && routeRowsJ.rows.length ? routeRowsJ : textFallback(get('ip-route-text', 'node/ip-route.txt'), 'node/ip-route.txt', parseIpRouteText, parseNotes);
  const routes = (routeRows?.rows ?? []).map((r) => {
    const out: FactOf<'Route'> = { dst: r.dst, onlink: r.flags.includes('onlink') };
    if (r.gateway) out.gateway = r.gateway;
    if (r.dev) out.dev = r.dev;
    return out;
  });
  const defaultRouteIface = routes.find((r) => r.dst === 'default' && r.dev)?.dev;

  // ---- fdb
  const fdbByDevice: Record<string, string[]> = Object.create(null);
  for (const o of outcomes.get('bridge-fdb') ?? []) {
    const text = lookupText(bundle, o);
    if (text === null || !o.file) continue;
    const dev = o.subject ?? o.file.replace(/^.*\//, '').replace(/\.json$/, '');
    const p = parseBridgeFdbJson(text, o.file, dev);
    parseNotes(p.issues);
    fdbByDevice[dev] = p.value.map((r) => r.dst).filter((d): d is string => !!d);
  }

  // ---- time sync: the most specific source that answers wins
  const readings: { r: TimeSyncReading; file: string }[] = [];
  for (const [id, path, parser] of [
    ['timedatectl-show', 'node/timedatectl-show.txt', parseTimedatectlShow],
    ['timedatectl-status', 'node/timedatectl-status.txt', parseTimedatectlStatus],
    ['chronyc-tracking', 'node/chronyc-tracking.csv', parseChronycTracking],
    ['ntpq', 'node/ntpq.txt', parseNtpq],
  ] as const) {
    const r = get(id, path);
    if (r.text === null || r.outcome.state === 'failed' || r.outcome.state === 'timed-out') continue;
    const p = parser(r.text, r.outcome.file ?? path);
    if (p.value) readings.push({ r: p.value, file: r.outcome.file ?? path });
  }
  const verdict = readings.find((x) => x.r.synchronized !== null);
  const active = readings.find((x) => x.r.ntpActive !== null);
  const offset = readings.find((x) => x.r.offsetSeconds !== null);
  const timeSync: FactOf<'TimeSync'> = {
    known: verdict !== undefined,
    synchronized: verdict?.r.synchronized === true,
    ntpActive: active?.r.ntpActive === true,
    ntpActiveKnown: active !== undefined,
    source: verdict?.r.source ?? '',
    evidence: [verdict, active !== verdict ? active : undefined]
      .filter((x): x is { r: TimeSyncReading; file: string } => !!x)
      .map((x) => ev(x.file, { line: x.r.line ?? undefined, excerpt: clip(x.r.excerpt) })),
  };
  if (offset?.r.offsetSeconds !== undefined && offset.r.offsetSeconds !== null) timeSync.offsetSeconds = offset.r.offsetSeconds;

  // ---- kernel
  // bytes, not text: they are compared with the last config's before they are decoded (kernel-cache.ts)
  const kconfR = lookupOutput(bundle, outcomes, 'kernel-config', 'node/kernel-config.txt');
  const kconf = parseOf(kconfR.outcome, kconfR.bytes, 'node/kernel-config.txt', parseKernelConfigOnce);
  const kconfOutcome = kconfR.outcome;
  const options = kernelOptions(kconf?.value);
  const loadedSet = new Set<string>();
  const mods = parsed('modules', 'node/proc-modules.txt', parseProcModules);
  for (const r of mods?.value ?? []) loadedSet.add(r.name);
  const sysmods = parsed('sys-module', 'node/sys-module.txt', parseSysModule);
  for (const r of sysmods?.value ?? []) loadedSet.add(r.name);
  const builtinRows = parsed('modules-builtin', 'node/modules-builtin.txt', parseModulesBuiltin);
  const builtin = new Set((builtinRows?.value ?? []).map((r) => r.name));
  const configKnown = kconf !== null && kconf.value.size > 0;
  const modulesKnown = mods !== null || sysmods !== null;
  const support: Record<string, string> = Object.create(null);
  for (const [opt, mod] of Object.entries(KERNEL_OPTIONS)) {
    const loaded = loadedSet.has(mod);
    const v = options[opt];
    if (configKnown) {
      if (v === 'y' || builtin.has(mod)) support[opt] = 'built-in';
      else if (v === 'm') support[opt] = loaded ? 'module-loaded' : 'module';
      else if (loaded) support[opt] = 'module-loaded';
      else support[opt] = v === 'n' ? 'not-set' : 'absent';
    } else if (builtin.has(mod)) support[opt] = 'built-in';
    else if (loaded) support[opt] = 'loaded';
    else support[opt] = 'unknown';
  }
  const kernel: FactOf<'Kernel'> = {
    configKnown,
    options,
    modulesKnown,
    loaded: [...loadedSet].sort(),
    builtin: [...builtin].sort(),
    support,
    evidence: kconf ? [ev(kconf.file, { excerpt: kconfOutcome.entry?.source ? `from ${kconfOutcome.entry.source}` : undefined })] : [ev('node/kernel-config.txt', { absent: true, lookedFor: 'kernel config' })],
  };
  const release = m.host.kernelRelease ?? uname?.value.kernelRelease ?? undefined;
  if (release) kernel.release = release;
  if (kconfOutcome.entry?.source) kernel.configSource = kconfOutcome.entry.source;
  // cite the option lines themselves when we have them
  if (kconf) {
    for (const opt of Object.keys(KERNEL_OPTIONS)) {
      const line = kconf.value.get(opt);
      if (line && opt === 'CONFIG_VXLAN') kernel.evidence = [ev(kconf.file, { line: line.line, excerpt: line.value === 'n' ? `# ${opt} is not set` : `${opt}=${line.value}` })];
    }
  }

  // ---- sysctl
  // procps reports a key that does not exist (no br_netfilter) on stderr, with exit 255: read both
  const sysctlR = get('sysctl', 'node/sysctl.txt');
  const sysctlParsed = parseOf(sysctlR.outcome, sysctlR.text, 'node/sysctl.txt', (text, file) => {
    const errFile = sysctlR.outcome.entry?.stderr;
    const err = errFile ? fileText(bundle, errFile) ?? '' : '';
    return parseSysctl(err ? `${text}\n${err}` : text, file);
  });
  const sysctl: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(sysctlParsed?.value.values ?? {})) sysctl[k] = v.value;
  const sysctlMissing = Object.keys(sysctlParsed?.value.missing ?? {});

  // ---- subnet.env: node/subnet.env, or one per flanneld process
  const subnetEnvs: FactOf<'SubnetEnv'>[] = [];
  const seOutcomes = outcomes.get('subnet-env') ?? [];
  for (const o of seOutcomes.length ? seOutcomes : [get('subnet-env', 'node/subnet.env').outcome]) {
    const text = lookupText(bundle, o) ?? (o.state === 'missing' ? fileText(bundle, 'node/subnet.env') : null);
    const file = o.file ?? 'node/subnet.env';
    if (text === null) continue;
    const p = parseSubnetEnv(text, file);
    parseNotes(p.issues);
    subnetEnvs.push(subnetEnvFact(p.value.vars, ev(file, { excerpt: clip(text.trim().split('\n').join(' ')) })));
  }
  const subnetEnv = subnetEnvs[0] ?? { present: false, evidence: [ev('node/subnet.env', { absent: true, lookedFor: '/run/flannel/subnet.env' })] };

  // ---- net-conf on the host (kube/embedded)
  const netConfR = get('net-conf', 'node/net-conf.json');
  const netConf = netConfR.text !== null && netConfR.outcome.state !== 'failed'
    ? networkConfigFact(netConfR.text, 'net-conf', netConfR.outcome.entry?.source ?? netConfR.outcome.file ?? 'node/net-conf.json', [ev(netConfR.outcome.file ?? 'node/net-conf.json')])
    : undefined;

  // ---- log
  const getLog = (id: string, fallback: string) => {
    const { outcome, bytes } = lookupOutput(bundle, outcomes, id, fallback);
    return { outcome, text: bytes ? scannableText(bytes) : null };
  };
  const logPrimary = getLog('flanneld-log', 'node/flanneld.log');
  const logR = logPrimary.text !== null ? logPrimary : getLog('kube-flannel-log', 'kube/flannel-pod.log');
  const log = buildLog(logR.text, logR.outcome.file ?? 'node/flanneld.log', logR.outcome, refYear, refMonth, matcher, input, parseNotes);
  if (!log.collected && logR.outcome.entry?.source) log.source = logR.outcome.entry.source;

  // ---- node mode and its flannel
  const primary = flanneld.find((f) => f.source === 'flanneld') ?? flanneld[0];
  const mode = primary ? primary.mode : 'none';
  const version = flanneld.find((f) => f.version)?.version;
  for (const i of interfaces) {
    const fb = deviceBackend(i.name, i.kind);
    if (fb) i.flannelBackend = fb;
  }
  for (const f of flanneld) selectIface(f, m.host.hostname, interfaces, byName, defaultRouteIface);
  const ifaceInfo = primary
    ? { iface: primary.chosenIface, address: primary.chosenAddress }
    : { iface: defaultRouteIface, address: defaultRouteIface ? byName[defaultRouteIface]?.ipv4[0] : undefined };

  // ---- commands, for bundle-integrity
  const commands: CommandFact[] = [];
  for (const list of outcomes.values()) {
    for (const o of list) {
      const errText = o.entry?.stderr ? fileText(bundle, o.entry.stderr) ?? '' : '';
      const outBytes = o.state === 'failed' && o.file ? bundle.files.get(o.file) : undefined;
      const outText = outBytes ? decodeText(outBytes.subarray(0, 4096)) : '';
      commands.push({
        id: o.id,
        subject: o.subject ?? '',
        state: o.state,
        reason: o.reason,
        expected: isExpectedFailure(o, `${errText}\n${outText}`),
        file: o.file ?? '',
        evidence: [ev('manifest.json', { excerpt: clip(`${o.id}${o.subject ? ` (${o.subject})` : ''}: ${o.state}${o.reason ? ` — ${o.reason}` : ''}`) }), ...(o.entry?.stderr && errText ? [ev(o.entry.stderr, { line: 1, excerpt: clip(firstNonEmptyLine(errText)) })] : [])],
      });
    }
  }

  const expectedAbsences = commands.filter((c) => c.state !== 'ok' && c.expected);
  const base: Omit<NodeFact, RuleOnlyNodeField> = {
    hostname: m.host.hostname,
    input,
    collectedAt,
    collectedAtEpoch: typeof m.collectedAtEpoch === 'number' ? m.collectedAtEpoch : Number.isFinite(epochMs) ? epochMs / 1000 : 0,
    embedded,
    mode: embedded && !flanneld.some((f) => f.source === 'flanneld') ? 'embedded' : mode,
    flanneld,
    flanneldCount: flanneld.filter((f) => f.source === 'flanneld').length,
    flanneldDifferingFlags: differingFlags(flanneld.filter((f) => f.source === 'flanneld')),
    flannelDevices: interfaces.filter((i) => i.flannelBackend !== undefined),
    vxlanMismatches: [],
    peerSubnetCount: 0,
    missingPeerRouteCount: 0,
    missingPeerRoutes: [],
    backendViews: [],
    nonL2PeerCount: 0,
    nonL2Peers: [],
    lostCommands: commands.filter((c) => c.state !== 'ok' && !c.expected),
    expectedAbsenceCount: expectedAbsences.length,
    interfaces,
    interfaceByName: byName,
    addresses: [...new Set(addresses)],
    routes,
    timeSync,
    kernel,
    backendSupport: 'unknown',
    subnetEnv,
    subnetEnvs,
    k3sConfig,
    sysctl,
    sysctlMissing,
    log,
    leases: [],
    rejected: bundle.rejected.map((r) => ({ name: r.name, type: r.type, reason: r.reason })),
    readProblems: bundle.problems.map((p) => p.message),
    incomplete: bundle.incomplete,
    fdbByDevice,
    collectedAtDeviationSeconds: 0,
    evidence: [ev('manifest.json', { excerpt: clip(`hostname ${m.host.hostname}, collected ${collectedAt}`) })],
  };
  const node = base as NodeFact;
  if (!omit.has('commands')) node.commands = commands;
  if (!omit.has('expectedAbsences')) node.expectedAbsences = expectedAbsences;
  if (release) node.kernelRelease = release;
  if (arch) node.arch = arch;
  if (primary) node.flannel = primary;
  if (version) node.version = version;
  if (defaultRouteIface) node.defaultRouteIface = defaultRouteIface;
  if (ifaceInfo.iface) node.iface = ifaceInfo.iface;
  if (ifaceInfo.address) node.ifaceAddress = ifaceInfo.address;
  const publicIp = primary?.publicIp ?? ifaceInfo.address;
  if (publicIp) node.publicIp = publicIp;
  if (netConf) node.netConf = netConf;

  // ---- integrity notes and availability
  for (const c of commands) {
    if (c.state === 'ok') continue;
    integrity.push({ input, kind: 'command', id: c.subject ? `${c.id} (${c.subject})` : c.id, state: c.state, message: c.reason, file: c.file || null, expected: c.expected });
  }
  for (const r of bundle.rejected) integrity.push({ input: r.input, kind: 'entry', id: null, state: 'rejected', message: `${r.name} (${r.type}): ${r.reason}`, file: r.name, expected: false });
  for (const p of bundle.problems) integrity.push({ input: p.input, kind: 'read', id: p.kind, state: p.kind, message: p.message, file: null, expected: false });

  const availability = nodeAvailability(outcomes, commands, node, log, timeSync);
  const etcd = hasSection(outcomes, 'etcd-') ? etcdContribution(bundle, outcomes, input, m) : null;
  const kube = hasSection(outcomes, 'kube-') ? kubeContribution(bundle, outcomes, input, m.host.hostname) : null;
  return { node, availability, etcd, kube, integrity };
}

function pickSubject(list: CommandOutcome[] | undefined, subject: string): CommandOutcome | undefined {
  return list?.find((o) => o.subject === subject);
}

function lookupText(bundle: NodeBundle, o: CommandOutcome): string | null {
  return o.file ? fileText(bundle, o.file) : null;
}

function withNotes<T>(p: Parsed<T[]>, file: string, notes: (i: ParseIssue[]) => void): { rows: T[]; file: string } {
  notes(p.issues);
  return { rows: p.value, file };
}

function textFallback<T>(
  r: { outcome: CommandOutcome; text: string | null },
  fallback: string,
  parser: (text: string, file: string) => Parsed<T[]>,
  notes: (i: ParseIssue[]) => void,
): { rows: T[]; file: string } | null {
  if (r.text === null || r.outcome.state === 'failed') return null;
  return withNotes(parser(r.text, r.outcome.file ?? fallback), r.outcome.file ?? fallback, notes);
}

function hasSection(outcomes: Map<string, CommandOutcome[]>, prefix: string): boolean {
  for (const [id, list] of outcomes) if (id.startsWith(prefix) && list.some((o) => o.state !== 'skipped')) return true;
  return false;
}

/** Parses flanneld's (or k3s's) flags the way Go's flag package and flannel's env overlay do. */
export function flanneldFact(argv: string[], env: Record<string, string>, source: string, pid: number, startedAt: string | null, evidence: Evidence[]): Flanneld {
  const flags: Record<string, string> = Object.create(null);
  const multi: Record<string, string[]> = Object.create(null);
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('-') || a === '-' || a === '--') continue;
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    let name = eq >= 0 ? body.slice(0, eq) : body;
    let value: string;
    if (eq >= 0) value = body.slice(eq + 1);
    else if (BOOL_FLAGS.has(name)) value = 'true';
    else if (i + 1 < args.length && !args[i + 1].startsWith('-')) value = args[++i];
    else value = 'true';
    name = name.toLowerCase();
    if (REPEATABLE.has(name) || name === 'flannel-iface') (multi[name] ??= []).push(value);
    flags[name] = multi[name] ? multi[name].join(',') : value;
  }
  // FLANNELD_* apply only to flags not given on the command line
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith('FLANNELD_')) continue;
    const name = k.slice(9).toLowerCase().replace(/_/g, '-');
    if (!(name in flags)) {
      flags[name] = v;
      if (REPEATABLE.has(name)) multi[name] = v.split(',').filter(Boolean);
    }
  }
  const boolFlag = (n: string) => n in flags && flags[n] !== 'false' && flags[n] !== '0';
  const embedded = source !== 'flanneld';
  const renew = flags['subnet-lease-renew-margin'];
  const renewNum = renew !== undefined && /^-?\d+$/.test(renew.trim()) ? Number(renew) : 60;
  const fact: Flanneld = {
    pid,
    source,
    command: argv.join(' '),
    versionSource: 'unknown',
    kubeSubnetMgr: embedded || boolFlag('kube-subnet-mgr'),
    mode: embedded ? 'embedded' : boolFlag('kube-subnet-mgr') ? 'kube' : 'etcd',
    flags,
    etcdEndpoints: flags['etcd-endpoints'] ?? DEFAULT_ENDPOINTS,
    etcdEndpointsSet: 'etcd-endpoints' in flags,
    etcdPrefix: flags['etcd-prefix'] ?? DEFAULT_PREFIX,
    etcdPrefixSet: 'etcd-prefix' in flags,
    ifaces: embedded ? multi['flannel-iface'] ?? [] : multi['iface'] ?? [],
    ifaceRegexes: multi['iface-regex'] ?? [],
    ipMasq: boolFlag('ip-masq'),
    subnetFile: flags['subnet-file'] ?? '/run/flannel/subnet.env',
    netConfigPath: flags['net-config-path'] ?? '/etc/kube-flannel/net-conf.json',
    renewMarginSet: renew !== undefined,
    renewMarginMinutes: Number.isFinite(renewNum) ? renewNum : 60,
    // filled by selectIface once the node's interfaces are known
    node: '',
    ifaceSelection: 'default-route',
    ifaceFound: false,
    publicIpLocal: false,
    evidence,
  };
  if (startedAt) fact.startedAt = startedAt;
  if (flags['etcd-cafile']) fact.etcdCafile = flags['etcd-cafile'];
  if (flags['etcd-certfile']) fact.etcdCertfile = flags['etcd-certfile'];
  if (flags['etcd-keyfile']) fact.etcdKeyfile = flags['etcd-keyfile'];
  const pub = embedded ? flags['node-external-ip'] : flags['public-ip'];
  if (pub) fact.publicIp = pub;
  if (embedded && flags['flannel-backend']) fact.backend = flags['flannel-backend'];
  return fact;
}

function subnetEnvFact(vars: Record<string, { value: string; line: number }>, evidence: Evidence): FactOf<'SubnetEnv'> {
  const f: FactOf<'SubnetEnv'> = { present: true, evidence: [evidence] };
  const v = (k: string) => vars[k]?.value;
  if (v('FLANNEL_NETWORK')) f.network = v('FLANNEL_NETWORK');
  const subnet = v('FLANNEL_SUBNET');
  if (subnet) {
    f.subnet = subnet;
    const n = networkOf(subnet);
    if (n) f.subnetNetwork = n;
    evidence.line = vars.FLANNEL_SUBNET.line;
    evidence.excerpt = `FLANNEL_SUBNET=${subnet}`;
  }
  if (v('FLANNEL_IPV6_SUBNET')) f.ipv6Subnet = v('FLANNEL_IPV6_SUBNET');
  const mtu = v('FLANNEL_MTU');
  if (mtu && /^\d+$/.test(mtu)) f.mtu = Number(mtu);
  const masq = v('FLANNEL_IPMASQ');
  if (masq === 'true' || masq === 'false') f.ipMasq = masq === 'true';
  return f;
}

// enough to cite and to compare lines with (the first and the newest of each signature are always kept);
// `counts` and `intervals` see every line. 100 + 100 was a fifth of the memory of a 5,000-node analysis.
const EVENTS_HEAD = 20;
const EVENTS_TAIL = 20;

function buildLog(text: TextLike | null, file: string, outcome: CommandOutcome, refYear: number, refMonth: number | undefined, matcher: SignatureMatcher, input: string, notes: (issues: ParseIssue[]) => void): FactOf<'Log'> {
  const log: FactOf<'Log'> = { collected: false, source: outcome.entry?.source ?? '', file, lines: 0, truncated: outcome.state === 'truncated' || outcome.entry?.truncated === true, events: [], counts: Object.create(null), intervals: Object.create(null), last: Object.create(null) };
  if (text === null) return log;
  // last timestamp (ms) per signature, for the intervals between repeats (daily lease losses)
  const lastAt = new Map<string, number>();
  log.collected = true;
  const tails = new Map<string, FactOf<'LogEvent'>[]>();
  const issues: ParseIssue[] = [];
  // only the lines that can match a signature are parsed; the rest are counted (parsers/log-scan.ts)
  const scan = new LogScan(text, file, refYear, refMonth !== undefined ? { referenceMonth: refMonth } : {}, matcher.search, issues);
  for (const line of scan) {
    const matches = matcher.match(line.text);
    if (matches.length === 0) continue;
    for (const mt of matches) {
      const n = (log.counts[mt.id] ?? 0) + 1;
      log.counts[mt.id] = n;
      const at = line.time ? Date.parse(line.time) : Number.NaN;
      if (Number.isFinite(at)) {
        const prev = lastAt.get(mt.id);
        const list = (log.intervals[mt.id] ??= []);
        if (prev !== undefined && list.length < 200) list.push(Math.round((at - prev) / 1000));
        lastAt.set(mt.id, at);
      }
      const text = line.text.length > 500 ? `${line.text.slice(0, 500)}…` : line.text;
      const e: FactOf<'LogEvent'> = { signature: mt.id, line: line.line, text, groups: mt.groups, evidence: [{ input, file, line: line.line, excerpt: text }] };
      if (line.time) e.time = line.time;
      log.last[mt.id] = e;
      if (n <= EVENTS_HEAD) log.events.push(e);
      else {
        const t = tails.get(mt.id) ?? [];
        t.push(e);
        if (t.length > EVENTS_TAIL) t.shift();
        tails.set(mt.id, t);
      }
    }
  }
  log.lines = scan.lines;
  notes(issues); // skipped over-long lines: the report says what was not read
  if (scan.firstTime !== null) {
    log.firstTime = scan.firstTime;
    log.lastTime = scan.lastTime ?? scan.firstTime;
  }
  for (const t of tails.values()) log.events.push(...t);
  log.events.sort((a, b) => a.line - b.line);
  return log;
}

/** A failure that only says something does not exist (report-v1: an integrity note, not a warn). */
function isExpectedFailure(o: CommandOutcome, output: string): boolean {
  if (o.state === 'skipped') return true;
  if (o.state !== 'failed') return false;
  if (o.id.startsWith('etcd-v2-')) {
    const kind = classifyEtcdError(output);
    return kind === 'key-not-found' || kind === 'v2-disabled';
  }
  if (o.id === 'timedatectl-show') return /Unknown (operation|command verb) show/i.test(output);
  if (o.id === 'ip-link' || o.id === 'ip-addr' || o.id === 'ip-route' || o.id === 'bridge-fdb') return /Option "-j" is unknown|unknown option/i.test(output);
  if (o.id === 'sysctl') return /cannot stat \/proc\/sys\/|is an unknown key/.test(output);
  if (o.id === 'subnet-env' || o.id === 'net-conf' || o.id === 'k3s-config' || o.id === 'modules-builtin') return /No such file or directory/.test(output);
  return false;
}

function nodeAvailability(outcomes: Map<string, CommandOutcome[]>, commands: CommandFact[], node: NodeFact, log: FactOf<'Log'>, timeSync: FactOf<'TimeSync'>): Record<string, DataState> {
  const out: Record<string, DataState> = Object.create(null);
  const describe = (ids: readonly string[]) => {
    const parts: string[] = [];
    for (const id of ids) {
      const list = outcomes.get(id);
      if (!list || list.length === 0) parts.push(`${id} not collected`);
      else for (const o of list) parts.push(`${id}${o.subject ? ` (${o.subject})` : ''} ${o.state}${o.reason ? ` (${o.reason})` : ''}`);
    }
    return parts.join('; ');
  };
  for (const [key, spec] of Object.entries(DATA_PATHS.node)) {
    const ids = spec.commands as readonly string[];
    const any = ids.some((id) => (outcomes.get(id) ?? []).some((o) => o.state === 'ok'));
    out[key] = { ok: any, reason: any ? '' : describe(ids) };
  }
  // sysctl exits 255 when a key does not exist: the answer is still complete
  if (!out.sysctl.ok && commands.some((c) => c.id === 'sysctl' && c.state === 'failed' && c.expected)) out.sysctl = { ok: true, reason: '' };
  out.timeSync = timeSync.known ? { ok: true, reason: '' } : { ok: false, reason: `no time source answered: ${describe(DATA_PATHS.node.timeSync.commands)}` };
  out.log = log.collected && !log.truncated ? { ok: true, reason: '' } : { ok: false, reason: log.truncated ? `the log was truncated by the collector (${log.file}): older lines are missing` : describe(DATA_PATHS.node.log.commands) };
  const versionKnown = node.flanneld.length > 0 && node.flanneld.every((f) => f.version);
  out.flanneldVersion = versionKnown ? { ok: true, reason: '' } : { ok: false, reason: node.flanneld.length === 0 ? 'no flannel process' : `flanneld version unknown: ${describe(['flanneld-version'])}` };
  const vxlanDevs = node.interfaces.filter((i) => i.name.startsWith('flannel.'));
  const fdbOk = vxlanDevs.every((d) => (outcomes.get('bridge-fdb') ?? []).some((o) => o.subject === d.name && o.state === 'ok') || d.name in node.fdbByDevice);
  out.fdb = fdbOk ? { ok: true, reason: '' } : { ok: false, reason: describe(['bridge-fdb']) };
  return out;
}

function etcdContribution(bundle: NodeBundle, outcomes: Map<string, CommandOutcome[]>, input: string, m: NodeBundle['manifest']): EtcdContribution {
  const texts = new Map<string, string>();
  for (const [id, list] of outcomes) {
    if (!id.startsWith('etcd-') || id === 'etcd-lease-ttl') continue;
    const o = list[0];
    const text = lookupText(bundle, o);
    if (text !== null) texts.set(id, text);
    const errFile = o.entry?.stderr;
    const errText = errFile ? fileText(bundle, errFile) : null;
    if (errText !== null) texts.set(`${id}:stderr`, errText);
  }
  const leaseTtlTexts = new Map<string, { text: string; file: string }>();
  for (const o of outcomes.get('etcd-lease-ttl') ?? []) {
    const text = lookupText(bundle, o);
    if (text !== null && o.file) leaseTtlTexts.set((o.subject ?? o.file.replace(/^.*\//, '').replace(/\.json$/, '')).toLowerCase(), { text, file: o.file });
  }
  return {
    input,
    hostname: m.host.hostname,
    prefix: (m.options?.etcdPrefix as string | undefined) ?? DEFAULT_PREFIX,
    endpoints: (m.options?.etcdEndpoints as string | undefined) ?? '',
    outcomes: new Map([...outcomes].filter(([id]) => id.startsWith('etcd-'))),
    texts,
    leaseTtlTexts,
  };
}

function kubeContribution(bundle: NodeBundle, outcomes: Map<string, CommandOutcome[]>, input: string, hostname: string): KubeContribution {
  const texts = new Map<string, string>();
  for (const [id, list] of outcomes) {
    if (!id.startsWith('kube-') || id === 'kube-flannel-log') continue;
    const text = lookupText(bundle, list[0]);
    if (text !== null) texts.set(id, text);
  }
  return { input, hostname, outcomes: new Map([...outcomes].filter(([id]) => id.startsWith('kube-'))), texts };
}
