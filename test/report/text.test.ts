import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderText } from '../../src/report/text.js';
import { sampleReport } from './sample-report.js';

// The only escape sequences text.ts may write (its SGR palette).
const OUR_SGR = ['\u001b[0m', '\u001b[1m', '\u001b[2m', '\u001b[1;31m', '\u001b[1;33m', '\u001b[1;32m', '\u001b[36m'];
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function stripOurSgr(s: string): string {
  let out = s;
  for (const code of OUR_SGR) out = out.split(code).join('');
  return out;
}

describe('text summary', () => {
  it('has no escape or control character from values without colour', () => {
    const text = renderText(sampleReport(), { color: false });
    assert.equal(text.includes('\u001b'), false, 'no ESC byte');
    assert.equal(CONTROL.test(text), false, 'no control character but newline');
    assert.ok(text.includes('RED'), 'the text of an SGR-coloured value is kept');
    assert.ok(text.includes('link') && !text.includes('8;;'), 'an OSC 8 hyperlink keeps its text, not its target');
  });

  it('with colour, writes only its own SGR codes', () => {
    const plain = renderText(sampleReport(), { color: false });
    const coloured = renderText(sampleReport(), { color: true });
    assert.notEqual(coloured, plain);
    const sequences = coloured.match(/\u001b[^a-zA-Z]*[a-zA-Z]/g) ?? [];
    assert.ok(sequences.length > 0);
    for (const seq of sequences) assert.ok(OUR_SGR.includes(seq), `unexpected escape sequence ${JSON.stringify(seq)}`);
    const stripped = stripOurSgr(coloured);
    assert.equal(stripped.includes('\u001b'), false, 'no ESC left once our codes are removed');
    assert.equal(stripped, plain, 'colour changes nothing but the SGR codes');
  });

  it('gives the verdict with counts, then fail and warn findings with their first evidence', () => {
    const text = renderText(sampleReport(), { color: false });
    const lines = text.split('\n');
    assert.equal(lines[0], 'flannel-diag 1.0.0: FAIL Problems found (2 fail, 2 warn, 6 pass, 2 not checked, 3 not applicable)');
    const i1 = text.indexOf('FAIL  etcd.stale-subnet-lease');
    const i2 = text.indexOf('FAIL  lease.public-ip-conflict');
    const i3 = text.indexOf('WARN  clock.offset  [node-b]');
    assert.ok(i1 > 0 && i2 > i1 && i3 > i2, 'fail findings in report order, then warnings');
    assert.ok(text.includes('evidence: node-a.tar.gz:etcd/get-prefix.json:12 key /coreos.com/network/subnets/10.244.5.0-24'));
    assert.ok(text.includes('evidence: absent: looked for') === false, 'only the first evidence item');
    assert.ok(text.includes('evidence: cluster.tar.gz!node-b.tar.gz:host/timedatectl.txt:4'));
    assert.ok(!text.includes('iface.up'), 'passing findings are not listed');
  });

  it('lists each skipped rule with its reason, and the integrity notes count', () => {
    const text = renderText(sampleReport(), { color: false });
    assert.ok(text.includes('Not checked:'));
    assert.ok(text.includes('  SKIP  kube.podcidr-outside-network: The node objects were not collected (kubectl not installed) [click](javascript:alert(1)) (missing: kube/nodes.json, <script>window.__pwned=1</script>)'));
    assert.ok(text.includes('  SKIP  etcd.api-version-mismatch: '));
    assert.ok(text.includes('Bundle integrity: 3 notes'));
  });

  it('keeps every finding on its own lines (newlines in values are flattened)', () => {
    const text = renderText(sampleReport(), { color: false });
    assert.ok(text.includes('ip -d link timed out on first line second line'));
    for (const line of text.split('\n')) assert.ok(!line.startsWith('second line'), line);
  });

  it('as the short summary, shows the first findings of each section and counts the rest', () => {
    const report = sampleReport();
    const full = renderText(report, { color: false });
    const short = renderText(report, { color: false, maxPerSection: 3 });
    const bad = report.findings.filter((f) => f.status === 'fail' || f.status === 'warn');
    const skipped = report.findings.filter((f) => f.status === 'skipped');
    assert.ok(bad.length > 3, 'enough findings to cut');
    assert.equal((short.match(/^(FAIL|WARN) /gm) ?? []).length, 3);
    assert.equal((full.match(/^(FAIL|WARN) /gm) ?? []).length, bad.length);
    assert.ok(short.includes(`  ... and ${bad.length - 3} more fail and warn findings (all of them are in the report)`));
    assert.equal(short.includes('more not checked'), skipped.length > 3);
    assert.equal(short.split('\n')[0], full.split('\n')[0], 'the verdict and counts are those of the whole report');
  });
});
