// Kubernetes-mode scenarios: flanneld crashed (its log from the newest kube-flannel container through crictl,
// the flannel pod found by node name), and flanneld running with a log larger than the cap (newest bytes
// kept, the line the cut falls in dropped, so no half-line escapes redaction) whose --version hangs (the
// version then comes from the pod's image tag).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  type Bundle, type CollectorRun, assertAllIds, assertNoSecrets, buildFakes, checkManifest, createNetns, deleteNetns,
  makeGnuBin, openBundle, q, removeDir, requireTools, runCollector, tempDir, which, writeFile,
} from './harness.js';

const CLI_LINE = (pw: string): string =>
  `I1126 05:13:06.101233       1 main.go:212] CLI flags config: {etcdEndpoints:http://127.0.0.1:4001,http://127.0.0.1:2379 etcdPrefix:/coreos.com/network etcdKeyfile: etcdCertfile: etcdCAFile: etcdUsername: etcdPassword:${pw} version:false kubeSubnetMgr:true}`;

/** A fake kubectl for a kube-flannel pod kube-flannel/kube-flannel-ds-xyz; records its argv. */
function fakeKubectl(calls: string, podLog: string): string {
  return `printf '%s\\n' "$*" >>${q(calls)}
case " $* " in
*" get nodes "* | *" get configmaps "*) echo '{"apiVersion":"v1","items":[],"kind":"List"}' ;;
*" get pods -A -l app=flannel --field-selector=spec.nodeName="*) printf 'kube-flannel kube-flannel-ds-xyz\\n' ;;
*" get pods -A -l app=flannel -o json "*) echo '{"apiVersion":"v1","items":[],"kind":"List"}' ;;
*" get pod -n kube-flannel kube-flannel-ds-xyz "*) printf 'kube-flannel docker.io/flannel/flannel:v0.24.2\\n' ;;
*" logs -n kube-flannel kube-flannel-ds-xyz -c kube-flannel --tail=20000 "*) cat ${q(podLog)} ;;
*) echo "unexpected: $*" >&2; exit 1 ;;
esac
`;
}

describe('Kubernetes-mode scenarios', () => {
  let dir: string;
  let ns: string;
  let kubeconfig: string;
  let podLog: string;
  let fakes: { flanneld: string; k3s: string };

  before(() => {
    requireTools(['ip', 'gcc', 'dash', 'unshare']);
    dir = tempDir('scen');
    ns = createNetns('scen');
    fakes = buildFakes(dir);
    kubeconfig = writeFile(path.join(dir, 'kubeconfig'), 'apiVersion: v1\nkind: Config\n');
    podLog = writeFile(path.join(dir, 'pod.log'), `${CLI_LINE('POD-LOG-SECRET-3')}\nI1126 05:13:07.1 1 main.go:1] pod log line\n`);
  });

  after(() => {
    deleteNetns(ns);
    removeDir(dir);
  });

  describe('flanneld crashed: no process, log from the newest kube-flannel container', () => {
    let r: CollectorRun;
    let b: Bundle;
    let crictlCalls: string;
    let kubectlCalls: string;
    before(() => {
      crictlCalls = path.join(dir, 'crictl.calls');
      kubectlCalls = path.join(dir, 'kubectl1.calls');
      const criLog = writeFile(path.join(dir, 'cri.log'), `${CLI_LINE('CRI-LOG-SECRET-1')}\nE1126 05:13:07.123120 1 main.go:332] Error registering network: failed to acquire lease\n`);
      r = runCollector({
        ns,
        dir,
        shell: [which('dash')],
        bin: makeGnuBin(dir, {
          scripts: {
            crictl: `printf '%s\\n' "$*" >>${q(crictlCalls)}
case " $* " in
*" ps -a --name kube-flannel -q "*) printf 'c0ffee0000000000000000000000000000000000000000000000000000000001\\n0ld0000000000000000000000000000000000000000000000000000000000002\\n' ;;
*" logs "*) cat ${q(criLog)} ;;
*) exit 1 ;;
esac
`,
            kubectl: fakeKubectl(kubectlCalls, podLog),
          },
        }),
        args: ['--kubeconfig', kubeconfig],
      });
      assert.equal(r.code, 0, r.stderr);
      b = openBundle(r.tarball, path.join(dir, 'crashed'));
    });

    test('valid bundle; no flanneld recorded as such', () => {
      assertAllIds(checkManifest(b));
      assert.equal(b.entry('flanneld-cmdline').skipped, 'no flanneld process found');
    });

    test('flanneld-log from crictl, redacted', () => {
      const e = b.entry('flanneld-log');
      assert.equal(e.source, 'crictl logs (newest kube-flannel container)');
      assert.deepEqual(e.argv, ['crictl', 'logs', '--since', '172800s', '--tail', '250000', 'c0ffee0000000000000000000000000000000000000000000000000000000001']);
      const log = b.read('node/flanneld.log');
      assert.match(log, /etcdPassword:<redacted> version:false/);
      assert.match(log, /failed to acquire lease/);
    });

    test('the flannel pod of this node is found by node name; its log is collected', () => {
      const lookup = b.entry('kube-flannel-pod-name');
      assert.match(lookup.argv?.join(' ') ?? '', /get pods -A -l app=flannel --field-selector=spec\.nodeName=\S+ -o jsonpath=/);
      const e = b.entry('kube-flannel-log', 'kube-flannel/kube-flannel-ds-xyz');
      assert.equal(e.exitCode, 0);
      assert.match(b.read('kube/flannel-pod.log'), /etcdPassword:<redacted> version:false/);
      assertNoSecrets(b, ['CRI-LOG-SECRET-1', 'POD-LOG-SECRET-3']);
    });
  });

  describe('flanneld with a log above the cap and a hanging --version', () => {
    let r: CollectorRun;
    let b: Bundle;
    const CAP = 1024 * 1024;
    before(() => {
      // the last MiB starts right after "etcdPass" in the CLI flags line: the kept part of that line,
      // "word:CUT-SECRET-99 ...", no longer names a password and must be dropped whole
      const line = CLI_LINE('CUT-SECRET-99');
      const k = line.indexOf('etcdPassword:') + 'etcdPass'.length;
      const head = `FIRST LINE\n${'I1126 05:00:00.000000 1 filler.go:1] filler\n'.repeat(60_000)}`;
      let tail = '';
      let n = 0;
      while (tail.length < CAP - (line.length + 1 - k) - 100) tail += `I1126 06:00:00.000000 1 later.go:1] later line ${n++}\n`;
      tail += `${'x'.repeat(CAP - (line.length + 1 - k) - tail.length - '\nLAST LINE\n'.length)}\nLAST LINE\n`;
      const content = `${head}${line}\n${tail}`;
      assert.equal(content.length - (head.length + k), CAP, 'the cut must fall inside "etcdPassword"');
      const flanneldLog = writeFile(path.join(dir, 'big.log'), content);
      r = runCollector({
        ns,
        dir,
        shell: [which('dash')],
        bin: makeGnuBin(dir, { scripts: { kubectl: fakeKubectl(path.join(dir, 'kubectl2.calls'), podLog) } }),
        args: ['--log-max-mb', '1', '--kubeconfig', kubeconfig],
        env: { FAKE_VERSION_HANG: '1' },
        background: [
          {
            comm: 'flanneld',
            argv: [fakes.flanneld, '--ip-masq', '--kube-subnet-mgr'],
            env: { POD_NAME: 'kube-flannel-ds-xyz', POD_NAMESPACE: 'kube-flannel', NODE_NAME: 'n1' },
            logFile: flanneldLog,
          },
        ],
      });
      assert.equal(r.code, 0, r.stderr);
      b = openBundle(r.tarball, path.join(dir, 'big'));
    });

    test('valid bundle in Kubernetes mode', () => {
      const m = checkManifest(b);
      assertAllIds(m);
      assert.equal(m.options.flannelMode, 'kube');
      assert.equal(m.options.kube, true);
      assert.match(b.entry('etcd-get-prefix').skipped ?? '', /^not applicable: flanneld runs with --kube-subnet-mgr/);
      assert.equal(b.entry('net-conf').skipped, 'not on the host: /etc/kube-flannel/net-conf.json (kube-flannel keeps it in its ConfigMap, see kube-flannel-cfg)');
    });

    test('the log is capped: newest bytes kept, the cut line dropped, marked truncated', () => {
      const e = b.entry('flanneld-log');
      assert.equal(e.truncated, true);
      assert.deepEqual(e.argv?.slice(0, 3), ['tail', '-c', String(CAP)]);
      const log = b.read('node/flanneld.log');
      assert.ok(log.length <= CAP, `${log.length} bytes`);
      assert.ok(log.endsWith('LAST LINE\n'));
      assert.ok(!log.includes('FIRST LINE'));
      assert.ok(log.startsWith('I1126 06:00:00.000000 1 later.go:1] later line 0\n'), log.slice(0, 200));
      assertNoSecrets(b, ['CUT-SECRET-99']);
    });

    test('flanneld --version hangs: 5 s limit, then the version from the pod image tag', () => {
      const pid = String(r.pids[0]);
      const v = b.entry('flanneld-version', pid);
      assert.equal(v.timedOut, true);
      assert.ok((v.durationMs ?? 0) < 8_000);
      const img = b.entry('flanneld-image', pid);
      assert.equal(img.exitCode, 0);
      assert.equal(b.read(img.stdout as string), 'kube-flannel docker.io/flannel/flannel:v0.24.2\n');
      assert.ok(fs.existsSync(path.join(b.dir, `node/flanneld/${pid}/image.txt`)));
    });
  });
});
