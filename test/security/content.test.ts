// Hostile file contents inside otherwise valid bundles: deeply nested JSON, invalid base64 and non-JSON
// values in the etcd dump, lease ids beyond 64 bits, non-UTF-8 bytes, one enormous line, two bundles
// claiming one hostname, a bundle cut by a cap. Each must give a report that says what it could not
// read (integrity notes, a bundle-integrity finding), never an exception, never a wrong fact.
// In process through analyzeBundles (fast, exact assertions on facts), plus the CLI where time and
// memory are the point.
// Why: parsers and fact builders read attacker-written bytes; a crash loses the whole report, and a
// silently wrong fact (a lease id that wraps onto another lease) misleads the engineer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { NodeBundle } from '../../src/bundle/types.js';
import { analyzeBundles, type PipelineItem } from '../../src/engine/pipeline.js';
import { leaseIdHex, parseEtcdGetJson } from '../../src/parsers/etcd.js';
import { renderReport, REPORT_FORMATS } from '../../src/report/index.js';
import { ReportSchema, type Report } from '../../src/report/schema.js';
import { gz } from '../bundle/kit.js';
import { builtinRules } from './fuzzlib.js';
import { analyzeHostile, assertIntegrityFail, healthyFiles, healthyTar, sandbox, writeBundleDir, type Sandbox } from './support.js';

type Files = Map<string, Buffer>;

function bundleOf(input: string, files: Files): NodeBundle {
  const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as NodeBundle['manifest'];
  const rest = new Map(files);
  rest.delete('manifest.json');
  return { input, manifest, files: rest, rejected: [], problems: [], incomplete: false };
}

/** The whole pipeline in process on bundles given as file maps; the report must be schema-valid and render. */
async function analyze(...bundles: [string, Files][]): Promise<Report> {
  const items = async function* (): AsyncGenerator<PipelineItem> {
    for (const [input, files] of bundles) yield { bundle: bundleOf(input, files) };
  };
  const report = await analyzeBundles(items(), builtinRules(), { toolVersion: '0.0.0', now: () => new Date('2026-11-26T06:00:00Z') });
  ReportSchema.parse(JSON.parse(JSON.stringify(report)));
  for (const f of REPORT_FORMATS) assert.ok(renderReport(report, f).length > 0);
  return report;
}

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

/** The healthy etcd dump of node-a with its kvs edited. */
function editDump(files: Files, edit: (kvs: Record<string, unknown>[]) => void): void {
  // int64 fields quoted first so that ids survive the round trip exactly
  const text = files.get('etcd/get-prefix.json')!.toString('utf8').replace(/"(lease|cluster_id|member_id|revision|raft_term|create_revision|mod_revision|version)":(\d+)/g, '"$1":"$2"');
  const doc = JSON.parse(text) as { kvs: Record<string, unknown>[] };
  edit(doc.kvs);
  files.set('etcd/get-prefix.json', Buffer.from(JSON.stringify(doc).replace(/"(lease|cluster_id|member_id|revision|raft_term|create_revision|mod_revision|version)":"(-?\d+)"/g, '"$1":$2')));
}

const keyOf = (kv: Record<string, unknown>): string => Buffer.from(String(kv.key), 'base64').toString('utf8');

function notesText(report: Report): string {
  return (report.integrity ?? []).map((n) => `${n.file ?? ''}: ${n.message}`).join('\n');
}

describe('hostile contents (in process)', () => {
  it('deeply nested JSON in every JSON file: parse issues, no stack overflow', async () => {
    const files = healthyFiles('a');
    const deepArray = '['.repeat(300_000) + ']'.repeat(300_000);
    const deepObject = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    const jsonFiles = [...files.keys()].filter((f) => f.endsWith('.json') && f !== 'manifest.json');
    assert.ok(jsonFiles.length >= 8, jsonFiles.join(' '));
    jsonFiles.forEach((f, i) => files.set(f, Buffer.from(i % 2 ? deepArray : deepObject)));
    // and inside the etcd dump: a lease value (JSON inside base64) nested deep
    // a second node-a (renamed) whose etcd dump holds deep values
    const b = healthyFiles('a');
    b.set('manifest.json', Buffer.from(b.get('manifest.json')!.toString('utf8').replace('"hostname":"node-a"', '"hostname":"node-x"')));
    editDump(b, (kvs) => {
      kvs[1].value = b64(deepObject);
      kvs[0].value = b64(deepArray); // the network config
    });
    const report = await analyze(['a.tar.gz', files], ['b.tar.gz', b]);
    assert.match(notesText(report), /nesting deeper than 256 levels/);
  });

  it('invalid base64 and non-JSON values in the etcd dump are issues, never crashes or guesses', async () => {
    const files = healthyFiles('a');
    editDump(files, (kvs) => {
      kvs[1].key = '!!!not base64!!!'; // entry skipped
      kvs[2].value = 'eyJQdWJsaWNJUCI6'.slice(0, 15); // not a multiple of 4
      kvs[3].value = b64('{"PublicIP": "192.168.50.13", "BackendType": '); // cut JSON
      kvs.push({ key: b64('/coreos.com/network/subnets/10.244.9.0-24'), value: b64(Buffer.from([0xff, 0xfe, 0x7b, 0x22])), lease: '7587876021943127311' });
      kvs.push({ key: b64('/coreos.com/network/subnets/10.244.8.0-24'), value: b64('"just a string"'), lease: '7587876021943127311' });
      kvs.push({ key: b64('/coreos.com/network/subnets/10.244.7.0-24'), value: b64('{"PublicIP": {"toString": 1}, "BackendType": ["vxlan"]}'), lease: '7587876021943127311' });
    });
    const report = await analyze(['a.tar.gz', files]);
    const notes = notesText(report);
    assert.match(notes, /\/kvs\/1\/key: invalid base64; entry skipped/);
    assert.match(notes, /\/kvs\/2\/value: invalid base64/);
    const leases = report.leases ?? [];
    for (const subnet of ['10.244.3.0/24', '10.244.9.0/24', '10.244.8.0/24', '10.244.7.0/24']) {
      const row = leases.find((l) => l.subnet === subnet);
      assert.ok(row, `lease row for ${subnet}`);
      assert.equal(row.ownerIp, null, `${subnet}: no owner guessed from a broken value`);
      assert.equal(row.state, 'invalid value');
    }
    // the broken network config makes the config rule say so, not crash
    const cfg = healthyFiles('a');
    editDump(cfg, (kvs) => (kvs[0].value = b64('{"Network": "10.244.0.0/16", "Backend": {"Type": "vxlan"')));
    const r2 = await analyze(['a.tar.gz', cfg]);
    assert.ok(r2.findings.some((f) => f.category === 'etcd-config' && (f.status === 'fail' || f.status === 'warn')), 'a finding about the invalid config');
  });

  it('lease ids beyond 64 bits are refused, never wrapped onto another lease', async () => {
    // 2^64 + an existing lease id: BigInt.asUintN(64, ...) would turn it into that lease's hex id
    const existing = 7587876021943127298n; // 694d8d0a279fcd02, the lease of 10.244.2.0/24 in node-a
    const wrapped = (existing + 2n ** 64n).toString();
    for (const v of [wrapped, '18446744073709551616', '99999999999999999999', '-9223372036854775809', '123456789012345678901234567890']) {
      assert.equal(leaseIdHex(v), null, `leaseIdHex(${v})`);
      const p = parseEtcdGetJson(`{"kvs":[{"key":"${b64('/k')}","value":"","lease":${v}}]}`, 'x');
      assert.equal(p.value.kvs[0]?.lease ?? null, null, `lease ${v} kept`);
      assert.ok(p.issues.some((i) => /lease/.test(i.message)), `no issue for lease ${v}`);
    }
    // the largest 64-bit values still work
    assert.equal(leaseIdHex('18446744073709551615'), 'ffffffffffffffff');
    assert.equal(leaseIdHex('9223372036854775807'), '7fffffffffffffff');
    assert.equal(leaseIdHex('-1'), 'ffffffffffffffff');

    const files = healthyFiles('a');
    editDump(files, (kvs) => {
      const kv = kvs.find((k) => keyOf(k).endsWith('10.244.2.0-24'))!;
      kv.lease = wrapped;
    });
    const report = await analyze(['a.tar.gz', files]);
    const row = (report.leases ?? []).find((l) => l.subnet === '10.244.2.0/24');
    assert.ok(row);
    assert.equal(row.ttlSeconds, null, "the TTL of lease 694d8d0a279fcd02 was given to a key that doesn't hold it");
    assert.match(notesText(report), new RegExp(`lease: not an exact integer: ${wrapped.slice(0, 10)}`));
  });

  it('non-UTF-8 bytes in names and contents become U+FFFD, never raw bytes in a report', async () => {
    const files = healthyFiles('a');
    const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
    files.set('node/flanneld.log', Buffer.concat([files.get('node/flanneld.log')!, latin1('Nov 26 05:00:00 node-a flanneld[812]: E1126 05:00:00.000000     812 main.go:1] failed to find IPv4 address for interface eth\xe9\xff\xfe\n')]));
    files.set('node/subnet.env', latin1('FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\xff\nFLANNEL_MTU=14\xe950\n'));
    files.set('node/ps.txt', Buffer.concat([files.get('node/ps.txt')!, latin1('  999     1 Thu Nov 26 05:00:00 2026    10 /usr/bin/caf\xe9 --x=\xff\n')]));
    files.set('node/ip-link.json', Buffer.from(files.get('node/ip-link.json')!.toString('utf8').replace('"eth0"', '"eth0\\udc80"').replace('"lo"', '"l\xc3o"')));
    const report = await analyze(['a.tar.gz', files]);
    // the bytes reached the report, replaced: U+FFFD, and no raw C0/C1 byte in any format
    const json = renderReport(report, 'json');
    assert.ok(json.includes('\ufffd'), 'invalid bytes became U+FFFD');
    for (const f of ['text', 'md', 'html'] as const) assert.equal(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(renderReport(report, f)), false, `${f}: control characters`);
  });

  it('two bundles claiming one hostname: the newest wins, the report says which was superseded', async () => {
    const older = healthyFiles('a');
    const newer = healthyFiles('a');
    const m = JSON.parse(newer.get('manifest.json')!.toString('utf8')) as Record<string, unknown>;
    m.collectedAt = '2026-11-26T06:13:06Z';
    m.collectedAtEpoch = Number(m.collectedAtEpoch ?? 0) + 3600;
    newer.set('manifest.json', Buffer.from(JSON.stringify(m)));
    // and a third that claims node-a's name while holding node-b's data
    const impostor = healthyFiles('b');
    const mb = JSON.parse(impostor.get('manifest.json')!.toString('utf8')) as { host: { hostname: string }; collectedAt: string };
    mb.host.hostname = 'node-a';
    mb.collectedAt = '2026-11-26T04:00:00Z';
    impostor.set('manifest.json', Buffer.from(JSON.stringify(mb)));
    const report = await analyze(['old.tar.gz', older], ['new.tar.gz', newer], ['impostor.tar.gz', impostor]);
    assert.equal(report.cluster.nodes, 1);
    const byPath = new Map(report.inputs.map((i) => [i.path, i]));
    assert.equal(byPath.get('old.tar.gz')?.supersededBy, 'new.tar.gz');
    assert.equal(byPath.get('impostor.tar.gz')?.supersededBy, 'new.tar.gz');
    assert.equal(byPath.get('new.tar.gz')?.supersededBy, null);
    const said = JSON.stringify([report.notes, report.integrity, report.findings.map((f) => f.message)]);
    assert.match(said, /old\.tar\.gz/, 'the report names the superseded bundle');
  });
});

describe('hostile contents (CLI)', { timeout: 300_000 }, () => {
  let sb: Sandbox;
  before(() => {
    sb = sandbox();
  });
  after(() => sb.cleanup());

  it('a single enormous line (60 MB, no newline) is skipped with a note, in bounded time and memory', () => {
    // as a directory bundle: a repetitive line would trip the gzip ratio cap before being read
    const files = healthyFiles('a');
    files.set('node/flanneld.log', Buffer.alloc(60 * 1024 * 1024, 'failed to find IPv4 address for interface '));
    const p = writeBundleDir(sb.in, 'huge-line', files);
    const r = analyzeHostile(sb, [p], { timeoutMs: 180_000 });
    assert.ok(r.report, r.run.stderr);
    assert.match(notesText(r.report), /line is 62914560 characters long \(limit 65536\); skipped/);
    assert.ok(r.run.maxRssMiB < 1024, `peak RSS ${r.run.maxRssMiB.toFixed(0)} MiB`);
  });

  it('a cap hit part-way: analyzed as far as read, the report names the cap and what was lost', () => {
    const p = path.join(sb.in, 'capped.tar.gz');
    writeFileSync(p, gz(healthyTar('a')));
    const r = analyzeHostile(sb, [p], { extra: ['--max-entries', '40'] });
    assert.ok(r.report, r.run.stderr);
    assertIntegrityFail(r.report, /stopped at 41 entries \(cap --max-entries 40\)/);
    assert.ok((r.report.integrity ?? []).some((n) => n.state === 'missing' && /is not in the bundle/.test(n.message)), 'lost files listed');
  });
});
