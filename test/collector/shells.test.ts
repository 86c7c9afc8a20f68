// The collector under busybox sh with busybox's own tools (ps without lstart/etimes, ip without -j/-d, no
// bridge, no curl), and under dash with tools missing from PATH (no timedatectl, chronyc, etcdctl, kubectl,
// timeout; an ip and a bridge without -j): still a valid bundle, with skipped entries and text fallbacks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  type Bundle, type CollectorRun, type Etcd, assertAllIds, assertLeftNothing, buildFakes, checkManifest, createNetns,
  deleteNetns, grantLease, hexToDec, makeBusyboxBin, makeGnuBin, openBundle, removeDir, requireTools, runCollector,
  setupFlannelNetwork, startEtcd, stopEtcd, tempDir, which, writeFile,
} from './harness.js';

const PREFIX = '/shells/network';

/** An iproute2 older than 4.13: no -j. It also warns on stderr each time, so JSON and text forms both have stderr. */
function oldIproute(tool: string): string {
  return `echo 'Warning: this ${tool} is old' >&2
for a in "$@"; do
  case $a in -j|-json|--json) echo 'Option "-j" is unknown, try "${tool} -help".' >&2; exit 255 ;; esac
done
exec ${which(tool)} "$@"
`;
}

describe('collector under busybox sh and under dash with tools missing', () => {
  let dir: string;
  let ns: string;
  let etcd: Etcd | undefined;
  let fakes: { flanneld: string; k3s: string };
  let subnetFile: string;
  const leases: string[] = [];

  before(async () => {
    requireTools(['ip', 'etcd', 'etcdctl', 'gcc', 'dash', 'busybox', 'unshare', 'curl']);
    dir = tempDir('shells');
    ns = createNetns('shells');
    setupFlannelNetwork(ns);
    etcd = await startEtcd(ns, dir);
    etcd.ctl(['put', `${PREFIX}/config`, '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}']);
    for (const n of [1, 2]) {
      const hex = grantLease(etcd, 600);
      leases.push(hex);
      etcd.ctl(['put', `${PREFIX}/subnets/10.244.${n}.0-24`, `{"PublicIP":"192.168.50.1${n}"}`, `--lease=${hex}`]);
    }
    etcd.ctl2(['set', `${PREFIX}/config`, '{"Network":"10.10.0.0/16"}']);
    fakes = buildFakes(dir);
    subnetFile = writeFile(path.join(dir, 'subnet.env'), 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.2.1/24\n');
  });

  after(async () => {
    await stopEtcd(etcd);
    deleteNetns(ns);
    removeDir(dir);
  });

  describe('busybox sh with busybox ps, ip, awk, sed, tar ...', () => {
    let result: CollectorRun;
    let b: Bundle;
    let started: number;
    before(() => {
      const bin = makeBusyboxBin(dir, { links: { etcdctl: which('etcdctl') } });
      started = Date.now();
      result = runCollector({
        ns,
        dir,
        shell: [which('busybox'), 'sh'],
        bin,
        background: [
          {
            comm: 'flanneld',
            argv: [fakes.flanneld, '--ip-masq'],
            // everything from the environment, as CoreOS' /run/flannel/options.env does it
            env: {
              FLANNELD_ETCD_ENDPOINTS: etcd!.endpoint,
              FLANNELD_ETCD_PREFIX: PREFIX,
              FLANNELD_SUBNET_FILE: subnetFile,
              FLANNELD_IFACE: 'eth0',
            },
          },
        ],
        limitMs: 120_000,
      });
      assert.equal(result.code, 0, result.stderr);
      b = openBundle(result.tarball, path.join(dir, 'bb-extract'));
    });

    test('valid bundle, every id accounted for, nothing left behind', () => {
      const m = checkManifest(b);
      assertAllIds(m);
      assertLeftNothing(result);
      assert.equal(m.options.timeoutCommand, true, 'busybox has timeout');
      assert.equal(m.options.etcdEndpoints, etcd!.endpoint);
      assert.equal(m.options.etcdPrefix, PREFIX);
      assert.equal(m.options.iface, 'eth0');
    });

    test('ps: busybox fallback with start times from /proc/PID/stat', () => {
      const e = b.entry('ps');
      assert.deepEqual(e.argv, ['ps', '-o', 'pid,ppid,args']);
      assert.equal(e.exitCode, 0);
      const lines = b.read('node/ps.txt').split('\n');
      assert.match(lines[0], /^ +PID +PPID +STARTED +ELAPSED +COMMAND$/);
      const row = lines.find((l) => l.includes(`${fakes.flanneld} --ip-masq`));
      assert.ok(row, b.read('node/ps.txt'));
      const m = /^ *(\d+) +(\d+) +(\w{3}) (\w{3}) +(\d+) (\d\d:\d\d:\d\d) (\d{4}) +(\d+) (.*)$/.exec(row);
      assert.ok(m, row);
      const startedAt = Date.parse(`${m[4]} ${m[5]} ${m[7]} ${m[6]} UTC`);
      assert.ok(Math.abs(startedAt - started) < 10_000, `start time ${row} vs ${new Date(started).toISOString()}`);
      assert.equal(new Date(startedAt).toUTCString().slice(0, 3), m[3], 'weekday');
      assert.ok(Number(m[8]) < 60, 'elapsed seconds');
    });

    test('text fallbacks for ip, skipped entries for missing tools', () => {
      assert.notEqual(b.entry('ip-link').exitCode, 0, 'busybox ip has no -j');
      const text = b.entry('ip-link-text');
      assert.deepEqual(text.argv, ['ip', 'link', 'show'], 'busybox ip has no -d either');
      assert.equal(text.exitCode, 0);
      assert.match(b.read('node/ip-link.txt'), /flannel\.1/);
      assert.equal(b.entry('ip-route-text').exitCode, 0);
      assert.match(b.read('node/ip-route.txt'), /10\.244\.2\.0\/24 via 10\.244\.2\.0 dev flannel\.1/);
      assert.equal(b.entry('bridge-fdb', 'flannel.1').skipped, 'command not found: bridge');
      for (const id of ['timedatectl-status', 'timedatectl-show', 'chronyc-tracking', 'ntpq']) {
        assert.match(b.entry(id).skipped ?? '', /^command not found: /, id);
      }
      assert.equal(b.entry('etcd-v2-tree').skipped, 'command not found: curl');
      assert.equal(b.entry('sysctl').argv?.[0], 'sysctl');
      assert.equal(b.entry('flanneld-version').exitCode, 0);
    });

    test('etcd under busybox awk/sed: keys, leases and hex ids', () => {
      assert.equal(b.entry('etcd-get-prefix').exitCode, 0);
      const text = b.read('etcd/get-prefix.json');
      for (const hex of leases) {
        assert.ok(text.includes(`"lease":${hexToDec(hex)}`));
        assert.equal(b.entry('etcd-lease-ttl', hex).exitCode, 0);
        assert.ok(b.read(`etcd/leases/${hex}.json`).includes(`"id":${hexToDec(hex)},`));
      }
      // own subnet (10.244.2.0/24 from subnet.env) first
      assert.equal(b.entries('etcd-lease-ttl')[0].subject, leases[1]);
      assert.match(b.read('etcd/v2-get-config.json'), /10\.10\.0\.0\/16/);
      assert.equal(b.entry('subnet-env').exitCode, 0);
    });
  });

  describe('dash with timedatectl, chronyc, etcdctl, kubectl and timeout missing; ip and bridge without -j', () => {
    let result: CollectorRun;
    let b: Bundle;
    before(() => {
      const bin = makeGnuBin(dir, {
        omit: ['timedatectl', 'etcdctl', 'timeout', 'ip', 'bridge'],
        scripts: { ip: oldIproute('ip'), bridge: oldIproute('bridge') },
      });
      result = runCollector({
        ns,
        dir,
        shell: [which('dash')],
        bin,
        args: ['--kubeconfig', path.join(dir, 'no-such-kubeconfig')],
        background: [
          {
            comm: 'flanneld',
            argv: [fakes.flanneld, `--etcd-endpoints=${etcd!.endpoint}`, `--etcd-prefix=${PREFIX}`, `--subnet-file=${subnetFile}`],
          },
        ],
        limitMs: 120_000,
      });
      assert.equal(result.code, 0, result.stderr);
      b = openBundle(result.tarball, path.join(dir, 'dash-extract'));
    });

    test('valid bundle, every id accounted for', () => {
      const m = checkManifest(b);
      assertAllIds(m);
      assertLeftNothing(result);
      assert.equal(m.options.timeoutCommand, false, 'timeout(1) was absent: the fallback watcher ran');
      assert.ok(result.elapsedMs < 30_000, `took ${result.elapsedMs} ms`);
    });

    test('ip and bridge without -j: the JSON forms fail, the text forms carry the data', () => {
      for (const id of ['ip-link', 'ip-addr', 'ip-route']) {
        const e = b.entry(id);
        assert.equal(e.exitCode, 255, id);
        assert.match(b.read(e.stderr as string), /Option "-j" is unknown/);
        assert.equal(b.entry(`${id}-text`).exitCode, 0);
      }
      assert.deepEqual(b.entry('ip-link-text').argv, ['ip', '-d', 'link', 'show']);
      assert.equal(b.entry('ip-link').stderr, 'node/ip-link.json.stderr.txt');
      assert.equal(b.entry('ip-link-text').stderr, 'node/ip-link.stderr.txt');
      assert.match(b.read('node/ip-link.stderr.txt'), /^Warning: this ip is old\n$/);
      assert.match(b.read('node/ip-link.txt'), /vxlan id 1 local 192\.168\.50\.11/);
      assert.equal(b.entry('bridge-fdb', 'flannel.1').exitCode, 255);
      assert.match(b.read('node/bridge-fdb/flannel.1.txt'), /aa:bb:cc:dd:ee:02 dst 192\.168\.50\.12/);
    });

    test('missing tools are skipped with the reason; curl still reads the v2 store', () => {
      assert.equal(b.entry('timedatectl-status').skipped, 'command not found: timedatectl');
      assert.equal(b.entry('chronyc-tracking').skipped, 'command not found: chronyc');
      for (const id of ['etcd-version', 'etcd-endpoint-status', 'etcd-get-prefix', 'etcd-lease-list', 'etcd-lease-ttl', 'etcd-v2-ls']) {
        assert.equal(b.entry(id).skipped, 'command not found: etcdctl', id);
      }
      const tree = b.entry('etcd-v2-tree');
      assert.equal(tree.exitCode, 0);
      assert.match(b.read('etcd/v2-tree.json'), /"key":"\/shells\/network\/config"/);
      for (const id of ['kube-nodes', 'kube-flannel-pods', 'kube-flannel-cfg', 'kube-flannel-log']) {
        assert.equal(b.entry(id).skipped, 'command not found: kubectl', id);
      }
      // without timeout(1) every command still carries its timing
      for (const c of b.manifest.commands.filter((e) => e.skipped === undefined)) {
        assert.equal(c.timedOut, false, c.id);
        assert.ok((c.durationMs ?? 99999) < 10_000, `${c.id} took ${c.durationMs} ms`);
      }
    });
  });
});
