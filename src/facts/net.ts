// IP arithmetic for facts: CIDR containment, network addresses, flannel's subnet ranges. IPv4 uses
// numbers, IPv6 BigInt. Every function returns null/false on malformed input instead of throwing:
// addresses come from untrusted bundles.

export interface Cidr {
  family: 4 | 6;
  /** network address as an integer */
  addr: bigint;
  prefix: number;
}

export function parseIPv4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

export function parseIPv6(s: string): bigint | null {
  if (s.length > 64 || !/^[0-9a-fA-F:.]+$/.test(s)) return null;
  const dbl = s.split('::');
  if (dbl.length > 2) return null;
  const head = dbl[0] ? dbl[0].split(':') : [];
  const tail = dbl.length === 2 && dbl[1] ? dbl[1].split(':') : [];
  const groups: bigint[] = [];
  const pushGroup = (g: string, out: bigint[]): boolean => {
    if (g.includes('.')) {
      const v4 = parseIPv4(g);
      if (v4 === null) return false;
      out.push(v4 >> 16n, v4 & 0xffffn);
      return true;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
    out.push(BigInt(parseInt(g, 16)));
    return true;
  };
  const h: bigint[] = [];
  const t: bigint[] = [];
  for (const g of head) if (!pushGroup(g, h)) return null;
  for (const g of tail) if (!pushGroup(g, t)) return null;
  if (dbl.length === 1 && h.length !== 8) return null;
  if (dbl.length === 2 && h.length + t.length > 7) return null;
  groups.push(...h, ...Array(8 - h.length - t.length).fill(0n), ...t);
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

export function parseIp(s: string): { family: 4 | 6; addr: bigint } | null {
  const v4 = parseIPv4(s);
  if (v4 !== null) return { family: 4, addr: v4 };
  const v6 = parseIPv6(s);
  if (v6 !== null) return { family: 6, addr: v6 };
  return null;
}

/** Parses `a.b.c.d/len` (or a bare address as /32, /128). The address need not be the network address. */
export function parseCidrLoose(s: string): (Cidr & { host: bigint }) | null {
  const slash = s.indexOf('/');
  const ipPart = slash < 0 ? s : s.slice(0, slash);
  const ip = parseIp(ipPart.trim());
  if (!ip) return null;
  const bits = ip.family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const p = s.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(p)) return null;
    prefix = Number(p);
    if (prefix > bits) return null;
  }
  const mask = prefixMask(prefix, bits);
  return { family: ip.family, addr: ip.addr & mask, prefix, host: ip.addr };
}

function prefixMask(prefix: number, bits: number): bigint {
  // computed once per (prefix, family): cross-node checks call this millions of times
  const table = bits === 32 ? MASKS_V4 : MASKS_V6;
  let m = table[prefix];
  if (m === undefined) {
    const all = (1n << BigInt(bits)) - 1n;
    m = table[prefix] = prefix === 0 ? 0n : (all >> BigInt(bits - prefix)) << BigInt(bits - prefix);
  }
  return m;
}
const MASKS_V4: bigint[] = [];
const MASKS_V6: bigint[] = [];

export function formatIp(addr: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((addr >> s) & 255n)).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((addr >> BigInt(i * 16)) & 0xffffn).toString(16));
  // compress the longest run of zero groups, as ip(8) prints
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** `10.244.5.1/24` -> `10.244.5.0/24` */
export function networkOf(cidr: string): string | null {
  const c = parseCidrLoose(cidr);
  return c ? `${formatIp(c.addr, c.family)}/${c.prefix}` : null;
}

/** outer contains inner (a CIDR or an address) */
export function cidrContains(outer: string, inner: string): boolean {
  return parsedCidrContains(parseCidrLoose(outer), parseCidrLoose(inner));
}

/** cidrContains on parsed values, for loops that would parse the same strings again and again */
export function parsedCidrContains(o: ReturnType<typeof parseCidrLoose>, i: ReturnType<typeof parseCidrLoose>): boolean {
  if (!o || !i || o.family !== i.family || i.prefix < o.prefix) return false;
  const bits = o.family === 4 ? 32 : 128;
  return (i.host & prefixMask(o.prefix, bits)) === o.addr;
}

export function ipInCidr(ip: string, cidr: string): boolean {
  return !ip.includes('/') && cidrContains(cidr, ip);
}

/** flannel lease key `10.244.5.0-24` (optionally `&fc00::-64`) -> CIDRs */
export function subnetFromLeaseKey(keyTail: string): { v4: string; v6: string | null } | null {
  const [v4Part, v6Part] = keyTail.split('&');
  const m = /^(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})-(\d{1,2})$/.exec(v4Part ?? '');
  if (!m) return null;
  const v4 = networkOf(`${m[1]}/${m[2]}`);
  if (!v4) return null;
  let v6: string | null = null;
  if (v6Part) {
    const m6 = /^([0-9a-f:]{2,39})-(\d{1,3})$/.exec(v6Part);
    if (m6) v6 = networkOf(`${m6[1]}/${m6[2]}`);
  }
  return { v4, v6 };
}

/**
 * flannel's subnet range for an IPv4 config (pkg/subnet/config.go): effective SubnetLen, SubnetMin and
 * SubnetMax, the number of subnets between them, and flannel's own validation messages.
 */
export function ipv4SubnetRange(
  network: string,
  subnetLen: number | undefined,
  subnetMin: string | undefined,
  subnetMax: string | undefined,
): { effectiveSubnetLen?: number; capacity?: number; min?: bigint; max?: bigint; problems: string[] } {
  const problems: string[] = [];
  const net = parseCidrLoose(network);
  if (!net || net.family !== 4) return { problems: ['please define a correct Network parameter in the flannel config'] };
  let len = subnetLen;
  if (len === undefined || len === 0) {
    if (net.prefix < 23) len = 24;
    else if (net.prefix <= 28) len = net.prefix + 2;
    else return { problems: ['network is too small. Minimum useful network prefix is /28'] };
  } else {
    if (len > 30) problems.push('SubnetLen must be less than /31');
    else if (len < net.prefix + 2) problems.push('network must be able to accommodate at least four subnets');
  }
  if (problems.length) return { effectiveSubnetLen: len, problems };
  const step = 1n << BigInt(32 - len);
  const lastAddr = net.addr + (1n << BigInt(32 - net.prefix)) - step;
  let min = net.addr + step;
  let max = lastAddr;
  if (subnetMin) {
    const m = parseIPv4(subnetMin.split('/')[0]);
    if (m === null || !cidrContains(network, formatIp(m, 4))) problems.push('SubnetMin is not in the range of the Network');
    else if (m % step !== 0n) problems.push(`SubnetMin is not on a SubnetLen boundary: ${subnetMin}`);
    else min = m;
  }
  if (subnetMax) {
    const m = parseIPv4(subnetMax.split('/')[0]);
    if (m === null || !cidrContains(network, formatIp(m, 4))) problems.push('SubnetMax is not in the range of the Network');
    else if (m % step !== 0n) problems.push(`SubnetMax is not on a SubnetLen boundary: ${subnetMax}`);
    else max = m;
  }
  const capacity = max >= min ? Number((max - min) / step + 1n) : 0;
  return { effectiveSubnetLen: len, capacity, min, max, problems };
}
