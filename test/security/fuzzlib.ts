// In-process fuzzer for everything that reads bundle bytes: every parser (on mutated real samples), the
// manifest reader, the archive reader (on mutated tar and tar.gz files) and the whole pipeline (mutated
// node bundles -> facts -> rules -> every report format).
//
// Why in process: tens of thousands of cases fit in CI only without a process per case, and a crash
// shows up as an exception with its stack, not as an exit code. Why seeded: every case draws from its
// own PRNG, derived from (seed, target, case index), so a failure prints one line that replays exactly
// that case (FUZZ_SEED=… FUZZ_ONLY=target:index), whatever ran before it.
// This module has no side effects at import: `node --test dist/test/` runs every .js file under test/.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseManifest } from '../../src/bundle/manifest-read.js';
import { readInputs } from '../../src/bundle/reader.js';
import { DEFAULT_CAPS, type NodeBundle, type ReadCaps } from '../../src/bundle/types.js';
import { loadRuleDirs, type LoadedRules } from '../../src/engine/loader.js';
import { analyzeBundles, NoUsableInputError, readForPipeline, type PipelineItem } from '../../src/engine/pipeline.js';
import { SignatureMatcher } from '../../src/engine/signatures.js';
import { networkConfigFact } from '../../src/facts/network-config.js';
import { parseCidrLoose, parseIp, subnetFromLeaseKey } from '../../src/facts/net.js';
import * as etcd from '../../src/parsers/etcd.js';
import { parseFlanneldVersion, versionFromImage, compareVersions } from '../../src/parsers/flannel-version.js';
import * as ip from '../../src/parsers/ip.js';
import { parseJsonDoc, quoteIntegerFields } from '../../src/parsers/json.js';
import * as kernel from '../../src/parsers/kernel.js';
import * as kube from '../../src/parsers/kube.js';
import { parseLogLines } from '../../src/parsers/log.js';
import * as misc from '../../src/parsers/misc.js';
import * as ps from '../../src/parsers/ps.js';
import { parseSubnetEnv } from '../../src/parsers/subnet-env.js';
import * as time from '../../src/parsers/time.js';
import { renderReport, REPORT_FORMATS } from '../../src/report/index.js';
import { ReportSchema } from '../../src/report/schema.js';
import { repoPath } from '../helpers.js';

// ---- PRNG --------------------------------------------------------------------------------------

/** sfc32: small, fast, good enough for fuzzing, and identical on every platform. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number, salt = 0) {
    this.a = 0x9e3779b9 ^ seed;
    this.b = 0x243f6a88 ^ salt;
    this.c = 0xb7e15162 ^ Math.imul(seed, 31);
    this.d = 1;
    for (let i = 0; i < 15; i++) this.next();
  }
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** 0 <= x < n */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.next() / 0x1_0000_0000) * n);
  }
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The PRNG of one case: depends only on the run seed, the target and the case index. */
export function caseRng(seed: number, target: string, index: number): Rng {
  return new Rng(seed ^ hashString(target), index);
}

/** FUZZ_SEED when given (to replay), else a fresh one. */
export function runSeed(): number {
  const env = process.env.FUZZ_SEED;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 0) throw new Error(`FUZZ_SEED must be a non-negative integer, not ${env}`);
    return n >>> 0;
  }
  return (Date.now() ^ (process.pid << 16) ^ Math.floor(Math.random() * 0x7fffffff)) >>> 0;
}

// ---- mutators ----------------------------------------------------------------------------------

const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x0a, 0x0d, 0x1b, 0x3a, 0x3d, 0x2c, 0x20, 0x09, 0x2f, 0x2e, 0xc3, 0xe2];
const INTERESTING_CHUNKS = [
  '\n',
  '\r\n',
  '\u001b[31m',
  '\u001b]8;;javascript:alert(1)\u0007',
  '<script>alert(1)</script>',
  '[x](javascript:alert(1))',
  '| a | b |',
  '```',
  '"__proto__":{"polluted":1},',
  '"constructor":{"prototype":{"polluted":1}},',
  '99999999999999999999999',
  '-9223372036854775809',
  '18446744073709551616',
  '1e400',
  '-0',
  'NaN',
  '\\u0000',
  '\\ud800',
  '\uFEFF',
  '\u202e',
  '%s%n',
  '../../etc/passwd',
  '/coreos.com/network/subnets/',
  '10.244.1.0-24',
  '255.255.255.255/33',
  '::ffff:1.2.3.4',
  '"lease":',
  'AAAA',
  '!!!!',
  '=',
  ': ',
  '\t',
];

function randomBytes(rng: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(256);
  return b;
}

/** One mutation of a byte string; `pool` supplies other inputs to splice from. */
export function mutateOnce(rng: Rng, buf: Buffer, pool: readonly Buffer[]): Buffer {
  const n = buf.length;
  const at = (): number => rng.int(n + 1);
  switch (rng.int(11)) {
    case 0: {
      // bit flips
      const out = Buffer.from(buf);
      for (let k = 1 + rng.int(8); k > 0 && n > 0; k--) out[rng.int(n)] ^= 1 << rng.int(8);
      return out;
    }
    case 1: {
      // interesting bytes
      const out = Buffer.from(buf);
      for (let k = 1 + rng.int(4); k > 0 && n > 0; k--) out[rng.int(n)] = rng.pick(INTERESTING_BYTES);
      return out;
    }
    case 2:
      return buf.subarray(0, at()); // truncation
    case 3:
      return buf.subarray(at()); // lost head
    case 4: {
      // splice: head of this one, tail of another
      const other = pool.length ? rng.pick(pool) : buf;
      return Buffer.concat([buf.subarray(0, at()), other.subarray(rng.int(other.length + 1))]);
    }
    case 5: {
      // insert an interesting chunk
      const p = at();
      return Buffer.concat([buf.subarray(0, p), Buffer.from(rng.pick(INTERESTING_CHUNKS)), buf.subarray(p)]);
    }
    case 6: {
      // delete a chunk
      const p = at();
      return Buffer.concat([buf.subarray(0, p), buf.subarray(Math.min(n, p + 1 + rng.int(64)))]);
    }
    case 7: {
      // repeat a slice many times (long lines, many rows)
      const p = at();
      const len = 1 + rng.int(Math.min(64, Math.max(1, n - p)));
      const slice = buf.subarray(p, p + len);
      const times = 2 + rng.int(rng.chance(0.1) ? 5000 : 50);
      return Buffer.concat([buf.subarray(0, p), ...Array.from({ length: times }, () => slice), buf.subarray(p)]);
    }
    case 8: {
      // random bytes inserted
      const p = at();
      return Buffer.concat([buf.subarray(0, p), randomBytes(rng, 1 + rng.int(32)), buf.subarray(p)]);
    }
    case 9: {
      // swap two lines
      const lines = buf.toString('latin1').split('\n');
      if (lines.length < 2) return buf;
      const i = rng.int(lines.length);
      const j = rng.int(lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return Buffer.from(lines.join('\n'), 'latin1');
    }
    default: {
      // a line of the input duplicated
      const lines = buf.toString('latin1').split('\n');
      const i = rng.int(lines.length);
      lines.splice(i, 0, ...Array.from({ length: 1 + rng.int(20) }, () => lines[i]));
      return Buffer.from(lines.join('\n'), 'latin1');
    }
  }
}

export function mutateBytes(rng: Rng, buf: Buffer, pool: readonly Buffer[] = []): Buffer {
  let out = buf;
  for (let k = 1 + rng.int(3); k > 0; k--) out = mutateOnce(rng, out, pool);
  return out;
}

const KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'kvs', 'key', 'value', 'lease', 'id', 'ttl', 'header', 'Network', 'Backend', 'Type', 'items', 'metadata', 'name', 'ifname', 'addr_info', 'local', 'dst', 'dev', '', 'a"b', '\u0000'];

/** A random JSON value: deep nesting, huge and odd numbers, prototype keys, odd strings. */
export function randomJsonValue(rng: Rng, depth: number): unknown {
  const r = rng.int(depth > 0 ? 10 : 6);
  switch (r) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1.5, 2 ** 53 + 1, -(2 ** 63), 2 ** 64, 1e308, -1e-308, 4294967296, 65536, 9007199254740993]);
    case 3:
      return rng.pick(['', 'x', '__proto__', 'javascript:alert(1)', '<img src=x onerror=alert(1)>', '\u001b]0;t\u0007', 'AAAA', '!!!', '10.244.1.0/24', '999.1.1.1', 'a'.repeat(rng.int(3000)), '\ud800', 'null']);
    case 4:
      return `${rng.next()}${rng.next()}`; // numeric-looking string
    case 5:
      return Buffer.from(randomBytes(rng, rng.int(24))).toString('base64');
    case 6:
    case 7: {
      const o: Record<string, unknown> = {};
      for (let k = rng.int(6); k > 0; k--) Object.defineProperty(o, rng.pick(KEYS), { value: randomJsonValue(rng, depth - 1), enumerable: true, configurable: true, writable: true });
      return o;
    }
    default:
      return Array.from({ length: rng.int(6) }, () => randomJsonValue(rng, depth - 1));
  }
}

/** Random JSON text, sometimes with a literal deep nest or numbers JSON.parse cannot keep exact. */
export function randomJson(rng: Rng): string {
  switch (rng.int(5)) {
    case 0: {
      const d = rng.pick([100, 255, 256, 257, 1000, 100_000]);
      return rng.chance(0.5) ? '['.repeat(d) + ']'.repeat(d) : '{"a":'.repeat(d) + '1' + '}'.repeat(d);
    }
    case 1:
      return `{"kvs":[{"key":"${Buffer.from('/coreos.com/network/subnets/10.244.1.0-24').toString('base64')}","value":"!!notbase64","lease":${rng.pick(['123456789012345678901234567890', '-1', '18446744073709551616', '9223372036854775808', '1e400', '"abc"'])}}],"header":{"revision":1e999}}`;
    default:
      return JSON.stringify(randomJsonValue(rng, 2 + rng.int(8)));
  }
}

/** Mutate a JSON document structurally (replace, delete or rename one node); bytes when it is not JSON. */
export function mutateJsonText(rng: Rng, text: string): string {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return mutateBytes(rng, Buffer.from(text)).toString('utf8');
  }
  const holders: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (v: unknown, depth: number): void => {
    if (holders.length > 2000 || depth > 64) return;
    if (Array.isArray(v)) v.forEach((x, i) => (holders.push([v, i]), walk(x, depth + 1)));
    else if (v && typeof v === 'object') for (const k of Object.keys(v)) holders.push([v as Record<string, unknown>, k]), walk((v as Record<string, unknown>)[k], depth + 1);
  };
  walk(root, 0);
  if (holders.length === 0) return randomJson(rng);
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const [h, key] = rng.pick(holders);
    const op = rng.int(4);
    if (op === 0) (h as Record<string | number, unknown>)[key] = randomJsonValue(rng, 3);
    else if (op === 1 && !Array.isArray(h)) delete (h as Record<string, unknown>)[key as string];
    else if (op === 2 && !Array.isArray(h)) {
      const v = (h as Record<string, unknown>)[key as string];
      Object.defineProperty(h, rng.pick(KEYS), { value: v, enumerable: true, configurable: true, writable: true });
    } else (h as Record<string | number, unknown>)[key] = rng.pick(['', 0, null, [], {}, 'x'.repeat(70_000), -1, 1e21]);
  }
  return JSON.stringify(root);
}

/** A mutated text input: bytes, JSON structure, or random JSON; decoded as the pipeline decodes. */
export function mutateText(rng: Rng, sample: Buffer, pool: readonly Buffer[]): string {
  const r = rng.int(10);
  if (r < 6) return new TextDecoder().decode(mutateBytes(rng, sample, pool));
  if (r < 9) return mutateJsonText(rng, new TextDecoder().decode(sample));
  return randomJson(rng);
}

// ---- parser targets ----------------------------------------------------------------------------

type ParseFn = (text: string, file: string) => unknown;

/** Every exported parser, with the test/samples files and fixture bundle paths it reads. */
export const PARSERS: { name: string; fn: ParseFn; samples: string[]; files: string[] }[] = [
  { name: 'parsePs', fn: ps.parsePs, samples: ['ps-eo-pid-ppid-lstart-etimes-args.txt'], files: ['node/ps.txt'] },
  { name: 'parseCmdline', fn: ps.parseCmdline, samples: [], files: ['node/flanneld/*/cmdline.txt'] },
  { name: 'parseEnviron', fn: ps.parseEnviron, samples: [], files: ['node/flanneld/*/environ.txt'] },
  { name: 'parseProcStatStart', fn: (t, f) => ps.parseProcStatStart(t, f, 1795600000), samples: ['proc-pid-cmdline-stat.txt'], files: [] },
  { name: 'parseIpLinkJson', fn: ip.parseIpLinkJson, samples: ['ip-j-d-link-show.json.txt', 'ip-j-p-d-link-show.json.txt', 'ip-j-link-show-veth-peer-in-other-netns.json.txt', 'synthetic-ip-j-unsupported.txt'], files: ['node/ip-link.json'] },
  { name: 'parseIpLinkText', fn: ip.parseIpLinkText, samples: ['ip-d-link-show.txt', 'ip-d-link-show-veth-peer-in-other-netns.txt'], files: ['node/ip-link.txt'] },
  { name: 'parseIpAddrJson', fn: ip.parseIpAddrJson, samples: ['ip-j-addr.json.txt'], files: ['node/ip-addr.json'] },
  { name: 'parseIpAddrText', fn: ip.parseIpAddrText, samples: ['ip-addr.txt'], files: ['node/ip-addr.txt'] },
  { name: 'parseIpRouteJson', fn: ip.parseIpRouteJson, samples: ['ip-j-route.json.txt', 'ip-j-route-default.json.txt'], files: ['node/ip-route.json'] },
  { name: 'parseIpRouteText', fn: ip.parseIpRouteText, samples: ['ip-route.txt', 'ip-d-route.txt', 'ip-route-default.txt'], files: ['node/ip-route.txt'] },
  { name: 'parseBridgeFdbJson', fn: (t, f) => ip.parseBridgeFdbJson(t, f, 'flannel.1'), samples: ['bridge-j-fdb-show-flannel.1.json.txt'], files: ['node/bridge-fdb/*.json'] },
  { name: 'parseBridgeFdbText', fn: (t, f) => ip.parseBridgeFdbText(t, f, 'flannel.1'), samples: ['bridge-fdb-show-flannel.1.txt'], files: [] },
  { name: 'parseEtcdGetJson', fn: etcd.parseEtcdGetJson, samples: ['etcdctl-get-prefix.json.txt', 'etcd-v3-grpc-gateway-range.json.txt'], files: ['etcd/get-prefix.json'] },
  { name: 'parseEtcdLeaseTimeToLive', fn: etcd.parseEtcdLeaseTimeToLive, samples: ['etcdctl-lease-timetolive-keys.json.txt', 'etcdctl-lease-timetolive.json.txt', 'etcdctl-lease-timetolive-short-after-expiry.json.txt', 'etcd-v3-grpc-gateway-lease-leases.json.txt'], files: ['etcd/leases/*.json'] },
  { name: 'parseEtcdLeaseList', fn: etcd.parseEtcdLeaseList, samples: ['etcdctl-lease-list.json.txt'], files: ['etcd/lease-list.json'] },
  { name: 'parseEtcdEndpointStatus', fn: etcd.parseEtcdEndpointStatus, samples: ['etcdctl-endpoint-status.json.txt'], files: ['etcd/endpoint-status.json'] },
  { name: 'parseEtcdEndpointHealth', fn: etcd.parseEtcdEndpointHealth, samples: ['etcdctl-endpoint-health.json.txt'], files: ['etcd/endpoint-health.json'] },
  { name: 'parseEtcdVersion', fn: etcd.parseEtcdVersion, samples: ['etcdctl-version.txt'], files: ['etcd/version.txt'] },
  { name: 'parseEtcdV2Get', fn: etcd.parseEtcdV2Get, samples: ['etcd-v2-http-key-not-found.json.txt'], files: ['etcd/v2-get-config.json'] },
  { name: 'parseEtcdV2Tree', fn: etcd.parseEtcdV2Tree, samples: ['etcd-v2-http-keys-recursive.json.txt'], files: ['etcd/v2-tree.json'] },
  { name: 'parseEtcdV2Ls', fn: etcd.parseEtcdV2Ls, samples: ['etcdctl-v2-store.txt', 'etcdctl-v2-keys-invisible.txt'], files: ['etcd/v2-ls.txt'] },
  { name: 'classifyEtcdError', fn: (t) => ({ value: etcd.classifyEtcdError(t), issues: [] }), samples: ['etcdctl-unreachable-error.txt', 'etcdctl-edge-cases.txt'], files: ['etcd/*.stderr.txt'] },
  { name: 'parseFlanneldVersion', fn: parseFlanneldVersion, samples: [], files: ['node/flanneld/*/version.txt'] },
  { name: 'versions', fn: (t) => ({ value: [versionFromImage(t), compareVersions(t, 'v0.22.0'), compareVersions('v0.22.0', t)], issues: [] }), samples: [], files: ['node/flanneld/*/version.txt'] },
  { name: 'parseKernelConfig', fn: kernel.parseKernelConfig, samples: ['proc-config-gz-grep.txt'], files: ['node/kernel-config.txt'] },
  { name: 'parseProcModules', fn: kernel.parseProcModules, samples: ['synthetic-proc-modules.txt', 'lsmod-proc-modules.txt'], files: ['node/proc-modules.txt'] },
  { name: 'parseModulesBuiltin', fn: kernel.parseModulesBuiltin, samples: ['synthetic-modules-builtin.txt'], files: ['node/modules-builtin.txt'] },
  { name: 'parseSysModule', fn: kernel.parseSysModule, samples: [], files: ['node/sys-module.txt'] },
  { name: 'parseSysctl', fn: kernel.parseSysctl, samples: [], files: ['node/sysctl.txt'] },
  { name: 'parseKubeNodes', fn: kube.parseKubeNodes, samples: ['synthetic-kube-nodes.json'], files: ['kube/nodes.json'] },
  { name: 'parseKubePods', fn: kube.parseKubePods, samples: [], files: ['kube/flannel-pods.json'] },
  { name: 'parseKubeConfigMaps', fn: kube.parseKubeConfigMaps, samples: [], files: ['kube/flannel-configmaps.json'] },
  { name: 'parseLogLines', fn: (t, f) => parseLogLines(t, f, 2026, { referenceMonth: 11 }), samples: ['synthetic-flanneld-journal.log', 'synthetic-flanneld-klog.log'], files: ['node/flanneld.log', 'kube/flannel-pod.log'] },
  { name: 'parseUname', fn: misc.parseUname, samples: [], files: ['node/uname.txt'] },
  { name: 'parseDate', fn: misc.parseDate, samples: [], files: ['node/date.txt'] },
  { name: 'parseK3sConfig', fn: misc.parseK3sConfig, samples: [], files: ['node/k3s-config.yaml'] },
  { name: 'parseSubnetEnv', fn: parseSubnetEnv, samples: ['synthetic-subnet-env.txt'], files: ['node/subnet.env', 'node/flanneld/*/subnet.env'] },
  { name: 'parseTimedatectlStatus', fn: time.parseTimedatectlStatus, samples: [], files: ['node/timedatectl-status.txt'] },
  { name: 'parseTimedatectlShow', fn: time.parseTimedatectlShow, samples: ['synthetic-timedatectl-show.txt'], files: ['node/timedatectl-show.txt'] },
  { name: 'parseChronycTracking', fn: time.parseChronycTracking, samples: ['chronyc-synchronised.txt', 'chronyc-unsynchronised.txt', 'chronyc-no-daemon-error.txt'], files: ['node/chronyc-tracking.csv'] },
  { name: 'parseNtpq', fn: time.parseNtpq, samples: ['ntpq-unsynchronised.txt'], files: ['node/ntpq.txt'] },
  { name: 'parseJsonDoc', fn: (t) => ({ value: parseJsonDoc(t), issues: [] }), samples: ['etcdctl-get-prefix.json.txt'], files: ['node/net-conf.json'] },
  { name: 'quoteIntegerFields', fn: (t) => ({ value: parseJsonDoc(quoteIntegerFields(t, new Set(['lease', 'id', 'revision']))), issues: [] }), samples: ['etcdctl-lease-list.json.txt', 'etcdctl-get-prefix.json.txt'], files: [] },
  { name: 'networkConfigFact', fn: (t) => ({ value: networkConfigFact(t, 'etcd', '/coreos.com/network/config', []), issues: [] }), samples: [], files: ['node/net-conf.json'] },
  { name: 'addresses', fn: (t) => ({ value: t.split(/[\s,"]+/).slice(0, 2000).map((w) => [parseIp(w), parseCidrLoose(w), subnetFromLeaseKey(w)]), issues: [] }), samples: ['ip-route.txt', 'ip-addr.txt'], files: ['node/subnet.env'] },
  { name: 'parseManifest', fn: (t, f) => ({ value: parseManifest(Buffer.from(t), f), issues: [] }), samples: [], files: ['manifest.json'] },
];

function globMatch(glob: string, p: string): boolean {
  const re = new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
  return re.test(p);
}

/** Every fixture cluster's node bundles, read once through the real reader. */
let fixtureBundles: Promise<Map<string, NodeBundle[]>> | null = null;
export function loadFixtureBundles(): Promise<Map<string, NodeBundle[]>> {
  fixtureBundles ??= (async () => {
    const out = new Map<string, NodeBundle[]>();
    const root = repoPath('fixtures/clusters');
    for (const name of readdirSync(root).sort()) {
      if (name === 'hostile-entries') continue;
      const bs: NodeBundle[] = [];
      for await (const it of readInputs([path.join(root, name)], DEFAULT_CAPS)) if (it.kind === 'bundle') bs.push(it.bundle);
      if (bs.length) out.set(name, bs);
    }
    return out;
  })();
  return fixtureBundles;
}

export interface Corpus {
  /** parser name -> sample inputs */
  samples: Map<string, Buffer[]>;
  /** every sample of every parser (to splice from) */
  all: Buffer[];
}

export async function loadCorpus(): Promise<Corpus> {
  const clusters = await loadFixtureBundles();
  const samples = new Map<string, Buffer[]>();
  const all: Buffer[] = [];
  for (const p of PARSERS) {
    const list: Buffer[] = p.samples.map((s) => readFileSync(repoPath('test', 'samples', s)));
    const seen = new Set<string>();
    for (const bundles of clusters.values()) {
      for (const b of bundles) {
        if (p.files.includes('manifest.json')) list.push(Buffer.from(JSON.stringify(b.manifest)));
        for (const [f, data] of b.files) {
          if (!p.files.some((g) => globMatch(g, f))) continue;
          const k = data.toString('latin1');
          if (seen.has(k) || data.length === 0) continue;
          seen.add(k);
          list.push(data);
        }
      }
    }
    // a parser with no sample still gets random input
    if (list.length === 0) list.push(Buffer.from(''));
    samples.set(p.name, list.slice(0, 40));
    all.push(...list.slice(0, 5));
  }
  return { samples, all };
}

/** Shape every parser promises: a value and a list of issues, never an exception. */
function checkParsed(r: unknown, name: string): void {
  assert.ok(r !== null && typeof r === 'object', `${name}: returned ${typeof r}`);
  const p = r as { value: unknown; issues: unknown };
  assert.ok('value' in p, `${name}: no value`);
  assert.ok(Array.isArray(p.issues), `${name}: issues is not a list`);
  for (const i of p.issues as { message: unknown }[]) assert.equal(typeof i.message, 'string', `${name}: an issue without a message`);
}

export function parserCase(corpus: Corpus, rng: Rng): { name: string; input: string; run: () => void } {
  const p = rng.pick(PARSERS);
  const list = corpus.samples.get(p.name)!;
  const input = mutateText(rng, rng.pick(list), corpus.all);
  return {
    name: p.name,
    input,
    run: () => checkParsed(p.fn(input, p.files[0]?.replace('*', '812') ?? 'x'), p.name),
  };
}

/** Built-in signatures over mutated log lines (re2js: linear time, never throws on odd input). */
export function signatureCase(matcher: SignatureMatcher, corpus: Corpus, rng: Rng): { input: string; run: () => void } {
  const logs = corpus.samples.get('parseLogLines')!;
  const line = mutateText(rng, rng.pick(logs), corpus.all);
  return { input: line, run: () => void matcher.match(line) };
}

// ---- archive targets ---------------------------------------------------------------------------

/** Recompute the checksum of the ustar header at `off` (so a mutated header still parses). */
function fixChecksum(t: Buffer, off: number): void {
  t.fill(0x20, off + 148, off + 156);
  let sum = 0;
  for (let i = off; i < off + 512; i++) sum += t[i];
  t.write(sum.toString(8).padStart(6, '0') + '\0 ', off + 148, 8, 'latin1');
}

function headerOffsets(t: Buffer): number[] {
  const out: number[] = [];
  for (let off = 0; off + 512 <= t.length && out.length < 500; ) {
    const h = t.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    out.push(off);
    const size = parseInt(h.subarray(124, 136).toString('latin1').replace(/[^0-7]/g, '') || '0', 8);
    if (!Number.isFinite(size) || size < 0) break;
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

const HOSTILE_NAMES = ['../../escape', '/etc/passwd', 'a\\b', '.', './', '..', 'x/../../y', '\u001b[31m', 'manifest.json', '__proto__', 'constructor/prototype', 'a'.repeat(99), ''];

/** A tar-aware mutation: header fields changed with a valid checksum, so the reader goes deeper. */
export function mutateTar(rng: Rng, tarBuf: Buffer, pool: readonly Buffer[]): Buffer {
  const offs = headerOffsets(tarBuf);
  if (offs.length === 0 || rng.chance(0.3)) return mutateBytes(rng, tarBuf, pool);
  const t = Buffer.from(tarBuf);
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const off = rng.pick(offs);
    switch (rng.int(5)) {
      case 0: // type flag
        t[off + 156] = rng.pick([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x78, 0x67, 0x4c, 0x4b, 0x53, 0x00, 0x41]);
        break;
      case 1: // size
        t.write(rng.pick(['77777777777', '00000000000', '00000001000', '10000000000', '0000000000\u0000']) + '\0', off + 124, 12, 'latin1');
        break;
      case 2: {
        // name
        t.fill(0, off, off + 100);
        const top = tarBuf.subarray(offs[0], offs[0] + 100).toString('latin1').split('/')[0];
        t.write(rng.chance(0.5) ? `${top}/${rng.pick(HOSTILE_NAMES)}` : rng.pick(HOSTILE_NAMES), off, 100, 'utf8');
        break;
      }
      case 3: // link name
        t.write(rng.pick(['/etc/shadow', '../../../etc', 'manifest.json', '']) + '\0', off + 157, 100, 'utf8');
        break;
      default: // a header byte anywhere
        t[off + rng.int(512)] = rng.int(256);
    }
    if (rng.chance(0.9)) fixChecksum(t, off);
  }
  return t;
}

export interface ArchiveSeeds {
  tars: Buffer[];
}

export async function loadArchiveSeeds(): Promise<ArchiveSeeds> {
  const { gunzipSync } = await import('node:zlib');
  const root = repoPath('fixtures/clusters');
  const tars: Buffer[] = [];
  for (const c of ['healthy-etcd', 'healthy-kube', 'healthy-k3s', 'faulty-etcd']) {
    for (const f of readdirSync(path.join(root, c)).filter((n) => n.endsWith('.tar.gz')).sort()) tars.push(gunzipSync(readFileSync(path.join(root, c, f))));
  }
  return { tars };
}

/** A scratch directory for archive cases (one file, rewritten per case). */
export function scratch(): { file: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flannel-diag-fuzz-'));
  return { file: (name) => path.join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const SMALL_CAPS: ReadCaps = { maxEntries: 2000, maxFileBytes: 4 * 1024 * 1024, maxTotalBytes: 32 * 1024 * 1024, maxRatio: 200 };

/** Readers never throw, and every problem is one line. */
function checkItems(items: { kind: string; problems?: { message: string }[]; bundle?: NodeBundle }[]): void {
  assert.ok(items.length > 0, 'no item for an input');
  for (const it of items) {
    const problems = it.kind === 'bundle' ? it.bundle!.problems : it.problems!;
    for (const p of problems) {
      assert.equal(typeof p.message, 'string');
      assert.doesNotMatch(p.message, /[\n\r\u001b]/, `a problem message is not one clean line: ${JSON.stringify(p.message)}`);
    }
  }
}

export function archiveCase(seeds: ArchiveSeeds, rng: Rng, file: (name: string) => string): { input: Buffer; name: string; run: () => Promise<void> } {
  let data = mutateTar(rng, rng.pick(seeds.tars), seeds.tars);
  if (rng.chance(0.6)) {
    data = gzipSync(data, { level: 1 });
    if (rng.chance(0.3)) data = mutateBytes(rng, data); // damaged gzip
  }
  const name = rng.pick(['node.tar.gz', 'node.tar', 'node.tgz', 'odd-name']);
  const whole = rng.chance(0.25);
  return {
    input: data,
    name,
    run: async () => {
      const p = file(name);
      writeFileSync(p, data);
      if (whole) {
        // the CLI's path: a report, or NoUsableInputError (exit 1 with its one-line message)
        try {
          const report = await analyzeBundles(readForPipeline([p], SMALL_CAPS), builtinRules(), { toolVersion: '0.0.0-fuzz' });
          assert.ok(ReportSchema.safeParse(report).success, 'report is not schema-valid');
        } catch (e) {
          if (!(e instanceof NoUsableInputError)) throw e;
          assert.doesNotMatch(e.message, /[\n\r\u001b]/, 'the exit-1 reason is not one clean line');
        }
        return;
      }
      const items = [];
      for await (const it of readInputs([p], SMALL_CAPS)) items.push(it);
      checkItems(items as never);
    },
  };
}

// ---- whole pipeline ------------------------------------------------------------------------------

let rulesCache: LoadedRules | null = null;
export function builtinRules(): LoadedRules {
  rulesCache ??= loadRuleDirs([repoPath('rules')]);
  return rulesCache;
}

function cloneBundle(b: NodeBundle): NodeBundle {
  return { ...b, manifest: structuredClone(b.manifest), files: new Map(b.files), rejected: [...b.rejected], problems: [...b.problems] };
}

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const LEASE_KEY_TAILS = ['10.244.1.0-24', '10.244.1.0-33', '999.0.0.0-24', '10.244.1.0', '-', '', '__proto__', '10.244.1.0-24/extra', '<b>x</b>', 'fd00::-64', '10.244.0.0-16'];

/**
 * Mutate the etcd dump one level down: decode a key or value (base64), change it, encode it again, so
 * that lease values (JSON inside base64), subnet keys and lease ids reach the fact builders.
 */
export function mutateEtcdDump(rng: Rng, text: string): string {
  let doc: { kvs?: Record<string, unknown>[] };
  try {
    doc = JSON.parse(quoteIntegerFields(text, new Set(['lease', 'revision', 'create_revision', 'mod_revision', 'version', 'cluster_id', 'member_id', 'raft_term'])));
  } catch {
    return mutateText(rng, Buffer.from(text), []);
  }
  const kvs = Array.isArray(doc?.kvs) ? doc.kvs : [];
  if (kvs.length === 0) return text;
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const kv = rng.pick(kvs);
    if (!kv || typeof kv !== 'object') continue;
    switch (rng.int(6)) {
      case 0: {
        const key = typeof kv.key === 'string' ? Buffer.from(kv.key, 'base64').toString('utf8') : '';
        kv.key = b64(key.replace(/[^/]*$/, rng.pick(LEASE_KEY_TAILS)));
        break;
      }
      case 1:
      case 2: {
        const value = typeof kv.value === 'string' ? Buffer.from(kv.value, 'base64').toString('utf8') : '{}';
        kv.value = b64(mutateJsonText(rng, value));
        break;
      }
      case 3:
        kv.lease = rng.pick(['123456789012345678901234567890', '-1', '18446744073709551616', '9223372036854775808', '0', 1e400, 'abc', null]);
        break;
      case 4:
        kv.value = rng.pick(['!!!!', 'A', '====', '', '\u0000', Buffer.from([0xff, 0xfe, 0x00]).toString('base64')]);
        break;
      default:
        kvs.push(structuredClone(kv)); // the same key twice
    }
  }
  return JSON.stringify(doc);
}

/** Mutate a cluster's node bundles (files, manifest fields, duplicate hosts) in memory. */
export function mutateCluster(rng: Rng, bundles: NodeBundle[], corpus: Corpus): NodeBundle[] {
  const out = bundles.map(cloneBundle);
  for (let k = 1 + rng.int(4); k > 0; k--) {
    const b = rng.pick(out);
    const files = [...b.files.keys()];
    const op = rng.int(10);
    if (op < 3 && b.files.has('etcd/get-prefix.json')) {
      b.files.set('etcd/get-prefix.json', Buffer.from(mutateEtcdDump(rng, b.files.get('etcd/get-prefix.json')!.toString('utf8'))));
    } else if (op < 6 && files.length) {
      const f = rng.pick(files);
      b.files.set(f, Buffer.from(mutateText(rng, b.files.get(f)!, corpus.all)));
    } else if (op === 6 && files.length) {
      b.files.delete(rng.pick(files));
    } else if (op === 7) {
      // a manifest entry's state changed
      const e = rng.pick(b.manifest.commands);
      if (e) Object.assign(e, rng.pick([{ exitCode: 1 }, { exitCode: null }, { timedOut: true }, { truncated: true }, { skipped: 'x\u001b[31m' }, { stdout: 'node/missing.txt' }, { subject: '__proto__' }, { id: 'constructor' }]));
    } else if (op === 8) {
      // hostile manifest values: another node's hostname, markup, prototype names
      b.manifest.host.hostname = rng.pick([out[0].manifest.host.hostname, '__proto__', 'constructor', '<img src=x onerror=alert(1)>', 'a|b', '\u001b]0;x\u0007']);
      if (rng.chance(0.3)) b.manifest.collectedAt = rng.pick(['', 'garbage', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z']);
    } else {
      b.rejected.push({ input: b.input, name: '../../x', type: 'SymbolicLink', reason: 'symbolic link to /etc/shadow' });
      b.incomplete = rng.chance(0.5);
    }
  }
  return out;
}

export async function pipelineCase(rng: Rng, corpus: Corpus): Promise<{ describe: string; run: () => Promise<void> }> {
  const clusters = await loadFixtureBundles();
  const names = [...clusters.keys()];
  const name = rng.pick(names);
  const bundles = mutateCluster(rng, clusters.get(name)!, corpus);
  const withFailure = rng.chance(0.1);
  return {
    describe: `cluster ${name}`,
    run: async () => {
      const items = async function* (): AsyncGenerator<PipelineItem> {
        for (const b of bundles) yield { bundle: b };
        if (withFailure) yield { failure: { input: 'x.tar.gz', message: 'x.tar.gz: not a tar or tar.gz archive', integrity: [] } };
      };
      let report;
      try {
        report = await analyzeBundles(items(), builtinRules(), { toolVersion: '0.0.0-fuzz', now: () => new Date('2026-11-26T06:00:00Z') });
      } catch (e) {
        if (e instanceof NoUsableInputError) return;
        throw e;
      }
      const checked = ReportSchema.safeParse(report);
      assert.ok(checked.success, `report is not schema-valid: ${checked.success ? '' : JSON.stringify(checked.error.issues.slice(0, 3))}`);
      for (const f of REPORT_FORMATS) {
        const out = renderReport(report, f, { color: false });
        if (f !== 'json') assert.equal(CONTROL.test(out), false, `control character in the ${f} report`);
        else JSON.parse(out);
      }
    },
  };
}

// ---- the driver ---------------------------------------------------------------------------------

export interface FuzzFailure {
  target: string;
  index: number;
  seed: number;
  error: string;
  input: string;
}

export interface FuzzStats {
  target: string;
  cases: number;
  ms: number;
  slowest: { index: number; ms: number };
  slow: { index: number; ms: number }[];
}

export function replayLine(seed: number, target: string, index: number): string {
  return `FUZZ_SEED=${seed} FUZZ_ONLY=${target}:${index}`;
}

function preview(s: string | Buffer): string {
  const t = typeof s === 'string' ? s : s.toString('latin1');
  return JSON.stringify(t.length > 300 ? `${t.slice(0, 300)}… (${t.length} chars)` : t);
}

export interface Prepared {
  corpus: Corpus;
  seeds: ArchiveSeeds;
  matcher: SignatureMatcher;
  scratch: ReturnType<typeof scratch>;
}

export async function prepare(): Promise<Prepared> {
  const corpus = await loadCorpus();
  const seeds = await loadArchiveSeeds();
  const matcher = new SignatureMatcher(builtinRules().signatures);
  return { corpus, seeds, matcher, scratch: scratch() };
}

export const TARGETS = ['parsers', 'signatures', 'archives', 'pipeline'] as const;
export type TargetName = (typeof TARGETS)[number];

/** Run one case; returns its input for the failure message. */
async function runCase(prep: Prepared, target: TargetName, rng: Rng): Promise<{ label: string; input: string }> {
  switch (target) {
    case 'parsers': {
      const c = parserCase(prep.corpus, rng);
      const label = c.name;
      try {
        c.run();
      } catch (e) {
        throw Object.assign(e as Error, { fuzzInput: `${label}: ${preview(c.input)}` });
      }
      return { label, input: c.input };
    }
    case 'signatures': {
      const c = signatureCase(prep.matcher, prep.corpus, rng);
      try {
        c.run();
      } catch (e) {
        throw Object.assign(e as Error, { fuzzInput: preview(c.input) });
      }
      return { label: 'signatures', input: c.input };
    }
    case 'archives': {
      const c = archiveCase(prep.seeds, rng, prep.scratch.file);
      try {
        await c.run();
      } catch (e) {
        throw Object.assign(e as Error, { fuzzInput: `${c.name}: ${preview(c.input)}` });
      }
      return { label: c.name, input: '' };
    }
    case 'pipeline': {
      const c = await pipelineCase(rng, prep.corpus);
      try {
        await c.run();
      } catch (e) {
        throw Object.assign(e as Error, { fuzzInput: c.describe });
      }
      return { label: c.describe, input: '' };
    }
  }
}

/**
 * Run `count` cases of `target` (or the single case named by FUZZ_ONLY). Returns stats; failures are
 * collected, not thrown, so one run reports every distinct failure with its replay line.
 */
export async function fuzzTarget(
  prep: Prepared,
  target: TargetName,
  seed: number,
  count: number,
  opts: { slowMs: number; firstIndex?: number; deadline?: number; maxFailures?: number },
): Promise<{ stats: FuzzStats; failures: FuzzFailure[] }> {
  const only = process.env.FUZZ_ONLY;
  let indexes: Iterable<number>;
  if (only) {
    const [t, i] = only.split(':');
    indexes = t === target ? [Number(i)] : [];
  } else {
    const first = opts.firstIndex ?? 0;
    indexes = (function* () {
      for (let i = first; i < first + count; i++) yield i;
    })();
  }
  const failures: FuzzFailure[] = [];
  const stats: FuzzStats = { target, cases: 0, ms: 0, slowest: { index: -1, ms: 0 }, slow: [] };
  const t0 = performance.now();
  for (const index of indexes) {
    if (opts.deadline !== undefined && Date.now() > opts.deadline) break;
    const rng = caseRng(seed, target, index);
    const c0 = performance.now();
    try {
      await runCase(prep, target, rng);
    } catch (e) {
      const err = e as Error & { fuzzInput?: string };
      const first = String(err?.stack ?? err).split('\n').slice(0, 6).join('\n');
      failures.push({ target, index, seed, error: first, input: err?.fuzzInput ?? '' });
      if (failures.length >= (opts.maxFailures ?? 10)) break;
    }
    const ms = performance.now() - c0;
    stats.cases++;
    if (ms > stats.slowest.ms) stats.slowest = { index, ms };
    if (ms > opts.slowMs) stats.slow.push({ index, ms });
  }
  stats.ms = performance.now() - t0;
  return { stats, failures };
}

export function describeFailures(failures: FuzzFailure[]): string {
  return failures
    .map((f) => `case ${f.target}:${f.index} (replay: ${replayLine(f.seed, f.target, f.index)})\n  input: ${f.input}\n  ${f.error.replace(/\n/g, '\n  ')}`)
    .join('\n\n');
}
