import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { CSP, renderHtml } from '../../src/report/html.js';
import { escapeHtml } from '../../src/report/escape.js';
import { HOSTILE, SAFE_REFERENCE, sampleReport } from './sample-report.js';

const html = renderHtml(sampleReport());

function between(s: string, open: string, close: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    const a = s.indexOf(open, i);
    if (a < 0) return out;
    const b = s.indexOf(close, a + open.length);
    out.push(s.slice(a + open.length, b));
    i = b + close.length;
  }
}

describe('HTML report', () => {
  it('holds exactly one script element, ours, allowed by its hash in the CSP', () => {
    assert.equal(html.match(/<script/gi)?.length, 1);
    const [script] = between(html, '<script>', '</script>');
    const [style] = between(html, '<style>', '</style>');
    const hash = (s: string) => `'sha256-${createHash('sha256').update(s!, 'utf8').digest('base64')}'`;
    assert.ok(CSP.includes(`script-src ${hash(script!)}`), 'script hash');
    assert.ok(CSP.includes(`style-src ${hash(style!)}`), 'style hash');
  });

  it('declares the Content-Security-Policy in a meta tag before any style or script', () => {
    const meta = `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CSP)}">`;
    assert.ok(html.includes(meta));
    assert.ok(html.indexOf(meta) < html.indexOf('<style>'));
    assert.match(CSP, /^default-src 'none'; /);
    assert.ok(!CSP.includes('unsafe-inline') && !CSP.includes('unsafe-eval'));
  });

  it('shows hostile values as escaped text', () => {
    assert.ok(html.includes('&lt;script&gt;window.__pwned=1&lt;/script&gt;'));
    assert.ok(html.includes('&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;'));
    assert.ok(html.includes('[click](javascript:alert(1))'));
    assert.equal(/<img|<iframe|<svg|<object|<embed|<form/i.test(html), false, 'no injected element');
    assert.equal(/<[a-z][^>]*\son[a-z]+\s*=/i.test(html), false, 'no event handler attribute');
    assert.equal(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(html), false, 'no control character (ESC included)');
    assert.ok(html.includes('RED') && html.includes('link'));
  });

  it('links only http(s) references; every other src/href stays in the file', () => {
    const attrs = [...html.matchAll(/\s(?:src|href|action|formaction|poster|data)\s*=\s*"([^"]*)"/gi)].map((m) => m[1] as string);
    assert.ok(attrs.length > 0);
    for (const v of attrs) {
      assert.ok(v.startsWith('#') || v === 'data:,' || v === escapeHtml(SAFE_REFERENCE), `unexpected URL attribute ${v}`);
    }
    assert.equal(attrs.filter((v) => /^https?:/i.test(v)).length, 1, 'one reference is a link');
    assert.equal(/\s(?:src|href)\s*=\s*"\s*javascript:/i.test(html), false);
    assert.equal(/url\(|@import/i.test(between(html, '<style>', '</style>')[0]!), false, 'no external resource in CSS');
  });

  it('starts with the verdict, the counts and the most likely cause first', () => {
    const verdict = html.indexOf('id="verdict"');
    assert.ok(verdict > 0 && verdict < html.indexOf('id="analyzed"') && verdict < html.indexOf('id="findings"'));
    assert.ok(html.includes('✖ FAIL: Problems found'));
    for (const c of ['2 fail', '2 warn', '6 pass', '2 not checked', '3 not applicable']) assert.ok(html.includes(c), c);
    const top = html.slice(verdict, html.indexOf('</section>', verdict));
    assert.ok(top.indexOf('Most likely cause:') < top.indexOf('etcd.stale-subnet-lease'));
    assert.ok(top.indexOf('etcd.stale-subnet-lease') < top.indexOf('lease.public-ip-conflict'));
    assert.ok(top.includes('href="#finding-1"'));
  });

  it('groups findings by status in report order, with evidence, remediation and the missing list', () => {
    const order = ['id="group-fail"', 'id="finding-1"', 'id="finding-2"', 'id="group-warn"', 'id="finding-3"', 'id="group-skipped"', 'id="group-pass"'].map((s) =>
      html.indexOf(s),
    );
    assert.ok(order.every((i) => i > 0));
    assert.deepEqual([...order].sort((a, b) => a - b), order);
    assert.ok(html.includes('<pre class="copyable"><code>etcdctl del /coreos.com/network/subnets/10.244.5.0-24'));
    assert.ok(html.includes('looked for <code>/coreos.com/network/subnets/10.244.9.0-24 &#96;&#96;&#96;</code>'), 'absent evidence says what was looked for');
    assert.ok(html.includes('<span class="muted">pointer</span> <code>/kvs/3/value</code>'));
    assert.ok(html.includes('<li><code>kube/nodes.json</code></li>'), 'the missing list of a skipped rule');
  });

  it('marks problem cells with a class and a text marker', () => {
    const cells = html.match(/<td class="problem[^"]*"[^>]*>/g) ?? [];
    // node-b: flanneldCount, timeSync; node-c: publicIp, lease (not __proto__, which is no column); 2 leases
    assert.equal(cells.length, 6);
    assert.equal((html.match(/<td class="problem"[^>]*><span class="marker" aria-hidden="true">⚠ <\/span><span class="sr">problem: <\/span>/g) ?? []).length, 4);
    assert.equal((html.match(/<span class="marker">⚠<\/span> problem<\/td>/g) ?? []).length, 2);
  });

  it('presents expected integrity notes as informational', () => {
    const section = html.slice(html.indexOf('id="integrity"'));
    assert.equal((section.match(/ℹ informational/g) ?? []).length, 1);
    assert.equal((section.match(/⚠ problem</g) ?? []).length, 2);
  });

  it('keeps the filter controls hidden until the script shows them, and hides them in print', () => {
    assert.ok(html.includes('<div class="filters" id="filters" hidden>'));
    assert.match(between(html, '<style>', '</style>')[0]!, /@media print\{[^]*\.filters,button\.copy\{display:none!important\}/);
    assert.match(html, /@media \(prefers-color-scheme:dark\)/);
  });

  it('renders a minimal report', () => {
    const minimal = renderHtml({
      format: 'flannel-diag-report/1',
      tool: { name: 'flannel-diag', version: '1.0.0' },
      generatedAt: 'now',
      inputs: [],
      cluster: { mode: 'unknown', nodes: 0, network: null, backend: null, flannelVersions: [] },
      summary: { fail: 0, warn: 0, pass: 0, skipped: 0, notApplicable: 0 },
      findings: [],
    });
    assert.ok(minimal.includes('No problems found'));
    assert.ok(minimal.includes('No failing or warning findings.'));
    assert.equal(HOSTILE.proto, '__proto__');
  });
});
