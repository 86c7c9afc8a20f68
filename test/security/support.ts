// Shared pieces of the security tests: a sandbox per hostile run, the real CLI spawned inside it, a
// snapshot of everything around the run (to prove nothing but the requested outputs is written), and
// the healthy fixture bundles as raw material for hostile ones.
//
// Why a sandbox: the promise is "nothing written anywhere but the requested outputs". The CLI runs with
// its cwd, TMPDIR and HOME pointing at empty directories of the sandbox, so anything it (or a library
// it loads) writes by accident lands where the test looks. The inputs live in the sandbox too, so an
// entry extracted "beside" the archive or climbing out of it with `..` would show up in the snapshot.
// This module has no side effects at import: `node --test dist/test/` runs every .js file under test/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ReportSchema, type Report } from '../../src/report/schema.js';
import { repoPath } from '../helpers.js';

export const CLI = repoPath('dist/src/cli/main.js');
export const HEALTHY = repoPath('fixtures/clusters/healthy-etcd');

/** A stack frame as Node prints them (`    at fn (file:1:2)`). */
export const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;

export interface Sandbox {
  root: string;
  /** inputs are built here */
  in: string;
  /** requested outputs go here */
  out: string;
  /** the CLI's working directory */
  cwd: string;
  /** the CLI's TMPDIR and HOME */
  tmp: string;
  home: string;
  cleanup: () => void;
}

export function sandbox(): Sandbox {
  const root = mkdtempSync(path.join(os.tmpdir(), 'flannel-diag-sec-'));
  const sb = { root, in: path.join(root, 'in'), out: path.join(root, 'out'), cwd: path.join(root, 'cwd'), tmp: path.join(root, 'tmp'), home: path.join(root, 'home') };
  for (const d of [sb.in, sb.out, sb.cwd, sb.tmp, sb.home]) mkdirSync(d);
  return {
    ...sb,
    cleanup: () => {
      // a read-only directory made by a test must not make cleanup fail
      spawnSync('chmod', ['-R', 'u+rwx', root]);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export type Snapshot = Map<string, string>;

/** Every path under `dir` (symlinks not followed) with its type, size and mtime. Names as raw bytes
 * (latin1), so that non-UTF-8 names made by a test are listed exactly. */
export function snapshot(dir: string): Snapshot {
  const out: Snapshot = new Map();
  const walk = (d: Buffer, rel: string): void => {
    let names: Buffer[];
    try {
      names = readdirSync(d, { encoding: 'buffer' });
    } catch {
      return; // unreadable (a read-only test directory without x): its listing is not part of the check
    }
    for (const n of names) {
      const p = Buffer.concat([d, Buffer.from('/'), n]);
      const r = rel ? `${rel}/${n.toString('latin1')}` : n.toString('latin1');
      const st = lstatSync(p);
      const kind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : st.isFile() ? 'file' : 'other';
      out.set(r, `${kind}:${kind === 'dir' ? 0 : st.size}:${st.mtimeMs}`);
      if (kind === 'dir') walk(p, r);
    }
  };
  walk(Buffer.from(dir), '');
  return out;
}

/** What changed between two snapshots: paths added, removed, modified. */
export function diffSnapshots(before: Snapshot, after: Snapshot): { added: string[]; removed: string[]; changed: string[] } {
  const added = [...after.keys()].filter((k) => !before.has(k)).sort();
  const removed = [...before.keys()].filter((k) => !after.has(k)).sort();
  const changed = [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k) && !before.get(k)!.startsWith('dir:')).sort();
  return { added, removed, changed };
}

/** Names directly in os.tmpdir() (the real one): checked for entries named after archive members. */
export function tmpNames(): Set<string> {
  return new Set(readdirSync(os.tmpdir()));
}

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** peak resident set size of the CLI process, in MiB */
  maxRssMiB: number;
}

// Preloaded into the CLI: records its peak RSS on exit into a file named by an environment variable
// (outside every watched directory), so memory is measured without changing what the CLI prints.
const RSS_PROBE =
  'data:text/javascript,' +
  encodeURIComponent('import{writeFileSync}from"node:fs";process.on("exit",()=>{const f=process.env.FD_SEC_RSS_FILE;if(f)writeFileSync(f,String(process.resourceUsage().maxRSS))});');

/** The real CLI, inside the sandbox: cwd, TMPDIR and HOME are the sandbox's. */
export function runCli(sb: Sandbox, args: string[], timeoutMs = 120_000, as?: { uid: number; gid: number }): CliRun {
  const rssFile = path.join(sb.root, `rss-${process.pid}-${Date.now()}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [`--import=${RSS_PROBE}`, CLI, ...args], {
    cwd: sb.cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', TMPDIR: sb.tmp, HOME: sb.home, FD_SEC_RSS_FILE: rssFile },
    ...(as ?? {}),
  });
  const ms = performance.now() - t0;
  let maxRssMiB = NaN;
  try {
    maxRssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
    rmSync(rssFile);
  } catch {
    /* killed before exit: status/signal say so */
  }
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms, maxRssMiB };
}

/** The CLI finished on its own (no timeout kill, no crash) and printed no stack trace. */
export function assertCalm(r: CliRun, what: string): void {
  assert.equal(r.signal, null, `${what}: killed by ${r.signal} after ${r.ms.toFixed(0)} ms (hang?)`);
  assert.ok(r.status !== null && [0, 1, 3, 4].includes(r.status), `${what}: exit ${r.status}; stderr: ${r.stderr.slice(0, 500)}`);
  assert.doesNotMatch(r.stderr, STACK_FRAME, `${what}: a stack trace on stderr`);
  assert.doesNotMatch(r.stdout, STACK_FRAME, `${what}: a stack trace on stdout`);
  assert.doesNotMatch(r.stderr, /internal error/i, `${what}: an internal error`);
}

/** Exit 1 with exactly one line on stderr, naming the input. */
export function assertExit1(r: CliRun, what: string, mention?: RegExp): void {
  assertCalm(r, what);
  assert.equal(r.status, 1, `${what}: expected exit 1, got ${r.status}; stderr: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `${what}: stderr is not one line: ${JSON.stringify(r.stderr)}`);
  assert.match(lines[0], /^flannel-diag: /, what);
  if (mention) assert.match(lines[0], mention, what);
}

export interface HostileRun {
  run: CliRun;
  /** the JSON report, when one was written */
  report: Report | null;
  /** paths added under the sandbox root (relative), besides the requested output */
  stray: string[];
}

/**
 * Analyze `inputs` with the real CLI, asking for a JSON report in sb.out, and check the filesystem
 * around the run: only that report may appear, nothing else may change (inputs included), and nothing
 * new in the real os.tmpdir() may be named like one of `entryNames`.
 */
export function analyzeHostile(sb: Sandbox, inputs: string[], opts: { extra?: string[]; entryNames?: string[]; timeoutMs?: number; outputs?: string[] } = {}): HostileRun {
  const outFile = path.join(sb.out, 'report.json');
  const expected = new Set([outFile, ...(opts.outputs ?? [])].map((p) => path.relative(sb.root, p)));
  for (const p of [outFile, ...(opts.outputs ?? [])]) rmSync(p, { force: true });
  const before = snapshot(sb.root);
  const tmpBefore = tmpNames();
  const run = runCli(sb, ['analyze', ...inputs, '-f', 'json', '-o', outFile, ...(opts.extra ?? [])], opts.timeoutMs);
  const after = snapshot(sb.root);
  const d = diffSnapshots(before, after);
  const stray = d.added.filter((p) => !expected.has(p));
  assert.deepEqual(stray, [], `files appeared around the run: ${stray.join(', ')}`);
  assert.deepEqual(d.removed.filter((p) => !expected.has(p)), [], `files disappeared: ${d.removed.join(', ')}`);
  assert.deepEqual(d.changed.filter((p) => !expected.has(p)), [], 'files were modified');
  const tmpNew = [...tmpNames()].filter((n) => !tmpBefore.has(n));
  for (const e of opts.entryNames ?? []) {
    const base = path.basename(e);
    assert.ok(!tmpNew.some((n) => n.includes(base)), `a file named after the entry ${e} appeared in ${os.tmpdir()}`);
  }
  assertCalm(run, inputs.join(' '));
  let report: Report | null = null;
  if (run.status !== 1) {
    report = ReportSchema.parse(JSON.parse(readFileSync(outFile, 'utf8')));
  } else {
    assert.equal(after.has(path.relative(sb.root, outFile)), false, 'exit 1 but a report was written');
  }
  return { run, report, stray };
}

/** The bundle-integrity findings with status fail, as "ruleId: message" lines. */
export function integrityFails(report: Report): string[] {
  return report.findings.filter((f) => f.category === 'bundle-integrity' && f.status === 'fail').map((f) => `${f.ruleId}: ${f.message}`);
}

/** Assert a bundle-integrity fail whose message matches every pattern given. */
export function assertIntegrityFail(report: Report, ...patterns: RegExp[]): void {
  const fails = integrityFails(report);
  assert.ok(fails.length > 0, 'no bundle-integrity fail finding');
  for (const p of patterns) assert.ok(fails.some((f) => p.test(f)), `no bundle-integrity fail matching ${p}:\n${fails.join('\n')}`);
}

// ---- raw material ------------------------------------------------------------------------------

/** The uncompressed tar of a healthy-etcd node bundle (node-a, node-b, node-c), or of another fixture. */
export function healthyTar(node: 'a' | 'b' | 'c', cluster = 'healthy-etcd'): Buffer {
  return gunzipSync(readFileSync(repoPath('fixtures', 'clusters', cluster, `node-${node}.tar.gz`)));
}

/** A tar without its end-of-archive zero blocks, so entries can be appended. */
export function withoutEnd(tarBuf: Buffer): Buffer {
  let end = tarBuf.length;
  while (end >= 512 && tarBuf.subarray(end - 512, end).every((b) => b === 0)) end -= 512;
  return tarBuf.subarray(0, end);
}

/** The single top directory name of a healthy node tar. */
export function topOf(tarBuf: Buffer): string {
  return tarBuf.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '').split('/')[0];
}

/** Unpack a healthy-etcd node bundle into `dir` (tar -xzf -m); returns the bundle's directory. */
export function unpackHealthy(node: 'a' | 'b' | 'c', dir: string): string {
  const r = spawnSync('tar', ['-xzmf', path.join(HEALTHY, `node-${node}.tar.gz`), '-C', dir]);
  assert.equal(r.status, 0, String(r.stderr));
  const top = readdirSync(dir).find((n) => n.startsWith(`flannel-diag-node-${node}`));
  assert.ok(top, 'unpacked bundle directory');
  return path.join(dir, top);
}

/** Every file of a healthy node bundle, by its path inside the bundle (manifest.json included). */
export function healthyFiles(node: 'a' | 'b' | 'c', cluster = 'healthy-etcd'): Map<string, Buffer> {
  const t = healthyTar(node, cluster);
  const files = new Map<string, Buffer>();
  for (let off = 0; off + 512 <= t.length; ) {
    const h = t.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const name = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const prefix = h.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    const full = prefix ? `${prefix}/${name}` : name;
    const size = parseInt(h.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(h[156] || 0x30);
    if (type === '0') files.set(full.split('/').slice(1).join('/'), Buffer.from(t.subarray(off + 512, off + 512 + size)));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** Write a bundle (path -> bytes) as a directory `dir/name`. */
export function writeBundleDir(dir: string, name: string, files: Map<string, Buffer | string>): string {
  const top = path.join(dir, name);
  for (const [rel, data] of files) {
    const p = path.join(top, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, data);
  }
  return top;
}
