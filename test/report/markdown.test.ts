import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMarkdown } from '../../src/report/markdown.js';
import { ReportSchema } from '../../src/report/schema.js';
import { assertGolden, normalizeGeneratedAt } from './golden.js';
import { assertNoInjectedMarkup, assertTablesIntact, markupText } from './md-check.js';
import { SAFE_REFERENCE, largeReport, sampleReport, sampleReportInput } from './sample-report.js';

const BIG = 10_000_000;

describe('Markdown report', () => {
  it('the sample report is valid per ReportSchema', () => {
    assert.doesNotThrow(() => ReportSchema.parse(sampleReportInput));
    assert.deepEqual(sampleReport(), sampleReportInput);
  });

  it('matches the golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
    const report = sampleReport();
    const md = renderMarkdown(report, { maxChars: 30000 });
    assertGolden('sample.md', md);
  });

  it('normalizeGeneratedAt replaces the generation time', () => {
    const report = { ...sampleReport(), generatedAt: '2031-02-03T04:05:06.789Z' };
    const md = normalizeGeneratedAt(renderMarkdown(report, { maxChars: BIG }), report);
    assert.ok(!md.includes('2031-02-03T04:05:06.789Z'));
    assert.ok(md.includes('report generated <generated-at>'));
  });

  it('puts the verdict and counts first, then failing findings, then warnings, then the rest', () => {
    const md = renderMarkdown(sampleReport(), { maxChars: BIG });
    const lines = md.split('\n');
    assert.equal(lines[0], '# flannel-diag report');
    assert.match(lines[2] as string, /^\*\*✖ FAIL: Problems found\.\*\* 2 fail, 2 warn, 6 pass, 2 not checked, 3 not applicable\.$/);
    const at = (s: string) => {
      const i = md.indexOf(s);
      assert.ok(i >= 0, `missing ${s}`);
      return i;
    };
    const order = [
      at('## ✖ Failing (2)'),
      at('### 1. ✖ `etcd.stale-subnet-lease`'),
      at('### 2. ✖ `lease.public-ip-conflict`'),
      at('## ⚠ Warnings (2)'),
      at('### 3. ⚠ `clock.offset`'),
      at('## Nodes (3)'),
      at('## Subnet leases (4)'),
      at('## ○ Not checked (2)'),
      at('## Bundle integrity'),
      at('## ✔ Passing (6)'),
    ];
    assert.deepEqual([...order].sort((a, b) => a - b), order);
    assert.ok(md.includes('**Most likely cause:** `etcd.stale-subnet-lease`'));
    assert.ok(md.includes('ℹ informational (absent on this system, not a problem)'), 'expected integrity notes are informational');
  });

  it('escapes every hostile value: no HTML, no javascript: link, no autolink, no heading or quote', () => {
    const md = renderMarkdown(sampleReport(), { maxChars: BIG });
    assertNoInjectedMarkup(md);
    const markup = markupText(md).join('\n');
    assert.ok(!markup.includes('<script'), 'no raw <script outside code');
    assert.ok(!markup.includes('<img'), 'no raw <img outside code');
    assert.ok(!markup.includes('](javascript:'), 'no ](javascript: outside code');
    assert.ok(!/\u001b/.test(md), 'no ESC byte');
    assert.ok(md.includes('&lt;script&gt;window.\\_\\_pwned=1&lt;/script&gt;'), 'the script tag is shown as escaped text');
    assert.ok(md.includes('\\[click\\]\\(javascript:alert(1))'), 'the link is shown as escaped text');
  });

  it('makes only http(s) references clickable', () => {
    const md = renderMarkdown(sampleReport(), { maxChars: BIG });
    assert.ok(md.includes(`<${SAFE_REFERENCE}>`));
    const autolinks = [...md.matchAll(/(?<!\\)<([a-z]+:[^>\s]*)>/gi)].map((m) => m[1]);
    assert.deepEqual(autolinks, [SAFE_REFERENCE]);
    assert.ok(md.includes('`javascript:alert(1)`'), 'a javascript: reference is plain code text');
  });

  it('keeps the column count of every table row', () => {
    const md = renderMarkdown(sampleReport(), { maxChars: BIG });
    assert.equal(assertTablesIntact(md), 2);
  });

  it('fences excerpts and remediation with a fence longer than any backtick run inside', () => {
    const md = renderMarkdown(sampleReport(), { maxChars: BIG });
    assert.ok(md.includes('`````text\n{"PublicIP"'), 'a 5-backtick fence around an excerpt holding a 4-backtick run');
    assert.ok(md.includes('`````sh\netcdctl del'), 'remediation in a fenced block');
  });

  it('never exceeds maxChars, cutting the least important parts first and saying so', () => {
    const report = largeReport();
    const full = renderMarkdown(report, { maxChars: BIG });
    assert.ok(full.length > 30000, `the large report is large (${full.length})`);
    assert.ok(!full.includes('omitted to fit'));
    for (const max of [30000, 20000, 10000, 6000, 3000, 2000, 1200, 600, 300, 150, 60, 10, 0]) {
      const md = renderMarkdown(report, { maxChars: max });
      assert.ok(md.length <= max, `maxChars ${max}: ${md.length} characters`);
      if (max >= 300) {
        assert.match(md, new RegExp(`omitted to fit ${max} characters; see the JSON/HTML report\\._\\n$`), `maxChars ${max}: the final note`);
        assertNoInjectedMarkup(md);
        assertTablesIntact(md);
      }
      if (max >= 2000) {
        assert.ok(md.startsWith('# flannel-diag report\n\n**✖ FAIL'), `maxChars ${max}: the verdict stays`);
        assert.ok(md.includes('### 1. ✖ `etcd.stale-subnet-lease`'), `maxChars ${max}: the most likely cause stays`);
      }
    }
  });

  it('drops the pass list first', () => {
    const report = largeReport();
    const full = renderMarkdown(report, { maxChars: BIG });
    const md = renderMarkdown(report, { maxChars: full.length - 1 });
    assert.match(md, /_… 206 passing checks, the list of 3 not-applicable rules omitted to fit \d+ characters; see the JSON\/HTML report\._\n$/);
    assert.ok(md.includes('| /coreos.com/network/subnets/10.1.43.0-24 |'), 'the lease table is whole');
    assert.equal(md.split('\n').filter((l) => l.startsWith('| ')).length, full.split('\n').filter((l) => l.startsWith('| ')).length);
  });

  it('then lease rows, keeping rows marked as problems', () => {
    const report = largeReport({ nodes: 10 });
    const md = renderMarkdown(report, { maxChars: 30000 });
    const note = /_… (.*) omitted to fit 30000 characters/.exec(md)?.[1] ?? '';
    assert.match(note, /^206 passing checks, the list of 3 not-applicable rules, \d+ of 304 lease rows/);
    assert.ok(!note.includes('node rows'), 'node rows are cut only after lease rows');
    const problemRows = md.split('\n').filter((l) => l.startsWith('| ') && l.endsWith('| **⚠ problem** |'));
    assert.equal(problemRows.length, report.leases!.filter((l) => l.problem).length);
  });

  it('adds no note when the report fits', () => {
    const md = renderMarkdown(sampleReport(), { maxChars: 30000 });
    assert.ok(md.length < 30000);
    assert.ok(!md.includes('omitted to fit'));
  });
});

describe('Markdown report, pathological sizes', () => {
  it('keeps the cap and the most likely cause with thousands of evidence items and a huge message', () => {
    const report = sampleReport();
    const first = report.findings[0]!;
    first.evidence = Array.from({ length: 5000 }, (_, i) => ({ input: 'a.tar.gz', file: `f${i}`, line: i, excerpt: '```\n' + 'x'.repeat(40) }));
    first.message = 'm'.repeat(1_000_000);
    for (const max of [30000, 5000]) {
      const md = renderMarkdown(report, { maxChars: max });
      assert.ok(md.length <= max, `${md.length} > ${max}`);
      assert.ok(md.includes('### 1. ✖ `etcd.stale-subnet-lease`'));
      assert.ok(md.includes('m'.repeat(1999) + '…'), 'a huge message is clipped, not dropped');
      assert.match(md, /the rest of the report omitted to fit \d+ characters; see the JSON\/HTML report\._\n$/);
      assertNoInjectedMarkup(md);
    }
  });
});
