// One self-contained HTML file: inline CSS and one small inline script, both allowed by hash in the
// Content-Security-Policy, which forbids every other source (no request to any address when opened).
// Readable without JavaScript (the script only adds status filters, table sorting and copy buttons),
// prints cleanly and follows prefers-color-scheme. Every value from the report goes through escapeHtml,
// in text and in attributes alike; no value is ever placed in an id, a URL (except http(s) references)
// or a script/style context.
import { createHash } from 'node:crypto';
import { escapeHtml as h, isSafeHttpUrl } from './escape.js';
import {
  LEASE_COLUMNS,
  NODE_COLUMNS,
  STATUS_HEADING,
  STATUS_LABEL,
  STATUS_MARK,
  collectionLine,
  evidencePlace,
  findingsOf,
  isProblemCell,
  leaseCells,
  topFindings,
  verdictOf,
} from './format.js';
import { formatDuration } from '../facts/format.js';
import type { Evidence, Finding, IntegrityNote, LeaseRow, NodeRow, Report, Status } from './schema.js';

/** How many of the first fail/warn findings the verdict box lists. */
const TOP_FINDINGS = 3;


const CSS = `
:root{color-scheme:light dark;
--bg:#f5f6f8;--card:#fff;--text:#1f2328;--muted:#59636e;--border:#d1d9e0;--code-bg:#f0f2f5;--accent:#0969da;
--fail:#b42318;--fail-bg:#fdecea;--warn:#8a5a00;--warn-bg:#fff4d6;--pass:#1a7f37;--pass-bg:#e3f6e8;--skip:#57606a;--skip-bg:#eef1f4;--info:#0b5cad;--info-bg:#e6f0fb}
@media (prefers-color-scheme:dark){:root{
--bg:#0f1217;--card:#171b22;--text:#e6edf3;--muted:#9aa4af;--border:#353c46;--code-bg:#0b0e13;--accent:#58a6ff;
--fail:#ff8a80;--fail-bg:#3b1c1c;--warn:#f2c14e;--warn-bg:#382c10;--pass:#6fdd8b;--pass-bg:#15301e;--skip:#a3acb7;--skip-bg:#232932;--info:#79b8ff;--info-bg:#16283d}}
*{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif}
main{max-width:1360px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:1.5rem;margin:0}
h2{font-size:1.2rem;margin:0 0 12px}
h3{font-size:1rem;margin:0}
a{color:var(--accent)}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;font-size:.86em}
code{background:var(--code-bg);border-radius:4px;padding:.1em .35em;overflow-wrap:anywhere}
pre{background:var(--code-bg);border:1px solid var(--border);border-radius:6px;padding:10px 12px;margin:6px 0 0;overflow:auto;max-height:28em;white-space:pre;tab-size:4}
pre code{background:none;padding:0;font-size:1em;overflow-wrap:normal}
.page-head{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:8px;margin-bottom:16px}
.muted{color:var(--muted)}
.card{background:var(--card);border:1px solid var(--border);border-radius:10px;padding:18px 20px;margin:0 0 18px}
.verdict{border-left:6px solid var(--pass)}
.verdict.v-fail{border-left-color:var(--fail)}
.verdict.v-warn{border-left-color:var(--warn)}
.headline{font-size:1.35rem;font-weight:650;margin:0 0 10px}
.v-fail .headline{color:var(--fail)}.v-warn .headline{color:var(--warn)}.v-pass .headline{color:var(--pass)}
.counts{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 12px;padding:0;list-style:none}
.chip{display:inline-block;border-radius:999px;padding:2px 10px;font-size:.85rem;font-weight:600;border:1px solid transparent;white-space:nowrap}
.s-fail{color:var(--fail);background:var(--fail-bg);border-color:var(--fail)}
.s-warn{color:var(--warn);background:var(--warn-bg);border-color:var(--warn)}
.s-pass{color:var(--pass);background:var(--pass-bg);border-color:var(--pass)}
.s-skipped,.s-na{color:var(--skip);background:var(--skip-bg);border-color:var(--skip)}
.s-info{color:var(--info);background:var(--info-bg);border-color:var(--info)}
.top{margin:0;padding-left:1.4em}
.top li{margin:4px 0}
.top .label{font-weight:650}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0 0 14px}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;overflow-wrap:anywhere}
.table-wrap{overflow-x:auto;border:1px solid var(--border);border-radius:8px}
table{border-collapse:collapse;width:100%;font-size:.88rem}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--border);vertical-align:top;overflow-wrap:break-word}
td code{overflow-wrap:break-word}
th{background:var(--code-bg);font-weight:600;white-space:nowrap}
tbody tr:last-child td{border-bottom:0}
td.problem{background:var(--fail-bg);color:var(--fail);font-weight:600}
tr.problem-row td:first-child{box-shadow:inset 4px 0 0 var(--fail)}
.marker{font-weight:700}
.nowrap{white-space:nowrap}
button.sort{all:unset;cursor:pointer}
button.sort:focus-visible,button.copy:focus-visible,.filters label:focus-within{outline:2px solid var(--accent);outline-offset:2px}
th[aria-sort=ascending] button.sort::after{content:" ▲"}
th[aria-sort=descending] button.sort::after{content:" ▼"}
.filters{display:flex;flex-wrap:wrap;gap:14px;align-items:center;margin:0 0 14px;font-size:.9rem}
.filters label{display:inline-flex;gap:6px;align-items:center;cursor:pointer}
.group{margin:0 0 22px}
.group>h2{display:flex;align-items:center;gap:8px}
.finding{border:1px solid var(--border);border-left:5px solid var(--skip);border-radius:8px;padding:14px 16px;margin:0 0 12px;background:var(--card)}
.finding.f-fail{border-left-color:var(--fail)}.finding.f-warn{border-left-color:var(--warn)}.finding.f-pass{border-left-color:var(--pass)}
.f-head{display:flex;flex-wrap:wrap;align-items:center;gap:8px;margin:0 0 6px}
.rule{font-weight:600}
.meta{color:var(--muted);font-size:.85rem;margin:0 0 8px}
.message{margin:0 0 10px;overflow-wrap:anywhere;white-space:pre-wrap}
.sub{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:12px 0 4px;font-weight:600}
ul.evidence,ul.refs{margin:0;padding:0;list-style:none}
ul.evidence>li{margin:0 0 10px}
.loc{font-size:.9rem;overflow-wrap:anywhere}
.tag{display:inline-block;font-size:.75rem;font-weight:700;text-transform:uppercase;border-radius:4px;padding:0 6px;margin-right:4px}
.code-wrap{position:relative}
button.copy{position:absolute;top:6px;right:6px;font:inherit;font-size:.75rem;padding:2px 8px;border-radius:6px;border:1px solid var(--border);background:var(--card);color:var(--text);cursor:pointer}
ul.refs li{margin:2px 0;overflow-wrap:anywhere}
ul.compact{margin:0;padding-left:1.2em;columns:2 28em;column-gap:32px}
ul.compact li{break-inside:avoid;margin:0 0 3px}
.legend{font-size:.85rem;color:var(--muted);margin:8px 0 0}
footer{color:var(--muted);font-size:.85rem;text-align:center;margin-top:28px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media screen{.filtered-out{display:none}}
@media print{
:root{color-scheme:light;--bg:#fff;--card:#fff;--text:#000;--muted:#444;--border:#bbb;--code-bg:#f3f3f3;--accent:#0645ad;
--fail:#a00;--fail-bg:#fdecea;--warn:#7a5000;--warn-bg:#fff4d6;--pass:#1a6b30;--pass-bg:#e3f6e8;--skip:#444;--skip-bg:#eef1f4;--info:#0b5cad;--info-bg:#e6f0fb}
body{font-size:10.5pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}
main{max-width:none;padding:0}
.filters,button.copy{display:none!important}
.card,.finding{break-inside:avoid-page;box-shadow:none}
pre{max-height:none;overflow:visible;white-space:pre-wrap;overflow-wrap:anywhere}
.table-wrap{overflow:visible}
table{font-size:8.5pt}
th,.nowrap{white-space:normal}
td,td code{overflow-wrap:anywhere}
a{color:inherit}
a[href^="http"]::after{content:" (" attr(href) ")";font-size:.85em;overflow-wrap:anywhere}
}
`;

const SCRIPT = `
(function(){
'use strict';
var d=document;
var f=d.getElementById('filters');
if(f){
f.hidden=false;
f.addEventListener('change',function(e){
var t=e.target;if(!t||t.type!=='checkbox')return;
var s=t.getAttribute('data-status');
var g=d.querySelectorAll('.group[data-status]');
for(var i=0;i<g.length;i++){if(g[i].getAttribute('data-status')===s)g[i].classList.toggle('filtered-out',!t.checked);}
});
}
var tables=d.querySelectorAll('table.sortable');
for(var ti=0;ti<tables.length;ti++)(function(tb){
var body=tb.tBodies[0];if(!body||!tb.tHead)return;
for(var r=0;r<body.rows.length;r++)body.rows[r].setAttribute('data-i',String(r));
var ths=tb.tHead.rows[0].cells;
for(var c=0;c<ths.length;c++)(function(th,col){
var b=d.createElement('button');b.type='button';b.className='sort';b.title='Sort by this column';
while(th.firstChild)b.appendChild(th.firstChild);
th.appendChild(b);th.setAttribute('aria-sort','none');
b.addEventListener('click',function(){
var cur=th.getAttribute('aria-sort');
var dir=cur==='none'?'ascending':cur==='ascending'?'descending':'none';
for(var k=0;k<ths.length;k++)ths[k].setAttribute('aria-sort','none');
th.setAttribute('aria-sort',dir);
var rows=Array.prototype.slice.call(body.rows);
rows.sort(function(x,y){
if(dir==='none')return Number(x.getAttribute('data-i'))-Number(y.getAttribute('data-i'));
var a=x.cells[col],z=y.cells[col];
var av=a?(a.getAttribute('data-v')||a.textContent||''):'',zv=z?(z.getAttribute('data-v')||z.textContent||''):'';
var n=av.localeCompare(zv,undefined,{numeric:true,sensitivity:'base'});
return dir==='ascending'?n:-n;
});
for(var q=0;q<rows.length;q++)body.appendChild(rows[q]);
});
})(ths[c],c);
})(tables[ti]);
var pres=d.querySelectorAll('pre.copyable');
for(var p=0;p<pres.length;p++)(function(pre){
var w=pre.parentNode;if(!w||!w.classList||!w.classList.contains('code-wrap'))return;
var b=d.createElement('button');b.type='button';b.className='copy';b.textContent='Copy';
b.addEventListener('click',function(){
var text=pre.textContent||'';
var sel=function(){var s=window.getSelection();if(s){s.selectAllChildren(pre);}b.textContent='Selected: press Ctrl+C';};
var ok=function(){b.textContent='Copied';setTimeout(function(){b.textContent='Copy';},1500);};
try{if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(text).then(ok,sel);}else{sel();}}catch(err){sel();}
});
w.appendChild(b);
})(pres[p]);
})();
`;

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** The policy meta tag: nothing but this file's own style and script, by hash. */
export const CSP = `default-src 'none'; style-src ${sha256(CSS)}; script-src ${sha256(SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;

/** 1-based positions of the findings in the report (a finding's anchor is #finding-N). */
type Numbers = Map<Finding, number>;

const code = (s: string) => `<code>${h(s)}</code>`;
const orDash = (s: string | null | undefined) => (s === null || s === undefined || s === '' ? '<span class="muted">—</span>' : h(s));

function chip(status: string, text: string): string {
  return `<span class="chip s-${h(status)}">${h(text)}</span>`;
}

function statusBadge(status: Status): string {
  return chip(status, `${STATUS_MARK[status]} ${STATUS_LABEL[status]}`);
}

function verdictSection(r: Report, num: Numbers): string {
  const { verdict, headline } = verdictOf(r);
  const s = r.summary;
  const counts = [
    chip('fail', `${STATUS_MARK.fail} ${s.fail} fail`),
    chip('warn', `${STATUS_MARK.warn} ${s.warn} warn`),
    chip('pass', `${STATUS_MARK.pass} ${s.pass} pass`),
    chip('skipped', `${STATUS_MARK.skipped} ${s.skipped} not checked`),
    chip('na', `${s.notApplicable} not applicable`),
  ];
  const top = topFindings(r, TOP_FINDINGS);
  const topList = top.length
    ? `<ol class="top">${top
        .map((f, i) => {
          const idx = (num.get(f) ?? 0);
          const label = i === 0 ? '<span class="label">Most likely cause:</span> ' : '';
          return `<li>${label}${statusBadge(f.status)} <a href="#finding-${idx}">${code(f.ruleId)}</a> ${h(f.message)}${f.node !== null ? ` <span class="muted">(node ${code(f.node)})</span>` : ''}</li>`;
        })
        .join('')}</ol>`
    : `<p class="muted">No failing or warning findings.</p>`;
  return `<section class="card verdict v-${verdict}" id="verdict" aria-labelledby="verdict-h">
<p class="headline" id="verdict-h">${STATUS_MARK[verdict === 'pass' ? 'pass' : verdict]} ${h(verdict.toUpperCase())}: ${h(headline)}</p>
<ul class="counts">${counts.map((c) => `<li>${c}</li>`).join('')}</ul>
${topList}
</section>`;
}

function analyzedSection(r: Report): string {
  const c = r.cluster;
  const facts: [string, string][] = [
    ['Mode', code(c.mode)],
    ['Nodes', h(String(c.nodes))],
    ['Network', c.network ? code(c.network) : orDash(null)],
    ['Backend', c.backend ? code(c.backend) : orDash(null)],
    ['Flannel versions', c.flannelVersions.length ? c.flannelVersions.map(code).join(', ') : orDash(null)],
  ];
  if (c.etcdPrefix) facts.push(['etcd prefix', code(c.etcdPrefix)]);
  const coll = collectionLine(r);
  if (coll !== null) facts.push(['Collected', h(coll)]);
  facts.push(['Tool', `flannel-diag ${h(r.tool.version)}`]);
  facts.push(['Report generated', h(r.generatedAt)]);
  const inputs = r.inputs
    .map((i) => {
      const state = i.error
        ? `${chip('fail', 'not analyzed')} ${h(i.error)}`
        : i.supersededBy
          ? `${chip('skipped', 'superseded')} by ${code(i.supersededBy)}`
          : chip('pass', 'analyzed');
      return `<tr><td>${code(i.path)}</td><td>${orDash(i.hostname)}</td><td class="nowrap">${orDash(i.collectedAt)}</td><td>${orDash(i.bundleFormat)}</td><td>${orDash(i.collectorVersion)}</td><td>${state}</td></tr>`;
    })
    .join('\n');
  const notes = r.notes && r.notes.length ? `<div class="sub">Notes</div><ul>${r.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>` : '';
  return `<section class="card" id="analyzed" aria-labelledby="analyzed-h">
<h2 id="analyzed-h">What was analyzed</h2>
<dl class="facts">${facts.map(([k, v]) => `<dt>${h(k)}</dt><dd>${v}</dd>`).join('')}</dl>
<div class="table-wrap"><table class="sortable" id="inputs-table">
<thead><tr><th scope="col">Input</th><th scope="col">Hostname</th><th scope="col">Collected at</th><th scope="col">Bundle format</th><th scope="col">Collector</th><th scope="col">State</th></tr></thead>
<tbody>
${inputs}
</tbody></table></div>
${notes}
</section>`;
}

function evidenceItem(e: Evidence): string {
  const p = evidencePlace(e);
  let loc: string;
  if (p.absent !== null) {
    loc = `<div class="loc absent">${chip('skipped', 'absent')} looked for ${code(p.absent)} in ${code(p.input)}</div>`;
  } else {
    const bits = [code(p.input)];
    if (p.file !== null) bits.push(`› ${code(p.file)}${p.line !== null ? ` <span class="muted">line</span> ${h(String(p.line))}` : ''}`);
    else if (p.line !== null) bits.push(`<span class="muted">line</span> ${h(String(p.line))}`);
    if (p.key !== null) bits.push(`<span class="muted">key</span> ${code(p.key)}`);
    if (p.pointer !== null) bits.push(`<span class="muted">pointer</span> ${code(p.pointer)}`);
    loc = `<div class="loc">${bits.join(' ')}</div>`;
  }
  const excerpt = typeof e.excerpt === 'string' && e.excerpt !== '' ? `<pre class="excerpt"><code>${h(e.excerpt)}</code></pre>` : '';
  return `<li>${loc}${excerpt}</li>`;
}

function reference(ref: string): string {
  if (isSafeHttpUrl(ref)) return `<li><a href="${h(ref)}" rel="noopener noreferrer nofollow" referrerpolicy="no-referrer" target="_blank">${h(ref)}</a></li>`;
  return `<li>${code(ref)}</li>`;
}

function findingArticle(f: Finding, idx: number): string {
  const meta = [`severity ${h(f.severity)}`, `category ${h(f.category)}`];
  if (f.node !== null) meta.push(`node ${code(f.node)}`);
  if (f.subject !== null && f.subject !== undefined) meta.push(`subject ${code(f.subject)}`);
  const parts = [
    `<div class="f-head">${statusBadge(f.status)}<h3><span class="muted">${idx}.</span> ${h(f.title)}</h3></div>`,
    `<p class="meta"><span class="rule">${code(f.ruleId)}</span> · ${meta.join(' · ')}</p>`,
    `<p class="message">${h(f.message)}</p>`,
  ];
  if (f.missing && f.missing.length) {
    parts.push(`<div class="sub">Missing data</div><ul class="refs">${f.missing.map((m) => `<li>${code(m)}</li>`).join('')}</ul>`);
  }
  if (f.evidence.length) parts.push(`<div class="sub">Evidence</div><ul class="evidence">${f.evidence.map(evidenceItem).join('')}</ul>`);
  if (f.remediation !== null && f.remediation.trim() !== '') {
    parts.push(`<div class="sub">Remediation</div><div class="code-wrap"><pre class="copyable"><code>${h(f.remediation)}</code></pre></div>`);
  }
  if (f.references.length) parts.push(`<div class="sub">References</div><ul class="refs">${f.references.map(reference).join('')}</ul>`);
  return `<article class="finding f-${h(f.status)}" id="finding-${idx}">${parts.join('\n')}</article>`;
}

function* findingsSection(r: Report, num: Numbers): Generator<string> {
  const filters: string[] = [];
  const groups: (() => Generator<string>)[] = [];
  for (const status of ['fail', 'warn', 'skipped'] as const) {
    const list = findingsOf(r, status);
    if (!list.length) continue;
    filters.push(status);
    const intro =
      status === 'skipped'
        ? '<p class="muted">These rules could not be judged because data they need is missing, failed or was not collected. Missing data is never a pass.</p>'
        : '';
    groups.push(function* () {
      yield `<section class="group" data-status="${status}" id="group-${status}">
<h2>${statusBadge(status)} ${h(STATUS_HEADING[status])} <span class="muted">(${list.length})</span></h2>
${intro}`;
      yield* joined(list, '\n', (f) => findingArticle(f, num.get(f) ?? 0));
      yield '\n</section>';
    });
  }
  const passes = findingsOf(r, 'pass');
  if (passes.length) {
    filters.push('pass');
    groups.push(function* () {
      yield `<section class="group" data-status="pass" id="group-pass">
<h2>${statusBadge('pass')} ${h(STATUS_HEADING.pass)} <span class="muted">(${passes.length})</span></h2>
<ul class="compact">`;
      yield* joined(passes, '', (f) => `<li id="finding-${num.get(f) ?? 0}">${code(f.ruleId)} ${h(f.title)}${f.node !== null ? ` <span class="muted">(node ${code(f.node)})</span>` : ''}</li>`);
      yield '</ul>\n</section>';
    });
  }
  const na = r.notApplicable ?? [];
  const naBlock = na.length
    ? `<section class="group" id="not-applicable"><h2>${chip('na', 'N/A')} Not applicable <span class="muted">(${na.length})</span></h2>
<p class="muted">Rules whose conditions did not hold for this cluster; they give no finding.</p>
<ul class="compact">${na.map((id) => `<li>${code(id)}</li>`).join('')}</ul></section>`
    : '';
  const filterControls = filters.length
    ? `<div class="filters" id="filters" hidden><span class="muted">Show:</span>${filters
        .map((s) => `<label><input type="checkbox" checked data-status="${s}"> ${h(STATUS_HEADING[s as Status])}</label>`)
        .join('')}</div>`
    : '';
  yield `<section class="card" id="findings" aria-labelledby="findings-h">
<h2 id="findings-h">Findings</h2>
${filterControls}
`;
  if (groups.length === 0) yield '<p class="muted">No findings.</p>';
  for (let i = 0; i < groups.length; i++) {
    if (i) yield '\n';
    yield* groups[i]();
  }
  yield `
${naBlock}
</section>`;
}

/** The pieces of `items.map(piece).join(sep)`, one item at a time. */
function* joined<T>(items: readonly T[], sep: string, piece: (item: T) => string): Generator<string> {
  for (let i = 0; i < items.length; i++) yield i ? sep + piece(items[i]) : piece(items[i]);
}

function* nodeTable(rows: NodeRow[]): Generator<string> {
  if (!rows.length) return;
  const row = (r: NodeRow) => {
    const cells = NODE_COLUMNS.map((c) => {
      const v = c.value(r);
      if (isProblemCell(r, c.key)) {
        return `<td class="problem" data-v="${h(v)}"><span class="marker" aria-hidden="true">⚠ </span><span class="sr">problem: </span>${h(v)}</td>`;
      }
      return `<td${c.key === 'collectedAt' ? ' class="nowrap"' : ''}>${h(v)}</td>`;
    }).join('');
    return `<tr${r.problems.length ? ' class="problem-row"' : ''}>${cells}</tr>`;
  };
  yield `<section class="card" id="nodes" aria-labelledby="nodes-h">
<h2 id="nodes-h">Nodes <span class="muted">(${rows.length})</span></h2>
<div class="table-wrap"><table class="sortable" id="nodes-table">
<thead><tr>${NODE_COLUMNS.map((c) => `<th scope="col">${h(c.label)}</th>`).join('')}</tr></thead>
<tbody>
`;
  yield* joined(rows, '\n', row);
  yield `
</tbody></table></div>
<p class="legend"><span class="marker">⚠</span> marks a value that a failing or warning finding is about.</p>
</section>`;
}

function* leaseTable(rows: LeaseRow[]): Generator<string> {
  if (!rows.length) return;
  const row = (l: LeaseRow) => {
    const cells = leaseCells(l)
      .map((v, i) => {
        if (i === LEASE_COLUMNS.length - 1) {
          return l.problem ? `<td class="problem nowrap" data-v="1"><span class="marker">⚠</span> problem</td>` : `<td data-v="0"></td>`;
        }
        if (i === 5 && l.ttlSeconds !== null) {
          return `<td class="nowrap" data-v="${h(String(l.ttlSeconds))}" title="${h(v)}">${h(formatDuration(l.ttlSeconds))}</td>`;
        }
        return `<td>${i === 0 ? code(v) : h(v)}</td>`;
      })
      .join('');
    return `<tr${l.problem ? ' class="problem-row"' : ''}>${cells}</tr>`;
  };
  yield `<section class="card" id="leases" aria-labelledby="leases-h">
<h2 id="leases-h">Subnet leases <span class="muted">(${rows.length})</span></h2>
<div class="table-wrap"><table class="sortable" id="leases-table">
<thead><tr>${LEASE_COLUMNS.map((c) => `<th scope="col">${h(c)}</th>`).join('')}</tr></thead>
<tbody>
`;
  yield* joined(rows, '\n', row);
  yield `
</tbody></table></div>
</section>`;
}

function* integritySection(notes: IntegrityNote[]): Generator<string> {
  yield `<section class="card" id="integrity" aria-labelledby="integrity-h">
<h2 id="integrity-h">Bundle integrity</h2>
`;
  if (notes.length) {
    yield `<div class="table-wrap"><table class="sortable" id="integrity-table">
<thead><tr><th scope="col">Type</th><th scope="col">Input</th><th scope="col">Kind</th><th scope="col">Id</th><th scope="col">State</th><th scope="col">Message</th><th scope="col">File</th></tr></thead>
<tbody>
`;
    yield* joined(
      notes,
      '\n',
      (n) =>
        `<tr><td>${n.expected ? chip('info', 'ℹ informational') : chip('warn', '⚠ problem')}</td><td>${code(n.input)}</td><td>${h(n.kind)}</td><td>${n.id !== null ? code(n.id) : orDash(null)}</td><td>${h(n.state)}</td><td>${h(n.message)}</td><td>${n.file !== null ? code(n.file) : orDash(null)}</td></tr>`,
    );
    yield `
</tbody></table></div>
<p class="legend">Informational notes only say that something does not exist on that system (a tool not installed, an API the cluster does not use); they are not problems.</p>`;
  } else yield '<p class="muted">No integrity notes: every collected command gave complete data.</p>';
  yield `
</section>`;
}

/** The page in pieces (one per finding, table row, note), written one after the other by the CLI. */
export function* renderHtmlChunks(report: Report): Generator<string> {
  const { verdict, headline } = verdictOf(report);
  const num: Numbers = new Map(report.findings.map((f, i) => [f, i + 1]));
  const title = `flannel-diag report: ${verdict.toUpperCase()} ${headline}`;
  yield `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(CSP)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="flannel-diag ${h(report.tool.version)}">
<link rel="icon" href="data:,">
<title>${h(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header class="page-head"><h1>flannel-diag report</h1><span class="muted">generated ${h(report.generatedAt)} by flannel-diag ${h(report.tool.version)}</span></header>
${verdictSection(report, num)}
${analyzedSection(report)}
`;
  yield* findingsSection(report, num);
  yield '\n';
  yield* nodeTable(report.nodes ?? []);
  yield '\n';
  yield* leaseTable(report.leases ?? []);
  yield '\n';
  yield* integritySection(report.integrity ?? []);
  yield `
<footer>Every value in this report comes from the analyzed support bundle and is shown as text. Format ${h(report.format)}.</footer>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

export function renderHtml(report: Report): string {
  return [...renderHtmlChunks(report)].join('');
}
