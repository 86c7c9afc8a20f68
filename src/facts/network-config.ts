// The flannel network config (etcd PREFIX/config, net-conf.json, the kube-flannel-cfg ConfigMap) as a
// fact: what it says, with flannel's own defaults applied (pkg/subnet/config.go) and flannel's own
// validation messages, so rules can report exactly what flanneld would complain about.
import { parseJsonDoc } from '../parsers/json.js';
import type { Evidence } from '../report/schema.js';
import type { NetworkConfigFact } from './schema.js';
import { cidrContains, ipv4SubnetRange, parseCidrLoose } from './net.js';

const KNOWN_BACKENDS = new Set(['vxlan', 'host-gw', 'udp', 'wireguard', 'ipip', 'ipsec', 'alloc', 'tencent-vpc', 'ali-vpc', 'aws-vpc', 'gce', 'extension']);

/** Go's encoding/json matches keys case-insensitively; so does flannel's config. */
function getCI(obj: Record<string, unknown>, key: string): unknown {
  if (Object.prototype.hasOwnProperty.call(obj, key)) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

function asObject(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export function absentNetworkConfig(source: string, location: string, evidence: Evidence[]): NetworkConfigFact {
  return {
    source,
    location,
    present: false,
    validJson: false,
    enableIPv4: true,
    enableIPv6: false,
    backendPresent: false,
    backendType: 'udp',
    backendTypeKnown: true,
    enableNFTables: false,
    problems: [],
    evidence,
  };
}

export function networkConfigFact(text: string, source: string, location: string, evidence: Evidence[]): NetworkConfigFact {
  const fact = absentNetworkConfig(source, location, evidence);
  fact.present = true;
  fact.text = text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
  const doc = parseJsonDoc(text);
  if (doc.error) {
    fact.jsonError = `${doc.error.message} (line ${doc.error.line}, column ${doc.error.column})`;
    fact.jsonErrorLine = doc.error.line;
    fact.jsonErrorColumn = doc.error.column;
    // flannel: "error parsing subnet config" / "Couldn't fetch network config": the JSON itself is the problem
    fact.problems = [`invalid JSON: ${doc.error.message}`];
    return fact;
  }
  const obj = asObject(doc.value);
  if (!obj) {
    fact.problems = ['the config is not a JSON object'];
    return fact;
  }
  fact.validJson = true;
  const str = (k: string) => {
    const v = getCI(obj, k);
    return typeof v === 'string' ? v : undefined;
  };
  const int = (k: string) => {
    const v = getCI(obj, k);
    return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
  };
  const bool = (k: string, dflt: boolean) => {
    const v = getCI(obj, k);
    return typeof v === 'boolean' ? v : dflt;
  };
  fact.network = str('Network');
  fact.enableIPv4 = bool('EnableIPv4', true);
  fact.enableIPv6 = bool('EnableIPv6', false);
  fact.enableNFTables = bool('EnableNFTables', false);
  fact.ipv6Network = str('IPv6Network');
  fact.subnetLen = int('SubnetLen');
  fact.subnetMin = str('SubnetMin');
  fact.subnetMax = str('SubnetMax');
  const backend = asObject(getCI(obj, 'Backend'));
  fact.backendPresent = backend !== null;
  if (backend) {
    const t = getCI(backend, 'Type');
    fact.backendType = typeof t === 'string' ? t : '';
    const vni = getCI(backend, 'VNI');
    if (typeof vni === 'number' && Number.isInteger(vni)) fact.vni = vni;
    else if (fact.backendType === 'vxlan') fact.vni = 1;
    const port = getCI(backend, 'Port');
    if (typeof port === 'number' && Number.isInteger(port)) fact.port = port;
  }
  fact.backendTypeKnown = KNOWN_BACKENDS.has(fact.backendType);
  const problems: string[] = [];
  if (!fact.enableIPv4 && !fact.enableIPv6) problems.push('none defined stack (EnableIPv4 and EnableIPv6 are both false)');
  if (fact.enableIPv4) {
    if (!fact.network || !parseCidrLoose(fact.network) || fact.network.includes(':')) {
      problems.push('please define a correct Network parameter in the flannel config');
    } else {
      const r = ipv4SubnetRange(fact.network, fact.subnetLen, fact.subnetMin, fact.subnetMax);
      if (r.effectiveSubnetLen !== undefined) fact.effectiveSubnetLen = r.effectiveSubnetLen;
      if (r.capacity !== undefined) fact.capacity = r.capacity;
      problems.push(...r.problems);
    }
  }
  if (fact.enableIPv6) {
    const v6 = fact.ipv6Network ? parseCidrLoose(fact.ipv6Network) : null;
    if (!v6 || v6.family !== 6) problems.push('please define a correct IPv6Network parameter in the flannel config');
    else if (v6.prefix > 124) problems.push('IPv6Network is too small. Minimum useful network prefix is /124');
    else {
      // pkg/subnet/config.go: the same rules as IPv4, for IPv6SubnetLen/Min/Max
      const len6 = int('IPv6SubnetLen');
      if (len6 !== undefined && len6 > 0) {
        if (len6 > 126) problems.push('IPv6SubnetLen must be less than /127');
        else if (len6 < v6.prefix + 2) problems.push('IPv6Network must be able to accommodate at least four subnets');
      }
      for (const k of ['IPv6SubnetMin', 'IPv6SubnetMax']) {
        const v = str(k);
        if (v !== undefined && !cidrContains(fact.ipv6Network!, v.split('/')[0])) problems.push(`${k} is not in the range of the IPv6Network`);
      }
    }
  }
  if (backend && fact.backendType === '') problems.push('unknown backend type: (Backend has no Type)');
  else if (!fact.backendTypeKnown) problems.push(`unknown backend type: ${fact.backendType}`);
  fact.problems = problems;
  return fact;
}
