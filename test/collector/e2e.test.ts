// End to end: a real etcd 3.4 (with auth, v3 leases and v2 keys), a network namespace with flannel's vxlan
// data plane, a fake flanneld with flannel's flags and FLANNELD_* variables, and the collector under dash,
// all in one namespace. The bundle must conform to bundle-v1, record every command it ran, carry the etcd
// data exactly (lease ids as int64 strings, > 2^53), and never the password.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ReportSchema } from '../../src/report/schema.js';
import { repoPath } from '../helpers.js';
import {
  type Bundle, type CollectorRun, type Etcd, assertAllIds, assertLeftNothing, assertNoSecrets, buildFakes,
  checkManifest, createNetns, deleteNetns, grantLease, hexToDec, loggedInvocations, makeGnuBin, openBundle,
  removeDir, requireTools, runCollector, setupFlannelNetwork, startEtcd, stopEtcd, tempDir, which, writeFile,
} from './harness.js';

const PREFIX = '/e2e.test/network';
const PASSWORD = 'E2e-Pw=x:42/Zq"q\\z';
const ROOT_PASSWORD = 'R00t-E2e-pw';
const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('collector end to end (etcd 3.4, netns, fake flanneld, dash)', () => {
  let dir: string;
  let ns: string;
  let etcd: Etcd | undefined;
  let result: CollectorRun;
  let bundle: Bundle;
  let logDir: string;
  const leases: Record<string, string> = {};
  const written = new Map<string, string>();
  let subnetFile: string;

  before(async () => {
    requireTools(['ip', 'etcd', 'etcdctl', 'gcc', 'dash', 'unshare', 'curl', 'bridge']);
    dir = tempDir('e2e');
    ns = createNetns('e2e');
    setupFlannelNetwork(ns);
    etcd = await startEtcd(ns, dir);

    // etcd auth: flanneld's user may read and write the prefix, the collector borrows its credentials
    etcd.ctl(['user', 'add', `root:${ROOT_PASSWORD}`]);
    etcd.ctl(['user', 'grant-role', 'root', 'root']);
    etcd.ctl(['role', 'add', 'flannel']);
    etcd.ctl(['role', 'grant-permission', 'flannel', '--prefix=true', 'readwrite', PREFIX]);
    etcd.ctl(['user', 'add', `flannel:${PASSWORD}`]);
    etcd.ctl(['user', 'grant-role', 'flannel', 'flannel']);
    etcd.ctl(['auth', 'enable']);
    const root = `root:${ROOT_PASSWORD}`;

    const put = (key: string, value: string, lease?: string): void => {
      etcd!.ctl(['put', key, value, ...(lease ? [`--lease=${lease}`] : [])], root);
      if (key.startsWith(PREFIX)) written.set(key, value);
    };
    const sub = (n: number): string =>
      JSON.stringify({ PublicIP: `192.168.50.${10 + n}`, PublicIPv6: null, BackendType: 'vxlan', BackendData: { VNI: 1, VtepMAC: `aa:bb:cc:dd:ee:0${n}` } });
    put(`${PREFIX}/config`, '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}');
    leases.own = grantLease(etcd, 600, root);
    leases.peer = grantLease(etcd, 600, root);
    leases.expiring = grantLease(etcd, 45, root);
    put(`${PREFIX}/subnets/10.244.2.0-24`, sub(2), leases.peer);
    put(`${PREFIX}/subnets/10.244.1.0-24`, sub(1), leases.own);
    put(`${PREFIX}/subnets/10.244.3.0-24`, sub(3), leases.expiring);
    put(`${PREFIX}/subnets/10.244.4.0-24`, sub(4)); // a reservation: no lease, never expires
    put(`${PREFIX}/notes`, 'line1\nline2 "quoted" \\ tab\t end');
    put('/elsewhere/key', 'not flannel');
    // v2 store: separate from v3, invisible to `get --prefix`
    etcd.ctl2(['set', `${PREFIX}/config`, '{"Network":"10.10.0.0/16","Backend":{"Type":"udp"}}']);
    etcd.ctl2(['set', '--ttl', '600', `${PREFIX}/subnets/10.10.5.0-24`, '{"PublicIP":"192.168.50.99"}']);

    // flanneld's files; the subnet file lives in a directory with awkward characters
    subnetFile = writeFile(
      path.join(dir, 'run dir "q" \\x', 'subnet.env'),
      'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n',
    );
    const flanneldLog = writeFile(
      path.join(dir, 'flanneld.log'),
      `I1126 05:13:06.101233       1 main.go:212] CLI flags config: {etcdEndpoints:${etcd.endpoint} etcdPrefix:${PREFIX} etcdKeyfile: etcdCertfile: etcdCAFile: etcdUsername:flannel etcdPassword:${PASSWORD} version:false kubeSubnetMgr:false iface:[eth0] ipMasq:true subnetFile:${subnetFile} subnetLeaseRenewMargin:60}\n` +
        'I1126 05:13:06.104511       1 main.go:232] Created subnet manager: Etcd Local Manager with Previous Subnet: 10.244.1.0/24\n',
    );
    const fakes = buildFakes(dir);
    logDir = path.join(dir, 'invocations');
    const bin = makeGnuBin(dir, {
      omit: ['timedatectl'],
      logDir,
      logTools: ['ps', 'ip', 'bridge', 'sysctl', 'etcdctl', 'curl'],
    });
    result = runCollector({
      ns,
      dir,
      shell: [which('dash')],
      bin,
      args: ['--since', '2h'],
      background: [
        {
          comm: 'flanneld',
          argv: [
            fakes.flanneld,
            `--etcd-endpoints=${etcd.endpoint}`,
            `-etcd-prefix=${PREFIX}`,
            '--etcd-username', 'flannel',
            `--etcd-password=${PASSWORD}`,
            '--iface=eth0',
            '--ip-masq',
            `--subnet-file=${subnetFile}`,
            '--public-ip=192.168.50.11',
          ],
          env: { FLANNELD_ETCD_PASSWORD: PASSWORD, FLANNELD_SUBNET_LEASE_RENEW_MARGIN: '30', NODE_NAME: 'node-a', UNRELATED: 'x' },
          logFile: flanneldLog,
        },
      ],
      limitMs: 120_000,
    });
    assert.equal(result.code, 0, `collector failed: ${result.stderr}`);
    bundle = openBundle(result.tarball, path.join(dir, 'extract'));
  });

  after(async () => {
    await stopEtcd(etcd);
    deleteNetns(ns);
    removeDir(dir);
  });

  test('writes one tarball, prints a one-line summary, leaves nothing else behind', () => {
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, 1, result.stdout);
    assert.match(lines[0], /^flannel-diag-collect: wrote .*flannel-diag-.*\.tar\.gz \(\d+ bytes; \d+ commands: \d+ ok, \d+ failed, \d+ timed out, \d+ skipped; \d+ s\)$/);
    assertLeftNothing(result);
    assert.ok(result.elapsedMs < 60_000, `took ${result.elapsedMs} ms`);
  });

  test('the manifest conforms to bundle-v1 and accounts for every file', () => {
    const m = checkManifest(bundle);
    assertAllIds(m);
    assert.equal(m.options.etcd, true);
    assert.equal(m.options.kube, false);
    assert.equal(m.options.etcdEndpoints, etcd!.endpoint);
    assert.equal(m.options.etcdPrefix, PREFIX);
    assert.equal(m.options.etcdEndpointsSource, 'flanneld');
    assert.equal(m.options.flannelMode, 'etcd');
    assert.equal(m.options.logSince, '2h');
    assert.equal(m.options.timeoutSeconds, 20);
    assert.equal(m.options.iface, 'eth0');
    assert.equal(m.options.subnetFile, subnetFile);
    for (const c of m.commands.filter((e) => e.id.startsWith('kube-'))) assert.match(c.skipped ?? '', /^not applicable/);
    assert.match(bundle.entry('timedatectl-status').skipped ?? '', /^command not found: timedatectl/);
  });

  test('every command the collector ran is recorded with its argv', () => {
    // `env ETCDCTL_API=2 etcdctl ...` is recorded as run; the shim sees the etcdctl that env executes
    const strip = (argv: string[]): string[] => {
      if (argv[0] !== 'env') return argv;
      let i = 1;
      while (i < argv.length && argv[i].includes('=')) i++;
      return argv.slice(i);
    };
    const recorded = new Set(bundle.manifest.commands.filter((c) => c.argv).map((c) => JSON.stringify(strip(c.argv as string[]))));
    const ran = loggedInvocations(logDir);
    assert.ok(ran.length > 10, 'the logging shims saw nothing');
    for (const argv of ran) assert.ok(recorded.has(JSON.stringify(argv)), `ran but not recorded: ${JSON.stringify(argv)}`);
    for (const id of ['etcd-get-prefix', 'etcd-lease-list', 'etcd-endpoint-status', 'etcd-v2-ls']) {
      const argv = strip(bundle.entry(id).argv as string[]);
      assert.ok(ran.some((r) => JSON.stringify(r) === JSON.stringify(argv)), `${id} recorded but never ran`);
    }
  });

  test('the etcd dump decodes to exactly the keys written under the prefix', () => {
    const e = bundle.entry('etcd-get-prefix');
    assert.equal(e.exitCode, 0);
    assert.deepEqual(e.argv?.slice(-5), ['get', '--prefix', PREFIX, '-w', 'json']);
    const text = bundle.read('etcd/get-prefix.json');
    // JSON.parse would round the int64 fields; keys and values are strings, safe to read this way
    const doc = JSON.parse(text) as { kvs: { key: string; value: string }[] };
    const got = new Map(doc.kvs.map((kv) => [Buffer.from(kv.key, 'base64').toString(), Buffer.from(kv.value, 'base64').toString()]));
    assert.deepEqual([...got.keys()].sort(), [...written.keys()].sort());
    for (const [k, v] of written) assert.equal(got.get(k), v, k);
  });

  test('lease ids are int64 strings: decimal in get-prefix.json, %016x file names, as lease grant printed', () => {
    const text = bundle.read('etcd/get-prefix.json');
    for (const hex of Object.values(leases)) {
      const dec = hexToDec(hex);
      assert.ok(BigInt(dec) > 2n ** 53n, `lease ${hex} is not above 2^53: the test would prove nothing`);
      assert.ok(text.includes(`"lease":${dec}`), `get-prefix.json lacks lease ${dec}`);
      const e = bundle.entry('etcd-lease-ttl', hex);
      assert.equal(e.stdout, `etcd/leases/${hex}.json`);
      assert.equal(e.exitCode, 0);
      assert.deepEqual(e.argv?.slice(-6), ['lease', 'timetolive', hex, '--keys', '-w', 'json']);
      const ttl = bundle.read(`etcd/leases/${hex}.json`);
      assert.ok(ttl.includes(`"id":${dec},`), `${hex}.json: ${ttl}`);
    }
    // exactly the three leases attached to keys: the reservation has none
    const files = bundle.files.filter((f) => f.startsWith('etcd/leases/') && f.endsWith('.json'));
    assert.deepEqual(files.sort(), Object.values(leases).map((h) => `etcd/leases/${h}.json`).sort());
    // the node's own lease (10.244.1.0/24 from subnet.env) is looked up first
    assert.equal(bundle.entries('etcd-lease-ttl')[0].subject, leases.own);
    const own = bundle.read(`etcd/leases/${leases.own}.json`);
    assert.ok(own.includes(`"keys":["${b64(`${PREFIX}/subnets/10.244.1.0-24`)}"]`), own);
    const expiring = /"ttl":(-?\d+),"granted-ttl":(\d+)/.exec(bundle.read(`etcd/leases/${leases.expiring}.json`));
    assert.ok(expiring && Number(expiring[1]) > 0 && Number(expiring[1]) <= 45 && expiring[2] === '45');
    const list = bundle.read('etcd/lease-list.json');
    for (const hex of Object.values(leases)) assert.ok(list.includes(`{"id":${hexToDec(hex)}}`), list);
  });

  test('v2 keys, endpoint status and health', () => {
    assert.match(bundle.read('etcd/v2-get-config.json'), /"action":"get".*10\.10\.0\.0\/16/);
    const ls = bundle.read('etcd/v2-ls.txt').trim().split('\n').sort();
    assert.deepEqual(ls, [`${PREFIX}/config`, `${PREFIX}/subnets`, `${PREFIX}/subnets/10.10.5.0-24`]);
    const tree = bundle.read('etcd/v2-tree.json');
    assert.match(tree, /"key":"\/e2e\.test\/network\/subnets\/10\.10\.5\.0-24".*"ttl":\d+/);
    assert.equal(bundle.entry('etcd-v2-tree').argv?.[0], 'curl');
    assert.match(bundle.read('etcd/endpoint-status.json'), /"version":"3\.4\.\d+"/);
    assert.match(bundle.read('etcd/endpoint-health.json'), /"health":true/);
    assert.match(bundle.read('etcd/version.txt'), /etcdctl version: 3\.4/);
  });

  test('flanneld: cmdline, environment, version, subnet.env and log, redacted', () => {
    const pid = String(result.pids[0]);
    const cmdline = bundle.read(`node/flanneld/${pid}/cmdline.txt`).split('\n');
    assert.ok(cmdline.includes('--etcd-password=<redacted>'), cmdline.join('\n'));
    assert.ok(cmdline.includes(`-etcd-prefix=${PREFIX}`));
    assert.ok(cmdline.includes(`--subnet-file=${subnetFile}`));
    const environ = bundle.read(`node/flanneld/${pid}/environ.txt`).trim().split('\n').sort();
    assert.deepEqual(environ, ['FLANNELD_ETCD_PASSWORD=<redacted>', 'FLANNELD_SUBNET_LEASE_RENEW_MARGIN=30', 'NODE_NAME=node-a']);
    assert.equal(bundle.read(`node/flanneld/${pid}/version.txt`).trim(), 'v0.22.0');
    assert.deepEqual(bundle.entry('flanneld-version', pid).argv, [`/proc/${pid}/exe`, '--version']);
    const env = bundle.entry('subnet-env');
    assert.equal(env.source, subnetFile);
    assert.match(bundle.read('node/subnet.env'), /^FLANNEL_SUBNET=10\.244\.1\.1\/24$/m);
    const log = bundle.entry('flanneld-log');
    assert.equal(log.source, path.join(dir, 'flanneld.log'));
    assert.match(bundle.read('node/flanneld.log'), /etcdUsername:flannel etcdPassword:<redacted> version:false/);
    const ps = bundle.read('node/ps.txt');
    assert.match(ps.split('\n')[0], /PID +PPID +STARTED +ELAPSED +COMMAND/);
    assert.match(ps, /flanneld .*--etcd-password=<redacted> --iface=eth0/);
  });

  test('network state: flannel.1, cni0, routes, neighbours, fdb', () => {
    const links = JSON.parse(bundle.read('node/ip-link.json')) as { ifname: string; linkinfo?: { info_kind?: string; info_data?: { id?: number; port?: number } } }[];
    const vx = links.find((l) => l.ifname === 'flannel.1');
    assert.equal(vx?.linkinfo?.info_kind, 'vxlan');
    assert.equal(vx?.linkinfo?.info_data?.port, 8472);
    assert.equal(links.find((l) => l.ifname === 'cni0')?.linkinfo?.info_kind, 'bridge');
    assert.match(bundle.read('node/ip-link.txt'), /vxlan id 1 local 192\.168\.50\.11/);
    const routes = JSON.parse(bundle.read('node/ip-route.json')) as { dst: string; dev: string; gateway?: string }[];
    assert.ok(routes.some((r) => r.dst === '10.244.2.0/24' && r.dev === 'flannel.1' && r.gateway === '10.244.2.0'));
    assert.match(bundle.read('node/ip-addr.txt'), /inet 10\.244\.1\.1\/24/);
    const fdb = bundle.entry('bridge-fdb', 'flannel.1');
    assert.deepEqual(fdb.argv, ['bridge', '-j', 'fdb', 'show', 'dev', 'flannel.1']);
    assert.match(bundle.read('node/bridge-fdb/flannel.1.json'), /"mac":"aa:bb:cc:dd:ee:02","dst":"192\.168\.50\.12"/);
    assert.match(bundle.read('node/ip-neigh.json'), /"dst":"10\.244\.2\.0".*"lladdr":"aa:bb:cc:dd:ee:02"/);
  });

  test('flannel-diag analyze on the bundle reports what was set up', () => {
    const r = spawnSync(process.execPath, [repoPath('dist/src/cli/main.js'), 'analyze', result.tarball, '-f', 'json', '-o', '-'], { encoding: 'utf8' });
    assert.ok(r.status === 0 || r.status === 3, r.stderr);
    const report = ReportSchema.parse(JSON.parse(r.stdout));
    assert.equal(report.cluster.mode, 'etcd');
    assert.equal(report.cluster.nodes, 1);
    assert.equal(report.cluster.network, '10.244.0.0/16');
    assert.equal(report.cluster.backend, 'vxlan');
    assert.deepEqual(report.cluster.flannelVersions, ['v0.22.0']);
    const leases = new Map((report.leases ?? []).map((l) => [l.subnet, l]));
    assert.deepEqual([...leases.keys()].sort(), ['10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24', '10.244.4.0/24']);
    assert.equal(leases.get('10.244.1.0/24')?.state, 'owned', 'the node holds its own lease');
    assert.equal(leases.get('10.244.4.0/24')?.state, 'reservation');
    assert.equal(leases.get('10.244.4.0/24')?.ttlSeconds, null);
    const ttl = leases.get('10.244.1.0/24')?.ttlSeconds ?? 0;
    assert.ok(ttl > 0 && ttl <= 600, `TTL of the node's own lease read from etcd/leases: ${ttl}`);
    // the reservation for 192.168.50.14, which no node has, never expires: a failing stale-lease finding
    const stale = report.findings.filter((f) => f.category === 'stale-lease' && (f.status === 'fail' || f.status === 'warn'));
    assert.ok(stale.some((f) => f.status === 'fail' && f.message.includes('10.244.4.0/24')), stale.map((f) => f.message).join('\n'));
    assert.ok(stale.every((f) => f.evidence.some((e) => e.key?.startsWith(`${PREFIX}/subnets/`))));
    // the config written through v2 only (10.10.0.0/16, udp) is not what flanneld v0.22 reads: no confusion
    assert.ok(!report.findings.some((f) => f.category === 'etcd-config' && f.status === 'fail'));
    assert.ok(!JSON.stringify(report).includes(PASSWORD), 'the password is in no report');
  });

  test('the password and the etcd root password appear nowhere in the bundle', () => {
    assertNoSecrets(bundle, [PASSWORD, ROOT_PASSWORD, 'E2e-Pw=x:42']);
  });
});
