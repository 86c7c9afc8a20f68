// Output injection, end to end: values that a bundle controls (hostname, etcd keys and lease values, IP
// addresses and interface names, log lines, subnet.env) carry HTML, javascript: URLs, Markdown links and
// table breakers, and ANSI/OSC escape sequences, through the real reader, parsers, facts and rules into
// every report format. Each format must show them as inert text; and each must actually show them (a
// marker is looked for), so the test cannot pass by losing the values. The HTML is also opened in
// chromium when it is installed: no script runs, nothing is fetched.
// Why: support engineers open these reports in a browser, paste the Markdown into tickets and print the
// text summary in a terminal; the bundle's author must not be able to act through any of them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { renderReport } from '../../src/report/index.js';
import { ReportSchema, type Report } from '../../src/report/schema.js';
import { chromiumAvailable, checkReportInBrowser } from '../browser/browser.js';
import { assertNoInjectedMarkup, assertTablesIntact } from '../report/md-check.js';
import { analyzeHostile, healthyFiles, sandbox, writeBundleDir, type Sandbox } from './support.js';

// every payload sets window.__pwned if it ever runs; MARK makes the value findable once escaped
const MARK = 'zqx';
const P = {
  html: `${MARK}<img src=x onerror="window.__pwned=1">`,
  script: `${MARK}<script>window.__pwned=1</script>`,
  js: `${MARK}javascript:window.__pwned=1`,
  mdLink: `${MARK}[click](javascript:window.__pwned=1)`,
  mdImage: `${MARK}![x](http://evil.example/x.png)`,
  table: `${MARK}|a|b|`,
  heading: `${MARK}\n# not a heading\n> not a quote`,
  sgr: `${MARK}\u001b[2J\u001b[31mRED\u001b[0m`,
  osc: `${MARK}\u001b]8;;http://evil.example\u0007link\u001b]8;;\u0007\u001b]0;title\u0007`,
  c1: `${MARK}\u009b31m\u009d0;t\u009c`,
  bidi: `${MARK}\u202egnp.exe`,
};

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** healthy node-a with hostile values in every place the report can show them. */
function hostileNodeA(): Map<string, Buffer> {
  const files = healthyFiles('a');
  const m = JSON.parse(files.get('manifest.json')!.toString('utf8')) as { host: Record<string, string>; commands: Record<string, unknown>[] };
  // the hostname: 253 characters at most, any text
  m.host.hostname = `n${P.html}${P.mdLink}${P.table}${P.osc}`.slice(0, 253);
  m.host.kernelRelease = `${P.script}`.slice(0, 200);
  // a command that "failed" with a hostile stderr and skip reason
  m.commands.push({ id: 'ntpq', skipped: `${P.mdImage} ${P.sgr}` });
  files.set('manifest.json', Buffer.from(JSON.stringify(m)));
  // the log: lines that match signatures, with hostile capture groups
  const log = files.get('node/flanneld.log')!.toString('utf8');
  files.set(
    'node/flanneld.log',
    Buffer.from(
      log +
        `Nov 26 05:10:00 node-a flanneld[812]: E1126 05:10:00.000000     812 main.go:270] failed to find IPv4 address for interface ${P.html}${P.osc}\n` +
        `Nov 26 05:10:01 node-a flanneld[812]: E1126 05:10:01.000000     812 main.go:270] Error renewing lease (trying again in 1 min): ${P.script} ${P.mdLink} ${P.sgr}\n` +
        `Nov 26 05:10:02 node-a flanneld[812]: E1126 05:10:02.000000     812 main.go:270] failed to create vxlan device: ${P.table} ${P.heading.replace(/\n/g, ' ')} ${P.c1}\n`,
    ),
  );
  // subnet.env
  files.set('node/subnet.env', Buffer.from(`FLANNEL_NETWORK=10.99.0.0/16${P.html}\nFLANNEL_SUBNET=10.244.1.1/24${P.mdLink}\nFLANNEL_MTU=1450${P.sgr}\nFLANNEL_IPMASQ=${P.js}\n`));
  // etcd: a lease whose value carries hostile public IP and backend, a key under the prefix that is hostile
  const dump = JSON.parse(files.get('etcd/get-prefix.json')!.toString('utf8').replace(/"(lease|cluster_id|member_id)":(\d+)/g, '"$1":"$2"')) as { kvs: Record<string, unknown>[] };
  dump.kvs.push({ key: b64(`/coreos.com/network/subnets/10.244.9.0-24`), value: b64(JSON.stringify({ PublicIP: `192.168.50.99${P.html}`, BackendType: `vxlan${P.script}${P.table}` })), create_revision: 9, mod_revision: 9, version: 1 });
  dump.kvs.push({ key: b64(`/coreos.com/network/${P.mdLink}/config`), value: b64('{}'), create_revision: 9, mod_revision: 9, version: 1 });
  dump.kvs.push({ key: b64(`/coreos.com/network/subnets/${P.html}${P.osc}`), value: b64('{}'), create_revision: 9, mod_revision: 9, version: 1 });
  files.set('etcd/get-prefix.json', Buffer.from(JSON.stringify(dump).replace(/"(lease|cluster_id|member_id)":"(\d+)"/g, '"$1":$2')));
  // interfaces and addresses
  const link = files.get('node/ip-link.json')!.toString('utf8');
  files.set('node/ip-link.json', Buffer.from(link.replace('"ifname":"cni0"', `"ifname":${JSON.stringify(`cni0${P.html}`)}`)));
  const addr = files.get('node/ip-addr.json')!.toString('utf8');
  files.set('node/ip-addr.json', Buffer.from(addr.replace('"ifname":"cni0"', `"ifname":${JSON.stringify(`cni0${P.html}`)}`).replace('"local":"10.244.1.1"', `"local":${JSON.stringify(`10.244.1.1${P.mdLink}`)}`)));
  return files;
}

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('output injection, end to end', { timeout: 300_000 }, () => {
  let sb: Sandbox;
  let report: Report;
  const out: Record<string, string> = {};
  before(() => {
    sb = sandbox();
    const a = writeBundleDir(sb.in, 'node-a', hostileNodeA());
    const b = writeBundleDir(sb.in, 'node-b', healthyFiles('b'));
    const r = analyzeHostile(sb, [a, b]);
    assert.ok(r.report, r.run.stderr);
    report = r.report;
    // every format through the CLI too, in one run (the JSON one above is the same report)
    const o = (f: string) => path.join(sb.out, `r.${f}`);
    const run = analyzeHostile(sb, [a, b], { extra: ['-f', 'html', '-o', o('html'), '-f', 'md', '-o', o('md'), '-f', 'text', '-o', o('txt')], outputs: [o('html'), o('md'), o('txt')] });
    assert.ok(run.report);
    out.html = readFileSync(o('html'), 'utf8');
    out.md = readFileSync(o('md'), 'utf8');
    out.text = readFileSync(o('txt'), 'utf8');
    out.json = readFileSync(path.join(sb.out, 'report.json'), 'utf8');
    out.stdout = run.run.stdout;
  });
  after(() => sb.cleanup());

  it('the hostile values reach the report (so the checks below are not vacuous)', () => {
    const json = JSON.stringify(report);
    for (const [name, v] of Object.entries({ hostname: 'onerror', log: 'Error renewing lease', lease: '192.168.50.99', key: 'click' })) {
      assert.ok(json.includes(v), `${name}: ${v} not in the report`);
    }
    for (const f of ['html', 'md', 'text'] as const) assert.ok(out[f].includes(MARK), `${f}: no hostile value shown at all`);
  });

  it('HTML: no element, attribute, URL or control character from a value', () => {
    const html = out.html;
    assert.equal((html.match(/<script/gi) ?? []).length, 1, 'exactly one <script> (ours)');
    assert.equal(/<img|<iframe|<svg|<object|<embed|<form|<a\s[^>]*href\s*=\s*"\s*javascript:/i.test(html), false, 'no injected element or javascript: link');
    assert.equal(/<[a-z][^>]*\son[a-z]+\s*=/i.test(html), false, 'no event handler attribute');
    assert.equal(CONTROL.test(html), false, 'no control character (ESC, BEL, C1)');
    assert.ok(html.includes('&lt;img src=x onerror='), 'the markup is shown as text');
    assert.ok(/Content-Security-Policy/.test(html), 'a CSP');
  });

  it('HTML in chromium: no injected script runs, nothing is fetched', { skip: !chromiumAvailable() && 'chromium not installed' }, async () => {
    const file = path.join(sb.out, 'r.html');
    const artifacts = path.join(sb.root, 'artifacts');
    mkdirSync(artifacts);
    const res = await checkReportInBrowser(file, { artifactsDir: artifacts, name: 'injection', expectTexts: ['onerror="window.__pwned=1"'] });
    assert.deepEqual(res.pageErrors, []);
  });

  it('Markdown: no link, image, HTML, heading, quote or broken table from a value', () => {
    assertNoInjectedMarkup(out.md);
    assert.ok(assertTablesIntact(out.md) > 0);
  });

  it('JSON: valid, schema-conforming, values kept exactly as data, no raw control or bidi character', () => {
    // C0 is escaped by JSON itself; C1 (U+009B is a CSI) and bidi overrides must be too, for `cat report.json`
    assert.equal(CONTROL.test(out.json), false, 'control characters are \\u-escaped in JSON');
    assert.equal(/[\u202a-\u202e\u2066-\u2069]/.test(out.json), false, 'bidi overrides are \\u-escaped in JSON');
    const parsed = ReportSchema.parse(JSON.parse(out.json));
    assert.ok(parsed.inputs.some((i) => i.hostname?.includes('<img src=x onerror=')), 'the hostname is data, unchanged');
    assert.ok(out.json.includes('\\u009b') && JSON.stringify(parsed).includes('\u009b'), 'a C1 value survives the round trip as data');
  });

  it('text (file and terminal): no escape sequence or control character but newlines', () => {
    for (const t of [out.text, out.stdout]) {
      assert.equal(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(t), false, 'no control character');
      assert.equal(/[\u202a-\u202e\u2066-\u2069]/.test(t), false, 'no bidi override');
    }
    // colour on a terminal adds only the renderer's own SGR codes
    const coloured = renderReport(report, 'text', { color: true });
    const seqs = new Set(coloured.match(/\u001b[^a-zA-Z]*[a-zA-Z]/g) ?? []);
    for (const s of seqs) assert.match(s, /^\u001b\[[0-9;]*m$/, `an escape sequence that is not SGR: ${JSON.stringify(s)}`);
    assert.equal(coloured.includes('\u001b]'), false, 'no OSC');
    assert.ok(!coloured.includes('\u001b[2J'), 'no screen clear');
  });
});
