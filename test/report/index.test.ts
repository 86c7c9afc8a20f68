import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderHtml } from '../../src/report/html.js';
import { REPORT_FORMATS, renderReport, renderReportChunks, type ReportFormat } from '../../src/report/index.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { ReportSchema } from '../../src/report/schema.js';
import { renderText } from '../../src/report/text.js';
import { largeReport, sampleReport } from './sample-report.js';

describe('renderReport', () => {
  it('JSON is the report, indented, with a final newline, and parses back', () => {
    const report = sampleReport();
    const json = renderReport(report, 'json');
    // JSON.stringify's text, except that DEL, C1 and bidi characters are \u-escaped (safe to `cat`)
    const unescaped = json.replace(/\\u(007f|00[89][0-9a-f]|202[89a-e]|206[6-9])/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    assert.equal(unescaped, JSON.stringify(report, null, 2) + '\n');
    assert.deepEqual(ReportSchema.parse(JSON.parse(json)), report);
  });

  it('JSON comes in pieces, one per element of the top-level lists, that join into JSON.stringify\'s text', () => {
    const big = largeReport();
    const pieces = [...renderReportChunks(big, 'json')];
    assert.ok(pieces.length > big.findings.length, 'a piece per finding at least');
    assert.ok(Math.max(...pieces.map((p) => p.length)) < 20_000, 'no piece holds the whole report');
    const unescape = (s: string) => s.replace(/\\u(007f|00[89][0-9a-f]|202[89a-e]|206[6-9])/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    assert.equal(unescape(pieces.join('')), JSON.stringify(big, null, 2) + '\n');
    const bare = { ...sampleReport(), findings: [], notes: [] };
    assert.equal(unescape(renderReport(bare, 'json')), JSON.stringify(bare, null, 2) + '\n', 'empty lists as JSON.stringify writes them');
    assert.deepEqual([...renderReportChunks(big, 'md')], [renderReport(big, 'md')], 'Markdown: one piece');
    const html = [...renderReportChunks(big, 'html')];
    assert.ok(html.length > big.findings.length, 'HTML: a piece per finding at least');
    assert.equal(html.join(''), renderReport(big, 'html'));
  });

  it('dispatches to the renderers with their options', () => {
    const report = sampleReport();
    assert.equal(renderReport(report, 'text', { color: true }), renderText(report, { color: true }));
    assert.equal(renderReport(report, 'text'), renderText(report, { color: false }));
    assert.equal(renderReport(report, 'html'), renderHtml(report));
    const big = largeReport();
    assert.equal(renderReport(big, 'md'), renderMarkdown(big, { maxChars: 30000 }));
    assert.ok(renderReport(big, 'md').length <= 30000);
    assert.ok(renderReport(big, 'md', { mdMaxChars: 5000 }).length <= 5000);
  });

  it('rejects an unknown format', () => {
    assert.deepEqual([...REPORT_FORMATS], ['text', 'md', 'html', 'json']);
    assert.throws(() => renderReport(sampleReport(), 'pdf' as ReportFormat), /unknown report format/);
  });

  it('renders every format without mutating the report', () => {
    const report = sampleReport();
    const before = structuredClone(report);
    for (const f of REPORT_FORMATS) renderReport(report, f, { color: true, mdMaxChars: 2000 });
    assert.deepEqual(report, before);
  });
});
