// 5,000 subnet leases (real etcd leases, ids above 2^53): with its default limits the collector looks up
// lease TTLs in parallel, bounded in count and time, so the run takes seconds, not minutes; every lease is in
// the manifest, looked up (file named by its %016x id) or cut (skipped, truncated, with the reason).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  type Bundle, type CollectorRun, type Etcd, buildFakes, checkManifest, createNetns, deleteNetns, hexToDec, makeGnuBin,
  must, openBundle, removeDir, requireTools, runCollector, startEtcd, stopEtcd, tempDir, which, writeFile,
} from './harness.js';

const N = 5000;
const PREFIX = '/coreos.com/network';
const subnetOf = (i: number): string => `10.${100 + Math.floor(i / 250)}.${i % 250}.0-24`;

// Runs inside the namespace: grants N leases and writes N subnet keys through etcd's gRPC gateway,
// 32 requests at a time; prints "subnet lease-id" lines (the gateway returns int64 ids as strings).
const LOADER = `
const [endpoint, n, prefix] = process.argv.slice(1);
const b64 = (s) => Buffer.from(s).toString('base64');
const post = async (p, body) => {
  const r = await fetch(endpoint + p, { method: 'POST', body: JSON.stringify(body) });
  if (!r.ok) throw new Error(p + ': ' + r.status + ' ' + (await r.text()));
  return r.json();
};
const subnet = (i) => '10.' + (100 + Math.floor(i / 250)) + '.' + (i % 250) + '.0-24';
(async () => {
  const out = new Array(Number(n));
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= out.length) return;
      const { ID } = await post('/v3/lease/grant', { TTL: 3600 });
      await post('/v3/kv/put', { key: b64(prefix + '/subnets/' + subnet(i)), value: b64('{"PublicIP":"192.168.0.1"}'), lease: ID });
      out[i] = subnet(i) + ' ' + ID;
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  process.stdout.write(out.join('\\n') + '\\n');
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe(`${N} subnet leases`, () => {
  let dir: string;
  let ns: string;
  let etcd: Etcd | undefined;
  let result: CollectorRun;
  let b: Bundle;
  const leaseOf = new Map<string, string>();
  const OWN = 1234;

  before(async () => {
    requireTools(['ip', 'etcd', 'etcdctl', 'gcc', 'dash', 'unshare']);
    dir = tempDir('leases');
    ns = createNetns('leases');
    etcd = await startEtcd(ns, dir);
    etcd.ctl(['put', `${PREFIX}/config`, '{"Network":"10.0.0.0/8","Backend":{"Type":"vxlan"}}']);
    const out = must('ip', ['netns', 'exec', ns, process.execPath, '-e', LOADER, etcd.endpoint, String(N), PREFIX]);
    for (const line of out.trim().split('\n')) {
      const [subnet, id] = line.split(' ');
      leaseOf.set(subnet, id);
    }
    assert.equal(leaseOf.size, N);
    const fakes = buildFakes(dir);
    const own = subnetOf(OWN).replace('.0-24', '.1/24');
    const subnetFile = writeFile(path.join(dir, 'subnet.env'), `FLANNEL_NETWORK=10.0.0.0/8\nFLANNEL_SUBNET=${own}\n`);
    result = runCollector({
      ns,
      dir,
      shell: [which('dash')],
      bin: makeGnuBin(dir),
      background: [
        { comm: 'flanneld', argv: [fakes.flanneld, `--etcd-endpoints=${etcd.endpoint}`, `--subnet-file=${subnetFile}`] },
      ],
      limitMs: 240_000,
    });
    assert.equal(result.code, 0, result.stderr);
    b = openBundle(result.tarball, path.join(dir, 'extract'));
  });

  after(async () => {
    await stopEtcd(etcd);
    deleteNetns(ns);
    removeDir(dir);
  });

  test('the run takes seconds, not minutes, and the bundle is valid', () => {
    checkManifest(b);
    const opts = b.manifest.options;
    assert.equal(opts.leaseLookupLimit, 2000);
    assert.equal(opts.leaseLookupSeconds, 60);
    // the documented bound for this phase: --lease-time (60 s) on top of the rest of a run
    assert.ok(result.elapsedMs < 90_000, `took ${result.elapsedMs} ms`);
    const lookups = b.entries('etcd-lease-ttl').filter((e) => e.skipped === undefined);
    const durations = lookups.map((e) => Date.parse(e.startedAt as string));
    const span = (Math.max(...durations) - Math.min(...durations)) / 1000;
    assert.ok(span <= 61, `lease look-ups spanned ${span} s`);
  });

  test('every lease is accounted for: looked up, or cut with the reason and truncated', () => {
    const entries = b.entries('etcd-lease-ttl');
    assert.equal(entries.length, N);
    const done = entries.filter((e) => e.skipped === undefined);
    const cut = entries.filter((e) => e.skipped !== undefined);
    assert.ok(done.length >= 200, `only ${done.length} leases looked up`);
    assert.ok(done.length <= 2000);
    for (const e of cut) {
      assert.equal(e.truncated, true, JSON.stringify(e));
      assert.match(e.skipped ?? '', /^lease look-up (limit reached: 2000 of 5000 leases looked up \(--max-leases\)|time budget used up \(--lease-time 60 s\))$/);
    }
    if (done.length === 2000) {
      assert.equal(cut.filter((e) => (e.skipped ?? '').startsWith('lease look-up limit')).length, N - 2000);
    }
    // the node's own lease comes first
    assert.equal(entries[0].subject, BigInt(leaseOf.get(subnetOf(OWN)) as string).toString(16).padStart(16, '0'));
  });

  test('hex file names and decimal ids agree with the ids etcd granted (all above 2^53)', () => {
    const byHex = new Map<string, string>();
    for (const id of leaseOf.values()) byHex.set(BigInt(id).toString(16).padStart(16, '0'), id);
    const prefixJson = b.read('etcd/get-prefix.json');
    for (const id of leaseOf.values()) {
      assert.ok(BigInt(id) > 2n ** 53n);
      assert.ok(prefixJson.includes(`"lease":${id}`), id);
    }
    for (const e of b.entries('etcd-lease-ttl')) {
      const dec = byHex.get(e.subject as string);
      assert.ok(dec, `subject ${e.subject} is not a granted lease`);
      assert.equal(hexToDec(e.subject as string), dec);
      if (e.skipped !== undefined) continue;
      assert.equal(e.exitCode, 0);
      assert.ok(b.read(`etcd/leases/${e.subject}.json`).includes(`"id":${dec},`));
    }
  });
});
