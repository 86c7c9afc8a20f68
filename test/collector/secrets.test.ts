// Secrets planted in every place the collector reads must not reach the bundle: flanneld's flags and
// FLANNELD_* variables, the "CLI flags config:" log line, credentials in URLs and bearer tokens in logs, a
// kubeconfig token that a verbose kubectl prints, pod specs and pod logs from the API, and the collector's own
// etcd password (which must reach etcdctl through the environment, never argv). The collector also never
// follows a symbolic link out of a path it copies (subnet.env -> a shadow-like file) and never opens a FIFO.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  type Bundle, type CollectorRun, assertAllIds, assertNoSecrets, buildFakes, checkManifest, createNetns, deleteNetns,
  makeGnuBin, must, openBundle, q, removeDir, requireTools, runCollector, tempDir, which, writeFile,
} from './harness.js';

const S = {
  flag: 'flag password 1 with spaces',
  env: 'ENV-PASSWORD-2',
  envSecret: 'ENV-SECRET-3',
  log: 'LOG-PASSWORD-4',
  logBearer: 'LOG-BEARER-TOKEN-5',
  logUrl: 'URL-PASSWORD-6',
  kubeconfig: 'KUBECONFIG-TOKEN-8',
  kubeBearer: 'KUBE-BEARER-9',
  podEnv: 'POD-ENV-PASSWORD-10',
  podArg: 'POD-ARG-PASSWORD-11',
  podLog: 'POD-LOG-PASSWORD-12',
  etcd: 'ETCD-ENV-PASSWORD-13',
  shadow: 'SHADOW-SECRET-HASH',
};

const PODS = {
  apiVersion: 'v1',
  items: [
    {
      metadata: { name: 'kube-flannel-ds-abc', namespace: 'kube-flannel', labels: { app: 'flannel' } },
      spec: {
        nodeName: 'n1',
        containers: [
          {
            name: 'kube-flannel',
            image: 'docker.io/flannel/flannel:v0.22.0',
            args: ['--ip-masq', `--etcd-password=${S.podArg}`],
            env: [
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'FLANNELD_ETCD_PASSWORD', value: S.podEnv },
              { name: 'EVENT_QUEUE_DEPTH', value: '5000' },
            ],
          },
        ],
      },
    },
  ],
  kind: 'List',
};

describe('no secret from any place the collector reads reaches the bundle', () => {
  let dir: string;
  let ns: string;
  let result: CollectorRun;
  let b: Bundle;
  let subnetLink: string;
  let netConfFifo: string;
  let etcdCalls: string;
  let kubectlCalls: string;

  before(() => {
    requireTools(['ip', 'gcc', 'dash', 'unshare', 'mkfifo']);
    dir = tempDir('secrets');
    ns = createNetns('secrets');
    const fakes = buildFakes(dir);
    const shadow = writeFile(path.join(dir, 'etc', 'shadow'), `root:$6$${S.shadow}:19000:0:99999:7:::\n`, 0o600);
    subnetLink = path.join(dir, 'run', 'flannel', 'subnet.env');
    fs.mkdirSync(path.dirname(subnetLink), { recursive: true });
    fs.symlinkSync(shadow, subnetLink);
    netConfFifo = path.join(dir, 'net-conf.json');
    must('mkfifo', [netConfFifo]);
    const flanneldLog = writeFile(
      path.join(dir, 'flanneld.log'),
      `I1126 05:13:06.101233       1 main.go:212] CLI flags config: {etcdEndpoints:http://127.0.0.1:2379 etcdPrefix:/coreos.com/network etcdKeyfile: etcdCertfile: etcdCAFile: etcdUsername:flannel etcdPassword:${S.log} version:false kubeSubnetMgr:false iface:[] ipMasq:false subnetFile:/run/flannel/subnet.env}\n` +
        `I1126 05:13:06.104511       1 main.go:240] probing https://flannel:${S.logUrl}@10.0.0.5:2379/health\n` +
        `W1126 05:13:07.000001       1 main.go:250] request failed: Authorization: Bearer ${S.logBearer}\n`,
    );
    const kubeconfig = writeFile(
      path.join(dir, 'kubeconfig'),
      `apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: ${S.kubeconfig}\n`,
    );
    const pods = writeFile(path.join(dir, 'pods.json'), `${JSON.stringify(PODS, null, 4)}\n`);
    etcdCalls = path.join(dir, 'etcdctl.calls');
    kubectlCalls = path.join(dir, 'kubectl.calls');
    const record = (file: string): string =>
      `{ printf 'ARGV'; for a in "$@"; do printf ' [%s]' "$a"; done; ` +
      `printf ' ENV user=[%s] password=[%s] api=[%s]\\n' "\${ETCDCTL_USER-}" "\${ETCDCTL_PASSWORD-}" "\${ETCDCTL_API-}"; } >>${q(file)}\n`;
    const bin = makeGnuBin(dir, {
      omit: ['etcdctl', 'curl'],
      scripts: {
        // an etcdctl that answers, and that prints the password it was given through the environment
        etcdctl: `${record(etcdCalls)}case " $* " in
*" endpoint status "*) echo '[{"Endpoint":"http://127.0.0.1:2379","Status":{"version":"3.4.23"}}]' ;;
*" get --prefix "*) echo '{"header":{"cluster_id":1,"member_id":2,"revision":3,"raft_term":4}}'
  echo "warning: auth token \${ETCDCTL_PASSWORD-} accepted for user \${ETCDCTL_USER-}" >&2 ;;
*) echo '{}' ;;
esac
`,
        // a verbose kubectl: the request with its bearer token and the kubeconfig it used go to stderr
        kubectl: `${record(kubectlCalls)}kc=
for a in "$@"; do case $a in --kubeconfig=*) kc=\${a#--kubeconfig=} ;; esac; done
case " $* " in
*" get nodes "*) echo '{"apiVersion":"v1","items":[],"kind":"List"}'
  echo 'I1126 round_trippers.go:466] curl -v -XGET -H "Authorization: Bearer ${S.kubeBearer}" https://10.0.0.1:6443/api/v1/nodes' >&2
  cat "$kc" >&2 ;;
*" get pods -A -l app=flannel -o json "*) cat ${q(pods)} ;;
*" get configmaps "*) echo '{"apiVersion":"v1","items":[],"kind":"List"}' ;;
*" logs -n kube-flannel kube-flannel-ds-abc "*) echo 'I1126 05:13:06.101233 1 main.go:212] CLI flags config: {etcdEndpoints:https://10.0.0.5:2379 etcdUsername:flannel etcdPassword:${S.podLog} version:false kubeSubnetMgr:false}' ;;
*) echo "unexpected: $*" >&2; exit 1 ;;
esac
`,
      },
    });
    result = runCollector({
      ns,
      dir,
      shell: [which('dash')],
      bin,
      args: ['--etcd-user', 'diag', '--kubeconfig', kubeconfig],
      env: { FLANNEL_DIAG_ETCD_PASSWORD: S.etcd },
      background: [
        {
          comm: 'flanneld',
          argv: [
            fakes.flanneld,
            '--etcd-endpoints=http://127.0.0.1:2379',
            '--etcd-username=flannel',
            `--etcd-password=${S.flag}`,
            `--subnet-file=${subnetLink}`,
            `--net-config-path=${netConfFifo}`,
          ],
          env: {
            FLANNELD_ETCD_PASSWORD: S.env,
            FLANNELD_EXTRA_SECRET: S.envSecret,
            POD_NAME: 'kube-flannel-ds-abc',
            POD_NAMESPACE: 'kube-flannel',
            NODE_NAME: 'n1',
          },
          logFile: flanneldLog,
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

  test('valid bundle', () => {
    assertAllIds(checkManifest(b));
    assert.ok(result.elapsedMs < 30_000, `took ${result.elapsedMs} ms (a FIFO must not block the collector)`);
  });

  test('none of the planted secrets is anywhere in the bundle', () => {
    assertNoSecrets(b, Object.values(S));
    // nor a piece of the one with spaces (ps joins argv with spaces)
    assertNoSecrets(b, ['with spaces', 'flag password']);
  });

  test('redacted in place, the rest kept', () => {
    const pid = String(result.pids[0]);
    assert.ok(b.read(`node/flanneld/${pid}/cmdline.txt`).split('\n').includes('--etcd-password=<redacted>'));
    assert.deepEqual(b.read(`node/flanneld/${pid}/environ.txt`).trim().split('\n').sort(), [
      'FLANNELD_ETCD_PASSWORD=<redacted>', 'FLANNELD_EXTRA_SECRET=<redacted>', 'NODE_NAME=n1', 'POD_NAME=kube-flannel-ds-abc',
      'POD_NAMESPACE=kube-flannel',
    ]);
    assert.match(b.read('node/ps.txt'), /flanneld --etcd-endpoints=http:\/\/127\.0\.0\.1:2379 --etcd-username=flannel --etcd-password=<redacted> --subnet-file=/);
    const log = b.read('node/flanneld.log');
    assert.match(log, /etcdUsername:flannel etcdPassword:<redacted> version:false/);
    assert.match(log, /probing https:\/\/<redacted>@10\.0\.0\.5:2379\/health/);
    assert.match(log, /Authorization: Bearer <redacted>$/m);
    const pods = JSON.parse(b.read('kube/flannel-pods.json')) as typeof PODS;
    const c = pods.items[0].spec.containers[0];
    assert.deepEqual(c.args, ['--ip-masq', '--etcd-password=<redacted>']);
    assert.deepEqual(c.env[1], { name: 'FLANNELD_ETCD_PASSWORD', value: '<redacted>' });
    assert.deepEqual(c.env[2], { name: 'EVENT_QUEUE_DEPTH', value: '5000' }, 'only secret variables are redacted');
    assert.match(b.read('kube/flannel-pod.log'), /etcdPassword:<redacted> version:false/);
    const nodesErr = b.read(b.entry('kube-nodes').stderr as string);
    assert.match(nodesErr, /Authorization: Bearer <redacted>"/);
    assert.match(nodesErr, /^ {4}token: <redacted>$/m);
    assert.match(b.read(b.entry('etcd-get-prefix').stderr as string), /warning: auth token <redacted> accepted for user diag/);
  });

  test('the etcd password reaches etcdctl through the environment only', () => {
    const calls = fs.readFileSync(etcdCalls, 'utf8').trim().split('\n');
    assert.ok(calls.length >= 5, calls.join('\n'));
    for (const line of calls) {
      const [argv, env] = line.split(' ENV ');
      assert.ok(!argv.includes(S.etcd) && !argv.includes('ETCD-ENV'), `password on a command line: ${argv}`);
      const api = argv.includes('--total-timeout=') ? '2' : '3'; // v2 commands run as `env ETCDCTL_API=2 etcdctl`
      assert.equal(env, `user=[diag] password=[${S.etcd}] api=[${api}]`);
    }
    for (const line of fs.readFileSync(kubectlCalls, 'utf8').trim().split('\n')) {
      assert.ok(!line.includes('TOKEN') && !line.includes('PASSWORD'), line);
      assert.match(line, /ENV user=\[\] password=\[\]/, 'kubectl does not see the etcd credentials');
    }
  });

  test('symbolic links and FIFOs are not followed or opened', () => {
    assert.equal(b.entry('subnet-env').skipped, `not copied: ${subnetLink} is a symbolic link`);
    assert.equal(b.entry('net-conf').skipped, `not copied: ${netConfFifo} is not a regular file`);
    assert.ok(!b.files.some((f) => f.endsWith('subnet.env')));
  });
});
