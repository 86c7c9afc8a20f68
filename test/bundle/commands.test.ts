// commandOutcomes / lookupCommand: every state, subjects, and the fallback to a path.
// Why: "ran and failed", "timed out", "not installed" and "cut off" must stay distinguishable (bundle-v1),
// and reasons quote untrusted bundle text, so they must come out as one clean line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { commandOutcomes, lookupCommand } from '../../src/bundle/commands.js';
import { ManifestSchema, type CommandEntry } from '../../src/bundle/manifest.js';
import type { NodeBundle } from '../../src/bundle/types.js';

function bundle(commands: CommandEntry[], files: Record<string, string | Buffer>): NodeBundle {
  const manifest = ManifestSchema.parse({
    format: 'flannel-diag-bundle/1',
    host: { hostname: 'node-a' },
    collectedAt: '2026-11-26T05:13:06Z',
    commands,
  });
  return {
    input: 'node-a.tar.gz',
    manifest,
    files: new Map(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)])),
    rejected: [],
    problems: [],
    incomplete: false,
  };
}

describe('commandOutcomes', () => {
  const b = bundle(
    [
      { id: 'ps', stdout: 'node/ps.txt', stderr: 'node/ps.stderr.txt', exitCode: 0 },
      { id: 'chronyc-tracking', skipped: 'command not found: chronyc' },
      { id: 'etcd-get-prefix', stdout: 'etcd/get-prefix.json', exitCode: 124, timedOut: true, durationMs: 20000 },
      { id: 'flanneld-log', stdout: 'node/flanneld.log', exitCode: 0, truncated: true },
      { id: 'etcd-v2-get-config', stdout: 'etcd/v2-get-config.json', stderr: 'etcd/v2-get-config.stderr.txt', exitCode: 4 },
      { id: 'ntpq', stdout: 'node/ntpq.txt', stderr: 'node/ntpq.stderr.txt', exitCode: 1 },
      { id: 'kernel-config', stdout: 'node/kernel-config.txt', exitCode: 0 },
      { id: 'flanneld-cmdline', subject: '812', stdout: 'node/flanneld/812/cmdline.txt', exitCode: 0 },
      { id: 'flanneld-cmdline', subject: '913', stdout: 'node/flanneld/913/cmdline.txt', exitCode: 0 },
      { id: 'uname', stdout: 'node/uname.txt', exitCode: null },
      { id: 'date', stdout: 'node/date.txt' },
      { id: 'evil', skipped: '\u001b[31mred\u001b[0m\nsecond line\u202e' },
      { id: 'long', stdout: 'node/long.txt', stderr: 'node/long.stderr.txt', exitCode: 2 },
    ],
    {
      'node/ps.txt': 'PID\n',
      'node/ps.stderr.txt': '',
      'etcd/get-prefix.json': '{"kvs":[',
      'node/flanneld.log': 'newest lines',
      'etcd/v2-get-config.json': '',
      'etcd/v2-get-config.stderr.txt': '\n\u001b[1mError:\u0007  100: Key not found (/coreos.com/network/config) [9]\nmore\n',
      'node/ntpq.txt': '',
      'node/flanneld/812/cmdline.txt': '/opt/bin/flanneld\n--ip-masq\n',
      'node/flanneld/913/cmdline.txt': '/opt/bin/flanneld\n',
      'node/uname.txt': '',
      'node/date.txt': '2026-11-26T05:13:06Z\n',
      'node/long.txt': '',
      'node/long.stderr.txt': 'e'.repeat(1000),
    },
  );
  const o = commandOutcomes(b);
  const one = (id: string) => {
    const list = o.get(id);
    assert.ok(list && list.length === 1, `one outcome for ${id}`);
    return list[0];
  };

  it('ok', () => {
    assert.deepEqual({ ...one('ps'), entry: undefined }, { id: 'ps', state: 'ok', reason: '', file: 'node/ps.txt', entry: undefined });
    assert.equal(one('ps').entry?.stderr, 'node/ps.stderr.txt');
    assert.equal(one('date').state, 'ok'); // no exit code recorded: a copied file
  });

  it('skipped keeps the reason', () => {
    assert.equal(one('chronyc-tracking').state, 'skipped');
    assert.equal(one('chronyc-tracking').reason, 'command not found: chronyc');
    assert.equal(one('chronyc-tracking').file, undefined);
  });

  it('skipped reasons are cleaned of control and bidi characters', () => {
    assert.equal(one('evil').reason, '[31mred[0m second line');
  });

  it('timed out wins over the exit code', () => {
    assert.equal(one('etcd-get-prefix').state, 'timed-out');
    assert.equal(one('etcd-get-prefix').reason, 'timed out after 20000 ms');
  });

  it('truncated', () => {
    assert.equal(one('flanneld-log').state, 'truncated');
    assert.equal(one('flanneld-log').reason, "output cut at the collector's size cap");
  });

  it('failed gives the exit code and the first stderr line, cleaned', () => {
    assert.equal(one('etcd-v2-get-config').state, 'failed');
    assert.equal(one('etcd-v2-get-config').reason, 'exit code 4: [1mError: 100: Key not found (/coreos.com/network/config) [9]');
    assert.equal(one('ntpq').state, 'failed');
    assert.equal(one('ntpq').reason, 'exit code 1'); // stderr file named but not in the bundle
    assert.equal(one('uname').state, 'failed');
    assert.equal(one('uname').reason, 'no exit code (killed?)');
  });

  it('failed reasons are cut at 300 characters of stderr', () => {
    assert.equal(one('long').reason, `exit code 2: ${'e'.repeat(300)}…`);
  });

  it('missing when the stdout file is not in the bundle', () => {
    assert.equal(one('kernel-config').state, 'missing');
    assert.equal(one('kernel-config').reason, 'file node/kernel-config.txt is not in the bundle');
  });

  it('several outcomes per id with subjects, in manifest order', () => {
    const list = o.get('flanneld-cmdline')!;
    assert.deepEqual(list.map((x) => [x.subject, x.state, x.file]), [
      ['812', 'ok', 'node/flanneld/812/cmdline.txt'],
      ['913', 'ok', 'node/flanneld/913/cmdline.txt'],
    ]);
  });

  it('covers every manifest entry', () => {
    const total = [...o.values()].reduce((n, l) => n + l.length, 0);
    assert.equal(total, b.manifest.commands.length);
  });
});

describe('lookupCommand', () => {
  const b = bundle(
    [
      { id: 'ps', stdout: 'node/ps.txt', exitCode: 0 },
      { id: 'ip-link', stdout: 'node/ip-link.json', exitCode: 255 },
      { id: 'bridge-fdb', subject: 'flannel.1', stdout: 'node/bridge-fdb/flannel.1.json', exitCode: 0 },
      { id: 'bridge-fdb', subject: 'flannel.2', stdout: 'node/bridge-fdb/flannel.2.json', exitCode: 0 },
      { id: 'net-conf', stdout: 'node/net-conf.json', exitCode: 0 },
    ],
    {
      'node/ps.txt': Buffer.concat([Buffer.from('\ufeffPID caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
      'node/ip-link.json': 'partial',
      'node/bridge-fdb/flannel.2.json': '[]',
      'node/subnet.env': 'FLANNEL_SUBNET=10.244.1.1/24\n',
    },
  );
  const o = commandOutcomes(b);

  it('finds output by id, decoded as UTF-8 with replacement characters', () => {
    const r = lookupCommand(b, o, 'ps');
    assert.equal(r.outcome.state, 'ok');
    assert.equal(r.text, 'PID caf\ufffd\n');
  });

  it('gives the text of a failed command too, with its state', () => {
    const r = lookupCommand(b, o, 'ip-link');
    assert.equal(r.outcome.state, 'failed');
    assert.equal(r.outcome.reason, 'exit code 255');
    assert.equal(r.text, 'partial');
  });

  it('with subjects, prefers the first entry whose output is there', () => {
    const r = lookupCommand(b, o, 'bridge-fdb');
    assert.equal(r.outcome.subject, 'flannel.2');
    assert.equal(r.text, '[]');
  });

  it('an entry whose file is gone is missing, with no text', () => {
    const r = lookupCommand(b, o, 'net-conf', 'node/net-conf.json');
    assert.equal(r.outcome.state, 'missing');
    assert.equal(r.text, null);
  });

  it('falls back to the path when the manifest has no entry', () => {
    const r = lookupCommand(b, o, 'subnet-env', 'node/subnet.env');
    assert.equal(r.outcome.state, 'ok');
    assert.equal(r.outcome.file, 'node/subnet.env');
    assert.equal(r.outcome.reason, 'no "subnet-env" entry in the manifest; read node/subnet.env');
    assert.equal(r.text, 'FLANNEL_SUBNET=10.244.1.1/24\n');
  });

  it('no entry and no file: not collected', () => {
    for (const fallback of [undefined, 'node/nothing.txt']) {
      const r = lookupCommand(b, o, 'chronyc-tracking', fallback);
      assert.deepEqual(r, {
        outcome: { id: 'chronyc-tracking', state: 'missing', reason: 'not collected (no "chronyc-tracking" entry in the manifest)' },
        text: null,
      });
    }
  });
});
