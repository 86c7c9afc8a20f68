// A collector that cannot hang: etcd on a closed port, etcd behind a listener that accepts and never
// answers, a kubectl that hangs, a flanneld whose --version hangs; with timeout(1) and with the fallback
// watcher; and the global deadline (--max-time). Each run must end within the bound docs/collector.md states
// (--max-time plus the time to write the archive) and record what failed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import {
  type Bundle, assertAllIds, buildFakes, checkManifest, createNetns, deleteNetns, makeGnuBin, openBundle, randomPort,
  removeDir, requireTools, runCollector, tempDir, which, writeFile,
} from './harness.js';

/** The documented bound: --max-time plus the archive (seconds); the archive of these small bundles takes < 2 s. */
const ARCHIVE_ALLOWANCE_MS = 15_000;

describe('etcd unreachable or unresponsive, hung kubectl and flanneld --version', () => {
  let dir: string;
  let ns: string;
  let listener: ChildProcess | undefined;
  let hungPort: number;
  let fakes: { flanneld: string; k3s: string };
  let kubeconfig: string;
  const hungKubectl = 'trap "" TERM\nsleep 600\n';

  before(async () => {
    requireTools(['ip', 'etcdctl', 'gcc', 'dash', 'unshare', 'timeout']);
    dir = tempDir('fail');
    ns = createNetns('fail');
    fakes = buildFakes(dir);
    kubeconfig = writeFile(path.join(dir, 'kubeconfig'), 'apiVersion: v1\nkind: Config\nclusters: []\n');
    // a TCP listener inside the namespace that accepts connections and never says a word
    hungPort = randomPort();
    listener = spawn('ip', [
      'netns', 'exec', ns, process.execPath, '-e',
      `const s = require('net').createServer(() => {}); s.listen(${hungPort}, '127.0.0.1', () => console.log('listening'));`,
    ], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the silent listener did not start')), 10_000);
      listener!.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('listening')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
  });

  after(() => {
    listener?.kill('SIGKILL');
    deleteNetns(ns);
    removeDir(dir);
  });

  const etcdFailed = (b: Bundle, why: RegExp): void => {
    const status = b.entry('etcd-endpoint-status');
    assert.notEqual(status.exitCode, 0);
    assert.ok((status.durationMs ?? 0) <= 9_000, `endpoint status took ${status.durationMs} ms`);
    assert.match(b.read(status.stderr as string), why);
    assert.notEqual(b.entry('etcd-endpoint-health').exitCode, 0);
    for (const id of ['etcd-get-prefix', 'etcd-lease-list', 'etcd-lease-ttl', 'etcd-v2-get-config', 'etcd-v2-ls', 'etcd-v2-tree']) {
      assert.match(b.entry(id).skipped ?? '', /^etcd unreachable: no endpoint answered/, id);
    }
    assert.equal(b.entry('etcd-version').exitCode, 0);
  };

  test('etcd on a closed port: recorded as failed, the run stays short', () => {
    const closed = randomPort();
    const r = runCollector({
      ns,
      dir,
      shell: [which('dash')],
      bin: makeGnuBin(dir),
      args: ['--etcd-endpoints', `http://127.0.0.1:${closed}`, '--max-time', '60'],
      limitMs: 120_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.elapsedMs < 60_000 + ARCHIVE_ALLOWANCE_MS, `took ${r.elapsedMs} ms`);
    assert.ok(r.elapsedMs < 30_000, `a dead etcd should cost seconds, took ${r.elapsedMs} ms`);
    const b = openBundle(r.tarball, path.join(dir, 'closed'));
    assertAllIds(checkManifest(b));
    etcdFailed(b, /connection refused|context deadline exceeded/);
  });

  test('etcd that never answers, kubectl that hangs, flanneld --version that hangs (timeout(1))', () => {
    const r = runCollector({
      ns,
      dir,
      shell: [which('dash')],
      bin: makeGnuBin(dir, { scripts: { kubectl: hungKubectl } }),
      args: ['--kubeconfig', kubeconfig, '--timeout', '6', '--max-time', '90'],
      env: { FAKE_VERSION_HANG: '1' },
      background: [{ comm: 'flanneld', argv: [fakes.flanneld, `--etcd-endpoints=http://127.0.0.1:${hungPort}`] }],
      limitMs: 150_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.elapsedMs < 90_000 + ARCHIVE_ALLOWANCE_MS, `took ${r.elapsedMs} ms`);
    const b = openBundle(r.tarball, path.join(dir, 'hung'));
    assertAllIds(checkManifest(b));
    etcdFailed(b, /context deadline exceeded/);
    const version = b.entry('flanneld-version', String(r.pids[0]));
    assert.equal(version.timedOut, true);
    assert.ok((version.durationMs ?? 0) >= 4_500 && (version.durationMs ?? 0) < 8_000, `version took ${version.durationMs} ms`);
    const nodes = b.entry('kube-nodes');
    assert.equal(nodes.timedOut, true, 'kubectl get nodes hung: timed out');
    assert.ok((nodes.durationMs ?? 0) < 6_000 + 3_000, `kube-nodes took ${nodes.durationMs} ms`);
    for (const id of ['kube-flannel-pods', 'kube-flannel-cfg']) {
      assert.match(b.entry(id).skipped ?? '', /^Kubernetes API not answering/, id);
    }
    assert.match(b.entry('flanneld-image', String(r.pids[0])).skipped ?? '', /Kubernetes API not answering|no flannel pod/);
    assert.ok(r.elapsedMs < 40_000, `took ${r.elapsedMs} ms`);
  });

  test('without timeout(1): the fallback watcher stops hung commands, and --max-time ends the run', () => {
    // the hung --version and kubectl alone cost 2 x 4 s: a 7 s deadline is always reached, however fast
    // the rest of the run is (at 10 s a quick machine sometimes finished everything first)
    const maxTime = 7;
    const r = runCollector({
      ns,
      dir,
      shell: [which('dash')],
      bin: makeGnuBin(dir, { omit: ['timeout'], scripts: { kubectl: hungKubectl } }),
      args: ['--kubeconfig', kubeconfig, '--timeout', '4', '--max-time', String(maxTime)],
      env: { FAKE_VERSION_HANG: '1' },
      background: [{ comm: 'flanneld', argv: [fakes.flanneld, `--etcd-endpoints=http://127.0.0.1:${hungPort}`] }],
      limitMs: 120_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.elapsedMs < maxTime * 1000 + ARCHIVE_ALLOWANCE_MS, `took ${r.elapsedMs} ms, bound ${maxTime} s + archive`);
    const b = openBundle(r.tarball, path.join(dir, 'fallback'));
    const m = checkManifest(b);
    assertAllIds(m);
    assert.equal(m.options.timeoutCommand, false);
    const version = b.entry('flanneld-version', String(r.pids[0]));
    assert.equal(version.timedOut, true, 'the watcher stopped flanneld --version');
    assert.ok((version.durationMs ?? 0) >= 4_000 && (version.durationMs ?? 0) < 9_000, `version took ${version.durationMs} ms`);
    const deadline = m.commands.filter((c) => (c.skipped ?? '').startsWith('collector deadline reached'));
    assert.ok(deadline.length > 0, 'some commands were skipped at the deadline');
    // every command that ran ended by the deadline (plus the 2 s a stopped command gets to die)
    const start = Date.parse(m.collectedAt);
    for (const c of m.commands.filter((e) => e.startedAt)) {
      const end = Date.parse(c.startedAt as string) + (c.durationMs ?? 0);
      assert.ok(end <= start + (maxTime + 4) * 1000, `${c.id} ran past the deadline`);
    }
  });
});
