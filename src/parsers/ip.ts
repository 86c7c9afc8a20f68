// iproute2: `ip -j -d link`, `ip -j addr`, `ip -j route`, `bridge -j fdb` and their text forms, for
// systems whose iproute2 predates `-j` (about 4.13; CentOS 7).
import type { AddrInfo, AddrRow, FdbRow, LinkRow, Parsed, ParseIssue, RouteRow, VxlanInfo } from './types.js';
import { arrAt, boolAt, jsonDocIssues, numAt, objAt, parseJsonDoc, strArrAt, strAt } from './json.js';
import { clip, fields, issue, iterLines, toInt } from './util.js';

/**
 * Parses a JSON array output of ip/bridge. Old iproute2 answers `-j` with `Option "-j" is unknown` (exit
 * 255): that becomes one issue and no rows, so the caller falls back to the text file.
 */
function jsonArray(text: string, file: string): { rows: unknown[]; issues: ParseIssue[] } {
  const trimmed = text.trim();
  if (trimmed === '') return { rows: [], issues: [] };
  const c = trimmed.charCodeAt(0);
  if (c !== 91 && c !== 123) {
    const unsupported = trimmed.includes('Option "-j" is unknown') || trimmed.includes('Option "-json" is unknown');
    const message = unsupported
      ? 'iproute2 does not support -j (older than about 4.13): use the text output'
      : `not JSON output: ${clip(trimmed.split('\n', 1)[0], 100)}`;
    return { rows: [], issues: [issue(file, 1, message)] };
  }
  const doc = parseJsonDoc(text, file);
  if (doc.error) return { rows: [], issues: jsonDocIssues(doc, file) };
  if (!Array.isArray(doc.value)) return { rows: [], issues: [issue(file, 1, 'expected a JSON array')] };
  return { rows: doc.value, issues: [] };
}

/**
 * Builds one row per JSON array element that has the string field `key` (ifname, dst, mac); an element
 * without it is a parse issue naming `what`, unless `quietWhen` says the element is expected noise.
 */
function rowsWith<T>(
  text: string,
  file: string,
  key: string,
  what: string,
  build: (r: unknown, keyValue: string, index: number, issues: ParseIssue[]) => T,
  quietWhen: (r: unknown) => boolean = () => false,
): Parsed<T[]> {
  const { rows, issues } = jsonArray(text, file);
  const value: T[] = [];
  rows.forEach((r, i) => {
    const v = strAt(r, key);
    if (v === null) {
      if (!quietWhen(r)) issues.push(issue(file, null, `/${i}: ${what} without ${key}`));
      return;
    }
    value.push(build(r, v, i, issues));
  });
  return { value, issues };
}

// ---- link -----------------------------------------------------------------------------------------

function vxlanFromJson(data: unknown): VxlanInfo {
  return {
    id: numAt(data, 'id'),
    local: strAt(data, 'local') ?? strAt(data, 'local6'),
    dev: strAt(data, 'link'),
    port: numAt(data, 'port'),
    learning: boolAt(data, 'learning'),
  };
}

export function parseIpLinkJson(text: string, file: string): Parsed<LinkRow[]> {
  return rowsWith(text, file, 'ifname', 'link', (r, ifname) => {
    const info = objAt(r, 'linkinfo');
    const kind = strAt(info, 'info_kind');
    return {
      ifname,
      ifindex: numAt(r, 'ifindex'),
      mtu: numAt(r, 'mtu'),
      operstate: strAt(r, 'operstate'),
      flags: strArrAt(r, 'flags'),
      address: strAt(r, 'address'),
      kind,
      master: strAt(r, 'master'),
      vxlan: kind === 'vxlan' ? vxlanFromJson(objAt(info, 'info_data')) : null,
      line: null,
    };
  });
}

interface LinkHeader {
  ifindex: number;
  ifname: string;
  flags: string[];
  /** `key value` pairs after the flags: mtu, qdisc, master, state, ... */
  attrs: Map<string, string>;
}

/** `4: flannel.1: <BROADCAST,UP> mtu 1450 qdisc noqueue state UNKNOWN ...`; `eth0@eth0-peer` loses `@peer`. */
function parseLinkHeader(line: string): LinkHeader | null {
  const c1 = line.indexOf(': ');
  if (c1 <= 0) return null;
  const ifindex = toInt(line.slice(0, c1));
  const c2 = line.indexOf(': ', c1 + 2);
  if (ifindex === null || c2 === -1) return null;
  let ifname = line.slice(c1 + 2, c2);
  const at = ifname.indexOf('@');
  if (at > 0) ifname = ifname.slice(0, at);
  if (ifname === '' || /\s/.test(ifname)) return null;
  let rest = line.slice(c2 + 2);
  let flags: string[] = [];
  if (rest.startsWith('<')) {
    const end = rest.indexOf('>');
    if (end === -1) return null;
    flags = rest.slice(1, end).split(',').filter((f) => f !== '');
    rest = rest.slice(end + 1);
  }
  const f = fields(rest);
  const attrs = new Map<string, string>();
  for (let i = 0; i + 1 < f.length; i += 2) attrs.set(f[i], f[i + 1]);
  return { ifindex, ifname, flags, attrs };
}

const isContinuation = (line: string): boolean => line.startsWith(' ') || line.startsWith('\t');

/** First words of `ip -d` detail lines that are not a link kind. */
const NOT_A_KIND = new Set(['addrgenmode', 'altname', 'alias', 'inet', 'inet6', 'valid_lft', 'RX:', 'TX:', 'vf', 'prop', 'promiscuity', 'link-netnsid', 'link-netns']);

function vxlanFromText(tokens: string[]): VxlanInfo {
  const after = (k: string): string | null => {
    const i = tokens.indexOf(k);
    return i === -1 || i + 1 >= tokens.length ? null : tokens[i + 1];
  };
  const local = after('local') ?? after('local6');
  return {
    id: toInt(after('id') ?? undefined),
    local,
    dev: after('dev'),
    port: toInt(after('dstport') ?? undefined),
    // iproute2 prints `nolearning` only when learning is off
    learning: !tokens.includes('nolearning'),
  };
}

/**
 * `ip link`/`ip addr` text: a header line per device (`3: flannel.1: <…> mtu 1450 … state UNKNOWN`) followed
 * by indented detail lines. Calls `open` for each header and `detail` for each of its detail lines; a header
 * that does not parse is an issue and its details are skipped.
 */
function walkDeviceBlocks<T>(
  text: string,
  file: string,
  what: string,
  open: (h: NonNullable<ReturnType<typeof parseLinkHeader>>, no: number) => T,
  detail: (cur: T, t: string[], no: number, line: string, issues: ParseIssue[]) => void,
): Parsed<T[]> {
  const issues: ParseIssue[] = [];
  const value: T[] = [];
  let cur: T | null = null;
  for (const { no, text: line } of iterLines(text, file, issues)) {
    if (line.trim() === '') continue;
    if (!isContinuation(line)) {
      const h = parseLinkHeader(line);
      cur = h ? open(h, no) : null;
      if (cur) value.push(cur);
      else issues.push(issue(file, no, `not an ${what} line: ${clip(line, 80)}`));
      continue;
    }
    if (cur) detail(cur, fields(line), no, line, issues); // else: continuation of a line already reported
  }
  return { value, issues };
}

export function parseIpLinkText(text: string, file: string): Parsed<LinkRow[]> {
  const detailLines = new Map<LinkRow, number>();
  return walkDeviceBlocks<LinkRow>(
    text,
    file,
    'ip link',
    (h, no) => ({
      ifname: h.ifname,
      ifindex: h.ifindex,
      mtu: toInt(h.attrs.get('mtu')),
      operstate: h.attrs.get('state') ?? null,
      flags: h.flags,
      address: null,
      kind: null,
      master: h.attrs.get('master') ?? null,
      vxlan: null,
      line: no,
    }),
    (cur, t) => {
      if (t[0].startsWith('link/')) {
        if (t[0] !== 'link/none' && t[0] !== 'link/void') cur.address = t[1] ?? null;
        return;
      }
      const n = (detailLines.get(cur) ?? 0) + 1;
      detailLines.set(cur, n);
      // with -d the first detail line names the kind (`vxlan id 1 …`, `veth`, `bridge …`); slave kinds follow
      if (n === 1 && cur.kind === null && !NOT_A_KIND.has(t[0]) && !t[0].endsWith('_slave') && /^[a-z][a-z0-9_]*$/.test(t[0])) {
        cur.kind = t[0];
        if (t[0] === 'vxlan') cur.vxlan = vxlanFromText(t.slice(1));
      }
    },
  );
}

// ---- addr -----------------------------------------------------------------------------------------

function addrInfoFromJson(a: unknown): AddrInfo | null {
  const family = strAt(a, 'family');
  const local = strAt(a, 'local');
  const prefixlen = numAt(a, 'prefixlen');
  return family !== null && local !== null && prefixlen !== null ? { family, local, prefixlen } : null;
}

export function parseIpAddrJson(text: string, file: string): Parsed<AddrRow[]> {
  // `ip -j addr` prints `{}` for links filtered out by the query: not an error
  const empty = (r: unknown) => typeof r === 'object' && r !== null && Object.keys(r).length === 0;
  return rowsWith(
    text,
    file,
    'ifname',
    'address entry',
    (r, ifname, i, issues) => {
      const addresses: AddrInfo[] = [];
      (arrAt(r, 'addr_info') ?? []).forEach((a, j) => {
        const info = addrInfoFromJson(a);
        if (info) addresses.push(info);
        else issues.push(issue(file, null, `/${i}/addr_info/${j}: address without family/local/prefixlen`));
      });
      return { ifname, operstate: strAt(r, 'operstate'), flags: strArrAt(r, 'flags'), addresses, line: null };
    },
    empty,
  );
}

/** `inet 10.244.1.0/32 scope global flannel.1`, `inet 10.0.0.1 peer 10.0.0.2/32 …` (point-to-point). */
function addrInfoFromText(t: string[]): AddrInfo | null {
  const family = t[0];
  const addr = t[1] ?? '';
  const slash = addr.indexOf('/');
  let local = addr;
  let prefixlen: number | null = family === 'inet6' ? 128 : 32;
  if (slash !== -1) {
    local = addr.slice(0, slash);
    prefixlen = toInt(addr.slice(slash + 1));
  } else if (t[2] === 'peer' && t[3] !== undefined && t[3].includes('/')) {
    prefixlen = toInt(t[3].slice(t[3].indexOf('/') + 1));
  }
  return local !== '' && prefixlen !== null ? { family, local, prefixlen } : null;
}

export function parseIpAddrText(text: string, file: string): Parsed<AddrRow[]> {
  return walkDeviceBlocks<AddrRow>(
    text,
    file,
    'ip addr',
    (h, no) => ({ ifname: h.ifname, operstate: h.attrs.get('state') ?? null, flags: h.flags, addresses: [], line: no }),
    (cur, t, no, line, issues) => {
      if (t[0] !== 'inet' && t[0] !== 'inet6') return;
      const info = addrInfoFromText(t);
      if (info) cur.addresses.push(info);
      else issues.push(issue(file, no, `unreadable address: ${clip(line.trim(), 80)}`));
    },
  );
}

// ---- route ----------------------------------------------------------------------------------------

export function parseIpRouteJson(text: string, file: string): Parsed<RouteRow[]> {
  return rowsWith(text, file, 'dst', 'route', (r, dst) => {
    const row: RouteRow = { dst, gateway: strAt(r, 'gateway'), dev: strAt(r, 'dev'), flags: strArrAt(r, 'flags'), protocol: strAt(r, 'protocol'), line: null };
    const type = strAt(r, 'type');
    if (type !== null) row.type = type;
    return row;
  });
}

const ROUTE_TYPES = new Set(['unicast', 'local', 'broadcast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'anycast']);
const ROUTE_FLAGS = new Set(['onlink', 'linkdown', 'dead', 'pervasive', 'notify', 'offload', 'trap', 'rt_offload', 'rt_trap', 'rt_offload_failed']);
/** keywords followed by one value; others are skipped as single words */
const ROUTE_KEYS = new Set(['via', 'dev', 'proto', 'scope', 'src', 'metric', 'table', 'mtu', 'advmss', 'pref', 'expires', 'weight', 'realm', 'realms', 'hoplimit', 'initcwnd', 'initrwnd', 'congctl', 'rtt', 'rttvar', 'quickack', 'features', 'nhid', 'error', 'tos', 'dsfield', 'from', 'encap', 'window', 'cache', 'ssthresh', 'cwnd', 'fastopen_no_cookie', 'ttl-propagate']);

export function parseIpRouteText(text: string, file: string): Parsed<RouteRow[]> {
  const issues: ParseIssue[] = [];
  const value: RouteRow[] = [];
  for (const { no, text: line } of iterLines(text, file, issues)) {
    if (line.trim() === '' || isContinuation(line)) continue; // multipath `nexthop` lines are not read
    const t = fields(line);
    let i = 0;
    let type: string | undefined;
    if (ROUTE_TYPES.has(t[0]) && t.length > 1) type = t[i++];
    const dst = t[i++];
    if (dst === undefined || !(dst === 'default' || /^[0-9a-fA-F:.]+(?:\/\d{1,3})?$/.test(dst))) {
      issues.push(issue(file, no, `not an ip route line: ${clip(line, 80)}`));
      continue;
    }
    const row: RouteRow = { dst, gateway: null, dev: null, flags: [], protocol: null, line: no };
    if (type !== undefined) row.type = type;
    while (i < t.length) {
      const k = t[i++];
      if (k === 'via') {
        if (t[i] === 'inet' || t[i] === 'inet6') i++;
        row.gateway = t[i++] ?? null;
      } else if (k === 'dev') row.dev = t[i++] ?? null;
      else if (k === 'proto') row.protocol = t[i++] ?? null;
      else if (ROUTE_FLAGS.has(k)) row.flags.push(k);
      else if (ROUTE_KEYS.has(k)) i++;
    }
    value.push(row);
  }
  return { value, issues };
}

// ---- bridge fdb -----------------------------------------------------------------------------------

/**
 * `bridge -j fdb show dev flannel.1` omits `dev` (the query named it): pass the device as `dev` to fill it.
 */
export function parseBridgeFdbJson(text: string, file: string, dev?: string): Parsed<FdbRow[]> {
  return rowsWith(text, file, 'mac', 'fdb entry', (r, mac) => {
    const state = strAt(r, 'state') ?? (strArrAt(r, 'state')[0] ?? null);
    return { mac, dst: strAt(r, 'dst'), dev: strAt(r, 'ifname') ?? strAt(r, 'dev') ?? dev ?? null, state, flags: strArrAt(r, 'flags'), line: null };
  });
}

const FDB_FLAGS = new Set(['self', 'master', 'router', 'extern_learn', 'offload', 'sticky', 'use']);
const FDB_STATES = new Set(['permanent', 'static', 'stale', 'noarp', 'reachable']);

/** `aa:bb:cc:dd:ee:02 dst 192.168.50.12 self permanent` (text fallback for `bridge fdb show dev X`). */
export function parseBridgeFdbText(text: string, file: string, dev?: string): Parsed<FdbRow[]> {
  const issues: ParseIssue[] = [];
  const value: FdbRow[] = [];
  for (const { no, text: line } of iterLines(text, file, issues)) {
    const t = fields(line);
    if (t.length === 0) continue;
    if (!/^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}$/.test(t[0])) {
      issues.push(issue(file, no, `not a bridge fdb line: ${clip(line, 80)}`));
      continue;
    }
    const row: FdbRow = { mac: t[0], dst: null, dev: dev ?? null, state: null, flags: [], line: no };
    for (let i = 1; i < t.length; i++) {
      const k = t[i];
      if (k === 'dst' || k === 'dev') {
        const v = t[++i] ?? null;
        if (k === 'dst') row.dst = v;
        else row.dev = v;
      } else if (k === 'vlan' || k === 'port' || k === 'vni' || k === 'via' || k === 'src_vni' || k === 'nhid') i++;
      else if (FDB_FLAGS.has(k)) row.flags.push(k);
      else if (FDB_STATES.has(k)) row.state = k;
    }
    value.push(row);
  }
  return { value, issues };
}
