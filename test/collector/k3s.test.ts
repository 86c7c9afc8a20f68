// A k3s-style node (embedded flannel): no flanneld process, a `k3s server` process with --flannel-* flags and a
// token, a k3s config file holding tokens, a net-conf file, and flannel's lines in the k3s unit's journal.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  type Bundle, type CollectorRun, assertAllIds, assertLeftNothing, assertNoSecrets, buildFakes, checkManifest, createNetns,
  deleteNetns, makeGnuBin, openBundle, removeDir, requireTools, runCollector, setupFlannelNetwork, tempDir, which, writeFile,
} from './harness.js';

const TOKENS = {
  flag: 'K3S-FLAG-TOKEN-2b8c',
  env: 'K3S-ENV-TOKEN-4e6d',
  config: 'K3S-CONFIG-TOKEN-7f3a',
  agent: 'K3S-AGENT-TOKEN-91c2',
  s3: 'S3-SECRET-5d1e',
  db: 'DB-PASS-77x',
};
const NET_CONF = '{\n  "Network": "10.42.0.0/16",\n  "EnableIPv6": false,\n  "Backend": {\n    "Type": "vxlan"\n  }\n}\n';
const JOURNAL = [
  'Nov 26 05:13:06 edge-1 k3s[812]: time="2026-11-26T05:13:06Z" level=info msg="Starting flannel with backend vxlan"',
  'Nov 26 05:13:06 edge-1 k3s[812]: I1126 05:13:06.104511     812 kube.go:139] Waiting 10m0s for node controller to sync',
  'Nov 26 05:13:07 edge-1 k3s[812]: I1126 05:13:07.122850     812 kube.go:146] Node controller sync successful',
  'Nov 26 05:13:07 edge-1 k3s[812]: time="2026-11-26T05:13:07Z" level=info msg="Flannel found PodCIDR assigned for node edge-1"',
  'Nov 26 05:13:07 edge-1 k3s[812]: I1126 05:13:07.123017     812 vxlan.go:141] VXLAN config: VNI=1 Port=0 GBP=false Learning=false DirectRouting=false',
];

describe('k3s node with embedded flannel', () => {
  let dir: string;
  let ns: string;
  let result: CollectorRun;
  let b: Bundle;
  let config: string;
  let dataDir: string;
  let journalCalls: string;

  before(() => {
    requireTools(['ip', 'gcc', 'dash', 'unshare']);
    dir = tempDir('k3s');
    ns = createNetns('k3s');
    setupFlannelNetwork(ns);
    const fakes = buildFakes(dir);
    config = writeFile(
      path.join(dir, 'etc', 'rancher', 'k3s', 'config.yaml'),
      `# k3s server configuration\ntoken: "${TOKENS.config}"\nagent-token: ${TOKENS.agent}\nflannel-backend: vxlan\n` +
        `cluster-cidr: 10.42.0.0/16\netcd-s3-secret-key: '${TOKENS.s3}'\nnode-label:\n  - "tier=edge"\n`,
    );
    writeFile(path.join(dir, 'etc', 'rancher', 'k3s', 'config.yaml.d', '10-db.yaml'), `datastore-endpoint: "postgres://k3s:${TOKENS.db}@db:5432/k3s"\n`);
    dataDir = path.join(dir, 'var', 'lib', 'rancher', 'k3s');
    writeFile(path.join(dataDir, 'agent', 'etc', 'flannel', 'net-conf.json'), NET_CONF);
    journalCalls = path.join(dir, 'journalctl.calls');
    // a journalctl that knows one unit, k3s.service, and records how it was called
    const journal = writeFile(path.join(dir, 'journal.txt'), `${JOURNAL.join('\n')}\n`);
    const bin = makeGnuBin(dir, {
      scripts: {
        journalctl: `printf '%s ' "$@" >>${JSON.stringify(journalCalls)}; echo >>${JSON.stringify(journalCalls)}
unit=
while [ $# -gt 0 ]; do case $1 in -u) unit=$2; shift ;; esac; shift; done
[ "$unit" = k3s.service ] || exit 0
case " $(tail -n 1 ${JSON.stringify(journalCalls)}) " in
*" -n 1 "*) tail -n 1 ${JSON.stringify(journal)} ;;
*) cat ${JSON.stringify(journal)} ;;
esac
`,
      },
      links: { k3s: fakes.k3s },
    });
    result = runCollector({
      ns,
      dir,
      shell: [which('dash')],
      bin,
      background: [
        {
          comm: 'k3s',
          argv: [
            fakes.k3s, 'server',
            '--flannel-backend=vxlan',
            '--flannel-iface', 'eth0',
            `--token=${TOKENS.flag}`,
            '--config', config,
            '-d', dataDir,
            '--cluster-cidr=10.42.0.0/16',
          ],
          env: { K3S_TOKEN: TOKENS.env, K3S_NODE_NAME: 'edge-1', UNRELATED: 'x' },
        },
      ],
      limitMs: 120_000,
    });
    assert.equal(result.code, 0, result.stderr);
    b = openBundle(result.tarball, path.join(dir, 'extract'));
  });

  after(() => {
    deleteNetns(ns);
    removeDir(dir);
  });

  test('valid bundle; recorded as embedded flannel; no flanneld is normal', () => {
    const m = checkManifest(b);
    assertAllIds(m);
    assertLeftNothing(result);
    const pid = String(result.pids[0]);
    assert.equal(m.options.flannelMode, 'embedded-k3s');
    assert.deepEqual(m.options.k3sPids, [pid]);
    assert.deepEqual(m.options.flanneldPids, []);
    for (const id of ['flanneld-cmdline', 'flanneld-environ', 'flanneld-version']) {
      assert.match(b.entry(id).skipped ?? '', new RegExp(`^not applicable: no flanneld process; flannel is embedded in k3s \\(PID ${pid}\\)`), id);
    }
    for (const c of m.commands.filter((e) => e.id.startsWith('etcd-'))) {
      assert.match(c.skipped ?? '', /^not applicable: flannel is embedded in k3s/, c.id);
    }
  });

  test('k3s process: flags with the token redacted, environment, version', () => {
    const pid = String(result.pids[0]);
    const cmdline = b.read(`node/k3s/${pid}/cmdline.txt`).split('\n');
    assert.ok(cmdline.includes('--token=<redacted>'), cmdline.join('\n'));
    assert.ok(cmdline.includes('--flannel-backend=vxlan'));
    assert.deepEqual(cmdline.slice(cmdline.indexOf('--flannel-iface'), cmdline.indexOf('--flannel-iface') + 2), ['--flannel-iface', 'eth0']);
    assert.deepEqual(b.read(`node/k3s/${pid}/environ.txt`).trim().split('\n').sort(), ['K3S_NODE_NAME=edge-1', 'K3S_TOKEN=<redacted>']);
    assert.match(b.read(`node/k3s/${pid}/version.txt`), /^k3s version v1\.28\.5\+k3s1/);
  });

  test('k3s config (and config.yaml.d) with secrets redacted; net-conf from the data dir', () => {
    const e = b.entry('k3s-config');
    assert.equal(e.source, config);
    assert.equal(e.stdout, 'node/k3s-config.yaml');
    const yaml = b.read('node/k3s-config.yaml');
    assert.equal(
      yaml,
      '# k3s server configuration\ntoken: "<redacted>"\nagent-token: <redacted>\nflannel-backend: vxlan\n' +
        "cluster-cidr: 10.42.0.0/16\netcd-s3-secret-key: '<redacted>'\nnode-label:\n  - \"tier=edge\"\n",
    );
    assert.equal(b.read(b.entry('k3s-config-d', '10-db.yaml').stdout as string), 'datastore-endpoint: "postgres://<redacted>@db:5432/k3s"\n');
    const nc = b.entry('net-conf');
    assert.equal(nc.source, path.join(dataDir, 'agent', 'etc', 'flannel', 'net-conf.json'));
    assert.equal(b.read('node/net-conf.json'), NET_CONF);
  });

  test("flanneld-log comes from the k3s unit's journal", () => {
    const e = b.entry('flanneld-log');
    assert.match(e.source ?? '', /^journalctl -u k3s\.service \(k3s unit; flannel is embedded in k3s\)/);
    assert.deepEqual(e.argv, ['journalctl', '-u', 'k3s.service', '--since=-172800s', '-n', '250000', '--no-pager']);
    assert.equal(b.read('node/flanneld.log'), `${JOURNAL.join('\n')}\n`);
    assert.match(fs.readFileSync(journalCalls, 'utf8'), /-u k3s\.service -n 1 -q --no-pager/);
  });

  test('Kubernetes data through `k3s kubectl`; no kube-flannel pod on such a node', () => {
    const nodes = b.entry('kube-nodes');
    assert.deepEqual(nodes.argv?.slice(0, 2), ['k3s', 'kubectl']);
    assert.equal(nodes.exitCode, 1, 'the fake k3s has no API server');
    assert.match(b.entry('kube-flannel-log').skipped ?? '', /^not applicable: flannel is embedded in k3s/);
  });

  test('no token or password anywhere in the bundle', () => {
    assertNoSecrets(b, Object.values(TOKENS));
  });
});
