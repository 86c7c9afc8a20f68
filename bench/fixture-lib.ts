// Typed access to the fixture generator's building blocks (fixtures/lib/*.mjs: real output shapes from
// fixtures/templates). They are plain ESM without declarations, so they are loaded by URL at run time
// and described here only as far as the bench uses them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root: dist/bench/ -> ../.. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const LIB = path.join(REPO_ROOT, 'fixtures', 'lib');
const TEMPLATES = path.join(REPO_ROOT, 'fixtures', 'templates');

export interface Link {
  ifname: string;
  kind: 'loopback' | 'veth' | 'vxlan' | 'bridge';
  mac?: string;
  mtu: number;
  state?: 'up' | 'down' | 'no-carrier';
  master?: string;
  portNo?: number;
  gcTimer?: string;
  peer?: { linkIndex: number; netnsid: number };
  vxlan?: { id: number; local: string; link: string; port: number; learning: boolean };
  addrs: { family: 'inet' | 'inet6'; local: string; prefixlen: number; scope?: string }[];
}
export interface Route {
  dst: string;
  gateway?: string;
  dev: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  flags?: string[];
}
export interface NetOut {
  linkJson: string;
  linkText: string;
  addrJson: string;
  addrText: string;
  routeJson: string;
  routeText: string;
  fdb: Record<string, string>;
}
export interface Proc {
  pid: number;
  ppid: number;
  etimes: number;
  args: string;
}
/** A command result as fixtures/lib returns it. */
export interface Cmd {
  id: string;
  subject?: string;
  argv: string[];
  file: string;
  stdout: string;
  stderr: string;
  exitCode: number;
  source?: string;
}
export interface LogBuilder {
  klog(us: number, pid: number, level: string, file: string, msg: string): void;
  raw(us: number, pid: number, msg: string): void;
  render(): string;
}
export interface EtcdInput {
  api: 3;
  prefix: string;
  endpoints: string;
  version: string;
  clusterId: string;
  memberId: string;
  raftTerm: number;
  dbSize: number;
  dbSizeInUse: number;
  raftIndex: number;
  healthTook: string;
  revision: number;
  kvs: { key: string; value: string; lease?: string; createRevision: number; modRevision: number; version: number }[];
  leases: { id: string; ttl: number; grantedTtl: number; keys: string[] }[];
  orphanLeases: { id: string; ttl: number }[];
  v2: { enabled: boolean; index: number };
  nowUs: number;
  failure: null;
}

export interface FixtureLib {
  loadNetTemplates(read: (name: string) => string): unknown;
  renderNet(T: unknown, links: Link[], routes: Route[], fdbByDev: Record<string, { mac: string; dst: string }[]>): NetOut;
  sortRoutes(routes: Route[]): Route[];
  etcdCommands(e: EtcdInput): Cmd[];
  hexId(dec: string): string;
  LogBuilder: new (o: { style: 'crictl' | 'journald'; hostname: string; procName?: string }) => LogBuilder;
  flanneldStartup(lb: LogBuilder, p: Record<string, unknown>, startUs: number, untilUs: number): { endUs: number; lastRenewUs?: number };
  parseFlags(argv: string[]): Record<string, string> & { iface: string[] };
  renderPs(procs: Proc[], nowMs: number): string;
  timedatectlStatus(nowMs: number, t: Record<string, unknown>): string;
  timedatectlShow(nowMs: number, t: Record<string, unknown>): string;
  buildKernelConfig(base: string, grep: string, release: string, overrides: Record<string, string | null>): string;
  loadedModules(configText: string, wanted: Record<string, boolean>, templateRows: string[]): { loaded: Set<string>; text: string };
  modulesBuiltin(configText: string, templateText: string): string;
  sysModule(configText: string, loaded: Set<string>): string;
  sysctlOutput(values: Record<string, string | null>): { stdout: string; stderr: string; exitCode: number };
  macFrom(seed: string): string;
  hexFrom(seed: string, n: number): string;
  linkLocal(mac: string): string;
  isoSec(ms: number): string;
  compactStamp(ms: number): string;
  klogTime(us: number): string;
  ipToInt(ip: string): number;
  intToIp(n: number): string;
  /** files below `top` -> a deterministic .tar.gz (sorted entries, fixed mtime) */
  makeTarGz(files: Map<string, Buffer>, top: string, mtime: number, level?: number): Buffer;
  /** bundle-v1's network commands: id, argv, bundle file, field of renderNet's result */
  NET_COMMANDS: [string, string[], string, 'linkJson' | 'linkText' | 'addrJson' | 'addrText' | 'routeJson' | 'routeText'][];
  /** Ubuntu-like kernel options the fixtures use: vxlan, bridge and netfilter as modules */
  DISTRO_KERNEL_CONFIG: Record<string, string | null>;
}

export const readTemplate = (name: string): string => readFileSync(path.join(TEMPLATES, name), 'utf8');

export async function loadFixtureLib(): Promise<FixtureLib> {
  const mods = await Promise.all(['net', 'etcd', 'logs', 'system', 'util', 'tar'].map((m) => import(pathToFileURL(path.join(LIB, `${m}.mjs`)).href)));
  return Object.assign({}, ...mods) as FixtureLib;
}
