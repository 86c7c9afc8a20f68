import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iterateLogLines } from '../../src/parsers/log.js';
import { LiteralSearch, LogScan } from '../../src/parsers/log-scan.js';
import { AsciiText, type TextLike } from '../../src/parsers/util.js';
import type { LogLine, ParseIssue } from '../../src/parsers/types.js';
import { sample } from '../helpers.js';

/** What the facts need from a log, the slow way: every line parsed. */
function reference(text: string, literals: string[]) {
  const issues: ParseIssue[] = [];
  let lines = 0;
  let firstTime: string | null = null;
  let lastTime: string | null = null;
  const hits: LogLine[] = [];
  for (const l of iterateLogLines(text, 'f.log', 2026, { referenceMonth: 11 }, issues)) {
    lines++;
    if (l.time) {
      firstTime ??= l.time;
      lastTime = l.time;
    }
    if (literals.some((x) => l.text.includes(x))) hits.push(l);
  }
  return { lines, firstTime, lastTime, hits, issues };
}

function scanned(text: TextLike, literals: string[] | null, want: string[]) {
  const issues: ParseIssue[] = [];
  const scan = new LogScan(text, 'f.log', 2026, { referenceMonth: 11 }, LiteralSearch.for(literals), issues);
  const hits = [...scan].filter((l) => want.some((x) => l.text.includes(x)));
  return { lines: scan.lines, firstTime: scan.firstTime, lastTime: scan.lastTime, hits, issues };
}

const LITERALS = ['Lease renewed', 'out of subnets', 'node "', 'Using interface with name'];
const texts: Record<string, string> = {
  klog: sample('synthetic-flanneld-klog.log'),
  journal: sample('synthetic-flanneld-journal.log'),
  mixed: [
    '\ufeffno time on the first line, Lease renewed',
    '',
    'I1126 05:13:06.101233     812 main.go:1] Lease renewed, new expiration: x',
    'x'.repeat(70 * 1024),
    'time="2026-11-26T05:13:07Z" level=error msg="failed: node \\"w-1\\" out of subnets"',
    'time="2026-11-26T05:13:08Z" level=info msg="Lease\\u0020renewed"\r',
    '\r',
    'Nov 26 05:13:09 node-a flanneld[812]: I1126 05:13:09.000001     812 match.go:263] Using interface with name eth0 and address 10.0.0.1',
    'plain line without a time',
    '',
  ].join('\n'),
  untimed: 'a Lease renewed\nb\n\nc out of subnets',
  empty: '',
  newlines: '\n\n\n',
};

for (const [name, text] of Object.entries(texts)) {
  test(`LogScan gives what iterating every line gives: ${name}`, () => {
    const ref = reference(text, LITERALS);
    assert.deepEqual(scanned(text, LITERALS, LITERALS), ref);
    assert.deepEqual(scanned(text, null, LITERALS), ref);
    assert.deepEqual(scanned(text, [...LITERALS, ''], LITERALS), ref);
    // an all-ASCII log is scanned in its bytes, with the same result
    if (/^[\x00-\x7f]*$/.test(text)) assert.deepEqual(scanned(new AsciiText(Buffer.from(text, 'latin1')), LITERALS, LITERALS), ref);
  });
}

test('LogScan parses only the lines holding a literal (or a backslash)', () => {
  const yielded = [...new LogScan(texts.mixed, 'f.log', 2026, {}, LiteralSearch.for(['Using interface']))].map((l) => l.line);
  assert.deepEqual(yielded, [5, 6, 8]);
});

test('LogScan agrees with iterating every line on random logs', () => {
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const pieces = ['I1126 05:13:06.101233     812 main.go:1] ', 'Lease ', 'renewed', 'out of ', 'subnets', 'node "', 'x', '\\', '"', ' ', '\r', 'Using interface with name', 'time="2026-11-26T05:13:07Z" msg="'];
  for (let round = 0; round < 200; round++) {
    const lines: string[] = [];
    for (let i = 0; i < 30; i++) lines.push(Array.from({ length: Math.floor(rnd() * 6) }, () => pieces[Math.floor(rnd() * pieces.length)]).join(''));
    const text = (rnd() < 0.2 ? '\ufeff' : '') + lines.join(rnd() < 0.5 ? '\n' : '\r\n');
    // literal sets of every length, short ones (searched one by one) among them
    const literals = round % 2 === 0 ? LITERALS : Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => {
      const p = pieces[Math.floor(rnd() * pieces.length)] + pieces[Math.floor(rnd() * pieces.length)];
      const from = Math.floor(rnd() * p.length);
      return p.slice(from, from + 1 + Math.floor(rnd() * 12));
    }).filter((l) => l !== '');
    const ref = reference(text, literals);
    assert.deepEqual(scanned(text, literals, literals), ref, text);
    if (!text.startsWith('\ufeff')) assert.deepEqual(scanned(new AsciiText(Buffer.from(text, 'latin1')), literals, literals), ref, text);
  }
});

test('LiteralSearch finds every occurrence a naive search finds (one per line, as the scan asks)', () => {
  let seed = 777;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const alphabet = 'ab \\n';
  for (let round = 0; round < 300; round++) {
    const text = Array.from({ length: Math.floor(rnd() * 200) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    const literals = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => 'ab '[Math.floor(rnd() * 3)]).join(''));
    const found = new Set<number>();
    new LiteralSearch(literals).forEach(text, 0, (at) => {
      found.add(at);
      return at + 1;
    });
    const naive = new Set<number>();
    for (let i = 0; i < text.length; i++) if (literals.some((l) => text.startsWith(l, i))) naive.add(i);
    // the backslash is always searched too (logrus escapes)
    for (let i = 0; i < text.length; i++) if (text[i] === '\\') naive.add(i);
    assert.deepEqual([...found].sort((x, y) => x - y), [...naive].sort((x, y) => x - y), JSON.stringify({ text, literals }));
  }
});

test('AsciiText answers as the string it encodes', () => {
  const s = 'ab\nab\r\n\nxyz ab';
  const t = new AsciiText(Buffer.from(s, 'latin1'));
  assert.equal(t.length, s.length);
  // 'Ċ' (U+010A) has the low byte of \n: a Buffer search for it would find the newline
  for (const needle of ['\n', 'ab', 'x', 'zz', 'b\r', 'Ċ', '', 'é\n']) {
    for (const from of [-5, -1, 0, 1, 3, 7, s.length - 1, s.length, s.length + 3, Number.NaN]) {
      assert.equal(t.indexOf(needle, from), s.indexOf(needle, from), `indexOf(${JSON.stringify(needle)}, ${from})`);
      assert.equal(t.lastIndexOf(needle, from), s.lastIndexOf(needle, from), `lastIndexOf(${JSON.stringify(needle)}, ${from})`);
      assert.equal(t.startsWith(needle, from), s.startsWith(needle, from), `startsWith(${JSON.stringify(needle)}, ${from})`);
    }
  }
  for (const [a, b] of [[0, 3], [2, undefined], [-3, undefined], [5, 2], [0, 100], [-100, -2]] as const) assert.equal(t.slice(a, b), s.slice(a, b), `slice(${a}, ${b})`);
  for (let i = -1; i <= s.length; i++) assert.ok(Object.is(t.charCodeAt(i), s.charCodeAt(i)), `charCodeAt(${i})`);
});
