// Machinery shared by the collector tests: network namespaces, a real etcd 3.4, the fake flanneld,
// a curated PATH, running the collector in its own PID namespace, and checking the bundle it writes.
// Nothing here skips: missing infrastructure (no netns, no etcd, no gcc) is a failure.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import assert from 'node:assert/strict';
import * as tar from 'tar';
import { repoPath } from '../helpers.js';
import { ManifestSchema } from '../../src/bundle/manifest.js';

export const SCRIPT = repoPath('src', 'collector', 'flannel-diag-collect.sh');
const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export interface Proc {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): Proc {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return { status: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** Runs a command that must succeed; its stdout. */
export function must(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = run(cmd, args, opts);
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return r.stdout;
}

/** Absolute path of a host tool; throws (the test fails) when it is not installed. */
export function which(tool: string): string {
  const r = run('sh', ['-c', `command -v "$1"`, 'sh', tool], { env: { PATH: HOST_PATH } });
  const p = r.stdout.trim();
  if (r.status !== 0 || !p.startsWith('/')) {
    throw new Error(`required tool not installed: ${tool} (scripts/install-test-deps.sh installs the test dependencies)`);
  }
  return p;
}

function tryWhich(tool: string): string | null {
  const r = run('sh', ['-c', `command -v "$1"`, 'sh', tool], { env: { PATH: HOST_PATH } });
  const p = r.stdout.trim();
  return r.status === 0 && p.startsWith('/') ? p : null;
}

export function requireTools(tools: string[]): void {
  for (const t of tools) which(t);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Single-quotes a string for sh. */
export function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `fdc-${tag}-`));
}

/** Removes a test directory (kept when FDC_KEEP=1, for debugging). */
export function removeDir(dir: string | undefined): void {
  if (!dir) return;
  if (process.env.FDC_KEEP === '1') {
    process.stderr.write(`kept ${dir}\n`);
    return;
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

export function writeFile(file: string, content: string, mode = 0o644): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
  return file;
}

// ---- network namespaces ------------------------------------------------------------------------

/** Creates a network namespace with `lo` up. Throws when namespaces cannot be created. */
export function createNetns(tag: string): string {
  const name = `fdc-${tag}-${randomBytes(4).toString('hex')}`;
  const r = run('ip', ['netns', 'add', name]);
  if (r.status !== 0) {
    throw new Error(`cannot create a network namespace (the collector tests need root and netns): ${r.stderr}`);
  }
  must('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

export function deleteNetns(name: string | undefined): void {
  if (name) run('ip', ['netns', 'delete', name]);
}

export function nsSh(ns: string, script: string, env?: NodeJS.ProcessEnv): string {
  return must('ip', ['netns', 'exec', ns, 'sh', '-c', script], env ? { env } : {});
}

/**
 * flannel's vxlan data plane as flanneld would leave it on node 10.244.1.0/24: an underlay eth0, flannel.1
 * (vxlan id 1, dstport 8472, nolearning, mtu 1450, 10.244.1.0/32), cni0 (10.244.1.1/24), the route, neighbour
 * and fdb entry for the peer 10.244.2.0/24 behind 192.168.50.12.
 */
export function setupFlannelNetwork(ns: string): void {
  nsSh(
    ns,
    `set -e
ip link add eth0 type veth peer name eth0-peer
ip link set eth0 up
ip link set eth0-peer up
ip addr add 192.168.50.11/24 dev eth0
ip link add flannel.1 type vxlan id 1 local 192.168.50.11 dev eth0 dstport 8472 nolearning
ip link set flannel.1 mtu 1450
ip link set flannel.1 up
ip addr add 10.244.1.0/32 dev flannel.1
ip link add cni0 type bridge
ip link set cni0 up
ip addr add 10.244.1.1/24 dev cni0
ip route add 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink
ip neigh add 10.244.2.0 lladdr aa:bb:cc:dd:ee:02 dev flannel.1 nud permanent
bridge fdb append aa:bb:cc:dd:ee:02 dev flannel.1 dst 192.168.50.12`,
  );
}

// ---- etcd --------------------------------------------------------------------------------------

export interface Etcd {
  ns: string;
  endpoint: string;
  proc: ChildProcess;
  logFile: string;
  /** etcdctl (v3) inside the namespace; `user` is `name:password` */
  ctl(args: string[], user?: string): string;
  /** etcdctl with ETCDCTL_API=2 inside the namespace */
  ctl2(args: string[]): string;
}

export function randomPort(): number {
  return 20000 + Math.floor(Math.random() * 20000);
}

/** Starts a real etcd (Debian's etcd-server, 3.4) on 127.0.0.1 inside `ns`, with the v2 API enabled. */
export async function startEtcd(ns: string, dir: string): Promise<Etcd> {
  which('etcd');
  which('etcdctl');
  const port = randomPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const peer = `http://127.0.0.1:${port + 1}`;
  const logFile = path.join(dir, 'etcd.log');
  const log = fs.openSync(logFile, 'a');
  const proc = spawn(
    'ip',
    [
      'netns', 'exec', ns, 'etcd',
      '--name', 'n1',
      '--data-dir', path.join(dir, 'etcd-data'),
      '--listen-client-urls', endpoint,
      '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `n1=${peer}`,
      '--enable-v2=true',
    ],
    { stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  const cleanEnv = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCDCTL_')) env[k] = v;
    return env;
  };
  const ctl = (args: string[], user?: string): string =>
    must('ip', ['netns', 'exec', ns, 'etcdctl', `--endpoints=${endpoint}`, ...(user ? [`--user=${user}`] : []), ...args], {
      env: { ...cleanEnv(), ETCDCTL_API: '3' },
    });
  const ctl2 = (args: string[]): string =>
    must('ip', ['netns', 'exec', ns, 'etcdctl', `--endpoints=${endpoint}`, ...args], { env: { ...cleanEnv(), ETCDCTL_API: '2' } });
  const etcd: Etcd = { ns, endpoint, proc, logFile, ctl, ctl2 };
  const until = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) {
      throw new Error(`etcd exited with ${proc.exitCode}:\n${fs.readFileSync(logFile, 'utf8').slice(-3000)}`);
    }
    const r = run('ip', ['netns', 'exec', ns, 'etcdctl', `--endpoints=${endpoint}`, 'endpoint', 'health'], {
      env: { ...cleanEnv(), ETCDCTL_API: '3' },
    });
    if (r.status === 0) return etcd;
    if (Date.now() > until) {
      await stopEtcd(etcd);
      throw new Error(`etcd did not become healthy:\n${r.stderr}\n${fs.readFileSync(logFile, 'utf8').slice(-3000)}`);
    }
    await sleep(200);
  }
}

export async function stopEtcd(etcd: Etcd | undefined): Promise<void> {
  if (!etcd || etcd.proc.exitCode !== null || etcd.proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => etcd.proc.once('exit', () => resolve()));
  etcd.proc.kill('SIGTERM');
  const timer = setTimeout(() => etcd.proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** `lease 694d8f5c5f4a1b0c granted with TTL(600s)` -> 694d8f5c5f4a1b0c */
export function grantLease(etcd: Etcd, ttl: number, user?: string): string {
  const out = etcd.ctl(['lease', 'grant', String(ttl)], user);
  const m = /^lease ([0-9a-f]{16}) granted/m.exec(out);
  assert.ok(m, `unexpected lease grant output: ${out}`);
  return m[1];
}

export function hexToDec(hex: string): string {
  return BigInt(`0x${hex}`).toString();
}

// ---- fake programs and PATHs -------------------------------------------------------------------

/** Compiles test/collector/fake-flanneld.c into dir/fake/{flanneld,k3s}. */
export function buildFakes(dir: string): { flanneld: string; k3s: string } {
  which('gcc');
  const bin = path.join(dir, 'fake');
  fs.mkdirSync(bin, { recursive: true });
  const flanneld = path.join(bin, 'flanneld');
  must('gcc', ['-O2', '-Wall', '-o', flanneld, repoPath('test', 'collector', 'fake-flanneld.c')]);
  const k3s = path.join(bin, 'k3s');
  fs.copyFileSync(flanneld, k3s);
  fs.chmodSync(k3s, 0o755);
  return { flanneld, k3s };
}

/** Tools the collector may use; a curated PATH holds the ones present on the host unless omitted. */
const GNU_TOOLS = [
  'sh', 'cat', 'date', 'tr', 'sed', 'awk', 'grep', 'head', 'tail', 'wc', 'sort', 'mkdir', 'rm', 'mv', 'mktemp',
  'tar', 'gzip', 'ls', 'readlink', 'sleep', 'timeout', 'hostname', 'uname', 'base64', 'env', 'dirname',
  'getconf', 'kill', 'ps', 'ip', 'bridge', 'sysctl', 'timedatectl', 'etcdctl', 'curl',
];

export interface BinOptions {
  /** tools left out of PATH */
  omit?: string[];
  /** extra programs: name -> shell script body (written as an executable) */
  scripts?: Record<string, string>;
  /** extra programs: name -> existing executable (symlinked) */
  links?: Record<string, string>;
  /** tools replaced by a shim that records each invocation's argv under logDir, then execs the tool */
  logDir?: string;
  logTools?: string[];
}

function fillBin(bin: string, o: BinOptions): string {
  for (const [name, target] of Object.entries(o.links ?? {})) {
    fs.rmSync(path.join(bin, name), { force: true });
    fs.symlinkSync(target, path.join(bin, name));
  }
  for (const [name, body] of Object.entries(o.scripts ?? {})) {
    fs.rmSync(path.join(bin, name), { force: true });
    writeFile(path.join(bin, name), body.startsWith('#!') ? body : `#!/bin/sh\n${body}`, 0o755);
  }
  if (o.logDir) {
    fs.mkdirSync(o.logDir, { recursive: true });
    for (const name of o.logTools ?? []) {
      const target = path.join(bin, name);
      if (!fs.existsSync(target)) continue;
      const real = fs.realpathSync(target);
      fs.rmSync(target, { force: true });
      // one record per invocation: NUL-separated argv, \036 as terminator, in a file per shim PID
      writeFile(
        target,
        `#!/bin/sh\nprintf '%s\\000' ${q(name)} "$@" >>${q(o.logDir)}/$$\nprintf '\\036' >>${q(o.logDir)}/$$\nexec ${q(real)} "$@"\n`,
        0o755,
      );
    }
  }
  return bin;
}

/** A PATH directory with the host's (GNU) tools. */
export function makeGnuBin(dir: string, o: BinOptions = {}): string {
  const bin = path.join(dir, `bin-${randomBytes(3).toString('hex')}`);
  fs.mkdirSync(bin, { recursive: true });
  const omit = new Set(o.omit ?? []);
  for (const t of GNU_TOOLS) {
    if (omit.has(t)) continue;
    const p = tryWhich(t);
    if (p) fs.symlinkSync(p, path.join(bin, t));
  }
  return fillBin(bin, o);
}

/** A PATH directory where every tool is a busybox applet (plus `links`, e.g. etcdctl). */
export function makeBusyboxBin(dir: string, o: BinOptions = {}): string {
  const busybox = which('busybox');
  const bin = path.join(dir, `bb-${randomBytes(3).toString('hex')}`);
  fs.mkdirSync(bin, { recursive: true });
  const applets = must(busybox, ['--list']).split('\n').filter((a) => /^[a-z0-9_.[-]+$/.test(a));
  const omit = new Set(o.omit ?? []);
  for (const a of applets) if (!omit.has(a)) fs.symlinkSync(busybox, path.join(bin, a));
  return fillBin(bin, o);
}

/** The argv of each invocation a logging shim recorded. */
export function loggedInvocations(logDir: string): string[][] {
  const out: string[][] = [];
  for (const f of fs.readdirSync(logDir)) {
    const text = fs.readFileSync(path.join(logDir, f), 'latin1');
    for (const rec of text.split('\x1e')) {
      if (rec === '') continue;
      const argv = rec.split('\0');
      if (argv[argv.length - 1] === '') argv.pop();
      out.push(argv);
    }
  }
  return out;
}

// ---- running the collector ---------------------------------------------------------------------

export interface Background {
  /** executable and arguments */
  argv: string[];
  env?: Record<string, string>;
  /** file that receives the process's stdout and stderr (appended), default /dev/null */
  logFile?: string;
  /** process name (comm) to wait for before the collector starts */
  comm: string;
}

export interface CollectorOptions {
  ns: string;
  dir: string;
  /** the shell that runs the script, e.g. [dash] or [busybox, 'sh'] */
  shell: string[];
  /** PATH for the collector (a directory from makeGnuBin / makeBusyboxBin) */
  bin: string;
  args?: string[];
  env?: Record<string, string>;
  background?: Background[];
  /** hard limit for the whole run; the test fails when it is hit */
  limitMs?: number;
}

export interface CollectorRun {
  code: number;
  stdout: string;
  stderr: string;
  /** the collector's own wall time */
  elapsedMs: number;
  outDir: string;
  tmpDir: string;
  homeDir: string;
  tarball: string;
  /** PIDs (in the collector's PID namespace) of the background processes */
  pids: number[];
}

let runSeq = 0;

/**
 * Runs the collector inside `ns` and a fresh PID namespace (so it sees only the processes started here),
 * with the given background processes (fake flanneld, fake k3s) started first.
 */
export function runCollector(o: CollectorOptions): CollectorRun {
  const n = ++runSeq;
  const work = path.join(o.dir, `run${n}`);
  const outDir = path.join(work, 'out');
  const tmpDir = path.join(work, 'tmp');
  const homeDir = path.join(work, 'home');
  for (const d of [outDir, tmpDir, homeDir]) fs.mkdirSync(d, { recursive: true });
  const lines: string[] = ['#!/bin/sh', `cd ${q(work)}`, ': >pids'];
  for (const bg of o.background ?? []) {
    const env = Object.entries({ PATH: HOST_PATH, ...(bg.env ?? {}) }).map(([k, v]) => `${k}=${q(v)}`);
    lines.push(
      `env -i ${env.join(' ')} ${bg.argv.map(q).join(' ')} </dev/null >>${q(bg.logFile ?? '/dev/null')} 2>&1 &`,
      `p=$!; echo "$p" >>pids; i=0`,
      `while [ "$(cat /proc/$p/comm 2>/dev/null)" != ${q(bg.comm)} ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done`,
    );
  }
  const env = Object.entries({ PATH: o.bin, HOME: homeDir, TMPDIR: tmpDir, ...(o.env ?? {}) }).map(
    ([k, v]) => `${k}=${q(v)}`,
  );
  const cmd = [...o.shell, SCRIPT, '--output', outDir, ...(o.args ?? [])].map(q).join(' ');
  lines.push(
    't0=$(date +%s%N)',
    `env -i ${env.join(' ')} ${cmd} </dev/null >stdout 2>stderr`,
    'echo $? >rc',
    't1=$(date +%s%N)',
    'echo $(( (t1 - t0) / 1000000 )) >elapsed',
  );
  const wrapper = writeFile(path.join(work, 'run.sh'), `${lines.join('\n')}\n`, 0o755);
  const r = spawnSync(
    'ip',
    ['netns', 'exec', o.ns, 'unshare', '--pid', '--fork', '--kill-child', '--mount-proc', '/bin/sh', wrapper],
    { encoding: 'utf8', timeout: o.limitMs ?? 240_000, killSignal: 'SIGKILL' },
  );
  if (r.error) throw new Error(`collector run failed to start or hit the test's limit: ${r.error.message}`);
  const read = (f: string): string => (fs.existsSync(path.join(work, f)) ? fs.readFileSync(path.join(work, f), 'utf8') : '');
  const rc = read('rc').trim();
  if (rc === '') throw new Error(`the collector wrapper did not finish: ${r.stderr}\n${read('stderr')}`);
  const tarballs = fs.readdirSync(outDir).filter((f) => f.endsWith('.tar.gz'));
  return {
    code: Number(rc),
    stdout: read('stdout'),
    stderr: read('stderr'),
    elapsedMs: Number(read('elapsed').trim()),
    outDir,
    tmpDir,
    homeDir,
    tarball: tarballs.length === 1 ? path.join(outDir, tarballs[0]) : '',
    pids: read('pids').split('\n').filter((s) => s !== '').map(Number),
  };
}

/** The collector left nothing behind but the tarball: its temporary directory is gone, HOME untouched. */
export function assertLeftNothing(r: CollectorRun): void {
  assert.deepEqual(fs.readdirSync(r.tmpDir), [], 'the collector left files in TMPDIR');
  assert.deepEqual(fs.readdirSync(r.homeDir), [], 'the collector wrote into HOME');
  assert.deepEqual(fs.readdirSync(r.outDir), [path.basename(r.tarball)], 'the output directory holds more than the tarball');
}

// ---- reading and checking a bundle -------------------------------------------------------------

export interface Entry {
  id: string;
  subject?: string;
  argv?: string[];
  source?: string;
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  startedAt?: string;
  durationMs?: number;
  timedOut?: boolean;
  truncated?: boolean;
  bytes?: number;
  skipped?: string;
}

export interface Manifest {
  format: string;
  collector: { name: string; version: string };
  host: { hostname: string; machineId?: string; kernelRelease?: string; arch?: string };
  collectedAt: string;
  collectedAtEpoch: number;
  options: Record<string, unknown>;
  commands: Entry[];
}

export interface Bundle {
  tarball: string;
  dir: string;
  top: string;
  manifest: Manifest;
  /** files other than manifest.json, relative to the top directory */
  files: string[];
  read(rel: string): string;
  entries(id: string): Entry[];
  /** the single entry with this id (and subject) */
  entry(id: string, subject?: string): Entry;
}

function walk(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) out.push(...walk(dir, r));
    else out.push(r);
  }
  return out;
}

/** Checks the archive's shape (name, one top directory, regular files and directories only) and extracts it. */
export function openBundle(tarball: string, into: string): Bundle {
  assert.ok(tarball, 'the collector wrote no tarball');
  const base = path.basename(tarball);
  assert.match(base, /^flannel-diag-[A-Za-z0-9._-]+-\d{8}T\d{6}Z\.tar\.gz$/);
  const top = base.slice(0, -'.tar.gz'.length);
  const seen: { path: string; type: string }[] = [];
  tar.t({
    file: tarball,
    sync: true,
    onReadEntry: (e) => {
      seen.push({ path: e.path, type: e.type });
      e.resume();
    },
  });
  assert.ok(seen.length > 1, 'empty archive');
  for (const e of seen) {
    assert.ok(e.type === 'File' || e.type === 'Directory', `${e.path}: ${e.type} is not allowed in a bundle`);
    assert.ok(e.path === `${top}/` || e.path.startsWith(`${top}/`), `${e.path} is outside ${top}/`);
    assert.ok(!e.path.split('/').includes('..') && !e.path.startsWith('/'), `unsafe path ${e.path}`);
  }
  fs.mkdirSync(into, { recursive: true });
  must('tar', ['-xzf', tarball, '-C', into]);
  const dir = path.join(into, top);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const files = walk(dir).filter((f) => f !== 'manifest.json');
  const entries = (id: string): Entry[] => manifest.commands.filter((c) => c.id === id);
  return {
    tarball,
    dir,
    top,
    manifest,
    files,
    read: (rel) => fs.readFileSync(path.join(dir, rel), 'utf8'),
    entries,
    entry: (id, subject) => {
      const found = entries(id).filter((c) => subject === undefined || c.subject === subject);
      assert.equal(found.length, 1, `expected one ${id}${subject ? ` (${subject})` : ''} entry, got ${JSON.stringify(found)}`);
      return found[0];
    },
  };
}

/** The manifest conforms to bundle-v1 and accounts for every file in the bundle. */
export function checkManifest(b: Bundle): Manifest {
  const m = b.manifest;
  const parsed = ManifestSchema.safeParse(m);
  assert.ok(parsed.success, `manifest does not match the schema: ${parsed.success ? '' : JSON.stringify(parsed.error.issues)}`);
  assert.equal(m.format, 'flannel-diag-bundle/1');
  assert.equal(m.collector.name, 'flannel-diag-collect');
  assert.match(m.collector.version, /^\d+\.\d+\.\d+$/);
  assert.ok(m.host.hostname.length > 0);
  assert.match(m.collectedAt, ISO_UTC);
  assert.ok(Number.isInteger(m.collectedAtEpoch));
  assert.equal(new Date(m.collectedAtEpoch * 1000).toISOString().replace('.000Z', 'Z'), m.collectedAt);
  assert.equal(typeof m.options.etcd, 'boolean');
  assert.equal(typeof m.options.kube, 'boolean');
  assert.equal(typeof m.options.etcdPrefix, 'string');
  assert.equal(typeof m.options.logSince, 'string');
  assert.equal(typeof m.options.timeoutSeconds, 'number');
  const owner = new Map<string, string>();
  const keys = new Set<string>();
  const count = new Map<string, number>();
  for (const c of m.commands) count.set(c.id, (count.get(c.id) ?? 0) + 1);
  for (const c of m.commands) {
    const label = `${c.id}${c.subject ? `(${c.subject})` : ''}`;
    assert.match(c.id, /^[a-z0-9][a-z0-9-]*$/, `bad id ${c.id}`);
    if ((count.get(c.id) ?? 0) > 1) {
      assert.ok(c.subject, `${c.id} repeats, so each entry needs a subject`);
      const key = `${c.id}\0${c.subject}`;
      assert.ok(!keys.has(key), `duplicate entry ${label}`);
      keys.add(key);
    }
    if (c.skipped !== undefined) {
      assert.ok(typeof c.skipped === 'string' && c.skipped.length > 0, `${label}: empty skip reason`);
      assert.equal(c.stdout, undefined, `${label}: skipped entries have no files`);
      assert.equal(c.stderr, undefined, `${label}: skipped entries have no files`);
      assert.equal(c.exitCode, undefined, `${label}: skipped entries did not run`);
      continue;
    }
    assert.ok(Array.isArray(c.argv) && c.argv.length > 0 && c.argv.every((a) => typeof a === 'string'), `${label}: argv`);
    assert.ok(typeof c.stdout === 'string', `${label}: stdout`);
    assert.ok(Number.isInteger(c.exitCode), `${label}: exitCode`);
    assert.match(c.startedAt ?? '', ISO_UTC, `${label}: startedAt`);
    assert.ok(Number.isInteger(c.durationMs) && (c.durationMs ?? -1) >= 0, `${label}: durationMs`);
    assert.equal(typeof c.timedOut, 'boolean', `${label}: timedOut`);
    assert.equal(typeof c.truncated, 'boolean', `${label}: truncated`);
    const full = path.join(b.dir, c.stdout as string);
    assert.ok(fs.existsSync(full), `${label}: ${c.stdout} is missing`);
    assert.equal(c.bytes, fs.statSync(full).size, `${label}: bytes`);
    for (const f of [c.stdout, c.stderr]) {
      if (f === undefined) continue;
      assert.ok(!owner.has(f), `${f} belongs to both ${owner.get(f)} and ${label}`);
      owner.set(f, label);
      assert.ok(fs.existsSync(path.join(b.dir, f)), `${label}: ${f} is missing`);
    }
  }
  for (const f of b.files) assert.ok(owner.has(f), `${f} is not the stdout or stderr of any manifest entry`);
  return m;
}

export const NODE_IDS = [
  'date', 'uname', 'ps', 'flanneld-cmdline', 'flanneld-environ', 'flanneld-version', 'ip-link', 'ip-link-text',
  'ip-addr', 'ip-addr-text', 'ip-route', 'ip-route-text', 'bridge-fdb', 'timedatectl-status', 'timedatectl-show',
  'chronyc-tracking', 'ntpq', 'kernel-config', 'modules', 'modules-builtin', 'sys-module', 'sysctl', 'subnet-env',
  'net-conf', 'flanneld-log',
];
export const ETCD_IDS = [
  'etcd-version', 'etcd-endpoint-status', 'etcd-endpoint-health', 'etcd-get-prefix', 'etcd-lease-list',
  'etcd-lease-ttl', 'etcd-v2-get-config', 'etcd-v2-ls', 'etcd-v2-tree',
];
export const KUBE_IDS = ['kube-nodes', 'kube-flannel-pods', 'kube-flannel-cfg', 'kube-flannel-log'];

/** Every id of bundle-v1 is accounted for: run, failed, or skipped with a reason. */
export function assertAllIds(m: Manifest): void {
  const ids = new Set(m.commands.map((c) => c.id));
  for (const id of [...NODE_IDS, ...ETCD_IDS, ...KUBE_IDS]) assert.ok(ids.has(id), `no manifest entry for ${id}`);
}

/** None of `secrets` occurs anywhere in the archive (names, contents, manifest), raw or JSON-escaped. */
export function assertNoSecrets(b: Bundle, secrets: string[]): void {
  const stream = zlib.gunzipSync(fs.readFileSync(b.tarball));
  for (const s of secrets) {
    const forms = [s, JSON.stringify(s).slice(1, -1)];
    for (const form of forms) {
      if (!stream.includes(Buffer.from(form))) continue;
      const where = ['manifest.json', ...b.files].filter((f) => fs.readFileSync(path.join(b.dir, f)).includes(Buffer.from(form)));
      assert.fail(`secret ${JSON.stringify(s)} is in the bundle: ${where.join(', ') || '(tar headers)'}`);
    }
  }
}
