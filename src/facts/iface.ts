// How flannel picks its interface (main.go, pkg/ipmatch/match.go), per flannel process, and which
// backend a flannel device belongs to. Facts only: whether the choice is healthy is for the rules.
import { RE2JS } from 're2js';
import { compareVersions, parseVersion } from '../parsers/flannel-version.js';
import type { FactOf } from './schema.js';

type Flanneld = FactOf<'Flanneld'>;
type Iface = FactOf<'Interface'>;

/** The backend whose code creates a device of this name and kind (pkg/backend/*). */
export function deviceBackend(name: string, kind: string): string | undefined {
  if (/^flannel(-v6)?\.\d+$/.test(name) && kind === 'vxlan') return 'vxlan';
  if (name === 'flannel-wg' || name === 'flannel-wg-v6') return 'wireguard';
  if (name === 'flannel0' && (kind === 'tun' || kind === '')) return 'udp';
  if (name === 'flannel.ipip') return 'ipip';
  return undefined;
}

/** `uname -m` / the Kubernetes arch label, as Go's GOARCH names it (flannel's udp backend is amd64-only). */
export function goArch(arch: string | undefined): string | undefined {
  if (!arch) return undefined;
  const a = arch.toLowerCase();
  if (a === 'x86_64' || a === 'amd64') return 'amd64';
  if (a === 'aarch64' || a === 'arm64' || a === 'armv8l') return 'arm64';
  if (/^armv[5-7]/.test(a) || a === 'arm') return 'arm';
  if (/^i[3-6]86$/.test(a) || a === '386') return '386';
  return a;
}

function ownerOf(ip: string, interfaces: Iface[]): Iface | undefined {
  return interfaces.find((i) => i.ipv4.includes(ip) || i.addresses.some((a) => a.split('/')[0] === ip));
}

/** Go regexp (RE2) semantics; an invalid pattern matches nothing (flanneld exits on it). */
function regexMatcher(pattern: string): ((s: string) => boolean) | null {
  try {
    const re = RE2JS.compile(pattern);
    return (s) => re.matcher(s).find();
  } catch {
    return null;
  }
}

/**
 * Fills the interface selection of one flannel process, in flannel's order: every --iface (a name or an
 * address), then every --iface-regex (matched against IPv4 addresses first, then names); with none,
 * the interface that owns --public-ip (v0.19+, and when the version is unknown), else the default
 * route's device. The choice is by existence: an address or state problem is a separate fact.
 */
export function selectIface(f: Flanneld, hostname: string, interfaces: Iface[], byName: Record<string, Iface>, defaultIface: string | undefined): void {
  f.node = hostname;
  f.publicIpLocal = f.publicIp !== undefined && ownerOf(f.publicIp, interfaces) !== undefined;
  const choose = (i: Iface | undefined, address?: string) => {
    if (!i) return false;
    f.ifaceFound = true;
    f.chosenIface = i.name;
    f.chosenInterface = i;
    const a = address ?? i.ipv4[0];
    if (a) f.chosenAddress = a;
    return true;
  };
  f.ifaceFound = false;
  if (f.ifaces.length || f.ifaceRegexes.length) {
    f.ifaceSelection = 'flags';
    for (const want of f.ifaces) {
      if (byName[want] ? choose(byName[want]) : choose(ownerOf(want, interfaces), want)) return;
    }
    for (const pattern of f.ifaceRegexes) {
      const match = regexMatcher(pattern);
      if (!match) continue;
      const byIp = interfaces.find((i) => i.ipv4.some((a) => match(a)));
      if (choose(byIp ?? interfaces.find((i) => match(i.name)))) return;
    }
    return;
  }
  const v = f.version;
  const publicIpPicks = f.publicIp !== undefined && (v === undefined || parseVersion(v) === null || compareVersions(v, 'v0.19.0') >= 0);
  if (publicIpPicks) {
    f.ifaceSelection = 'public-ip';
    choose(ownerOf(f.publicIp!, interfaces), f.publicIp);
    return;
  }
  f.ifaceSelection = 'default-route';
  if (defaultIface) choose(byName[defaultIface]);
}

/** Flags whose values differ between the flanneld processes of one node, as "flag: a | b". */
export function differingFlags(procs: Flanneld[]): string[] {
  if (procs.length < 2) return [];
  const names = new Set(procs.flatMap((p) => Object.keys(p.flags)));
  const out: string[] = [];
  for (const name of [...names].sort()) {
    const values = [...new Set(procs.map((p) => p.flags[name] ?? '(unset)'))];
    if (values.length > 1) out.push(`--${name}: ${values.join(' | ')}`);
  }
  return out;
}
