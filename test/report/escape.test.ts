import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  codeBlock,
  codeSpan,
  escapeHtml,
  escapeMarkdownCell,
  escapeMarkdownInline,
  fenceFor,
  isSafeHttpUrl,
  oneLine,
  stripControl,
} from '../../src/report/escape.js';
import { HOSTILE } from './sample-report.js';
import { assertNoInjectedMarkup, unescaped } from './md-check.js';

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const NASTY = [
  ...Object.values(HOSTILE),
  'a\\|b',
  'a\\\\|b\\',
  '\\',
  '`|`',
  '``a``',
  '<https://evil.example>',
  '![img](http://evil.example/x.png)',
  '[ref]: http://evil.example',
  '# heading',
  '> quote',
  '- item',
  '1. item',
  '---',
  '***',
  '&lt;script&gt;',
  '&#x3C;img&#x3E;',
  '$$\\frac{1}{2}$$',
  'www.evil.example',
  'x@y.example',
  'text\r\noverwrite\rline',
  '\u009b31mC1 CSI\u009d0;title\u009c',
  '\u001bP+q\u001b\\DCS',
  '\u001b]0;title',
  '\u001b7\u001bc\u001b(B',
  'rtl \u202eexe.txt\u202c',
  '\u0000nul\u0007bel\u007fdel',
  '<!-- comment -->',
  '<details open><summary>x</summary>',
];

describe('stripControl', () => {
  it('removes CSI and OSC sequences whole, payload included', () => {
    assert.equal(stripControl(HOSTILE.sgr), 'RED');
    assert.equal(stripControl(HOSTILE.osc), 'link');
    assert.equal(stripControl('a\u001b]0;evil title\u001b\\b'), 'ab');
    assert.equal(stripControl('a\u001b]0;unterminated'), 'a');
    assert.equal(stripControl('a\u001bPq#0;2;0;0;0\u001b\\b'), 'ab');
    assert.equal(stripControl('a\u001b[2J\u001b[?25lb'), 'ab');
    assert.equal(stripControl('a\u001b7\u001bcb\u001b(B'), 'ab');
    assert.equal(stripControl('a\u001b'), 'a');
  });
  it('removes C0 (but tab and newline), DEL, C1 and bidi controls; normalizes CR LF', () => {
    assert.equal(stripControl('a\u0000b\u0007c\u0008d\u007fe\u0085f\u009bg'), 'abcdefg');
    assert.equal(stripControl('a\tb\nc'), 'a\tb\nc');
    assert.equal(stripControl('a\r\nb\rc'), 'a\nbc');
    assert.equal(stripControl('a\u202eb\u2066c\u200fd'), 'abcd');
    assert.equal(stripControl('a\u2028b'), 'a\nb');
  });
  it('leaves no control character in any hostile value', () => {
    for (const s of NASTY) assert.equal(CONTROL.test(stripControl(s)), false, JSON.stringify(s));
  });
  it('keeps ordinary text, including non-ASCII', () => {
    assert.equal(stripControl('Zürich — 10.244.0.0/16 ✔ 東京'), 'Zürich — 10.244.0.0/16 ✔ 東京');
  });
  it('oneLine flattens newlines and tabs', () => {
    assert.equal(oneLine('a\n  b\tc\r\nd'), 'a b c d');
  });
});

describe('escapeHtml', () => {
  it('escapes the HTML metacharacters for text and quoted attributes', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&\`</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;');
  });
  it('leaves no tag, quote or control character from any hostile value', () => {
    for (const s of NASTY) {
      const out = escapeHtml(s);
      assert.equal(/[<>"'`]/.test(out), false, JSON.stringify(s));
      assert.equal(CONTROL.test(out), false, JSON.stringify(s));
      assert.equal(/&(?!(amp|lt|gt|quot|#39|#96);)/.test(out), false, `a bare & in ${JSON.stringify(out)}`);
    }
  });
});

describe('escapeMarkdownInline / escapeMarkdownCell', () => {
  it('escapes markup characters and breaks autolinks', () => {
    assert.equal(escapeMarkdownInline(HOSTILE.mdLink), '\\[click\\]\\(javascript:alert(1))');
    assert.equal(escapeMarkdownInline('f(x) [a]'), 'f(x) \\[a\\]');
    assert.equal(escapeMarkdownInline('see http://evil.example'), 'see http\\://evil.example');
    assert.equal(escapeMarkdownInline('www.evil.example'), 'www\\.evil.example');
    assert.equal(escapeMarkdownInline('*a* _b_ `c` ~d~ $e$'), '\\*a\\* \\_b\\_ \\`c\\` \\~d\\~ \\$e\\$');
    assert.equal(escapeMarkdownInline('<b>&amp;'), '&lt;b&gt;\\&amp;');
  });
  it('escapes block markup at the start of a value but leaves addresses alone', () => {
    assert.equal(escapeMarkdownInline('# h'), '\\# h');
    assert.equal(escapeMarkdownInline('> q'), '&gt; q', 'an entity cannot start a block quote');
    assert.equal(escapeMarkdownInline('- item'), '\\- item');
    assert.equal(escapeMarkdownInline('+ item'), '\\+ item');
    assert.equal(escapeMarkdownInline('---'), '\\---');
    assert.equal(escapeMarkdownInline('1. item'), '1\\. item');
    assert.equal(escapeMarkdownInline('10.244.0.0/16'), '10.244.0.0/16');
    assert.equal(escapeMarkdownInline('-1'), '-1');
  });
  it('puts every value on one line', () => {
    assert.equal(escapeMarkdownInline(HOSTILE.newline), 'first line second line');
  });
  it('never leaves an unescaped pipe, newline or control character in a cell', () => {
    for (const s of NASTY) {
      const out = escapeMarkdownCell(s);
      assert.deepEqual(unescaped(out, '|'), [], JSON.stringify(s));
      assert.equal(/[\n\r]/.test(out), false);
      assert.equal(CONTROL.test(out), false);
      assert.ok(out.length > 0);
    }
    assert.equal(escapeMarkdownCell(''), ' ');
    assert.equal(escapeMarkdownCell('a\\|b'), 'a\\\\\\|b');
  });
  it('lets no hostile value open markup, as a line or inside a table row', () => {
    for (const s of NASTY) {
      assertNoInjectedMarkup(escapeMarkdownInline(s));
      assertNoInjectedMarkup(`| x | ${escapeMarkdownCell(s)} | y |`);
    }
  });
});

describe('code spans and fences', () => {
  it('fenceFor is longer than any backtick run', () => {
    assert.equal(fenceFor('plain'), '```');
    assert.equal(fenceFor('a ``` b'), '````');
    assert.equal(fenceFor('````\n`````'), '``````');
  });
  it('codeBlock cannot be closed by its content', () => {
    const block = codeBlock(`x\n${HOSTILE.ticks4}\n${HOSTILE.ticks3}\ny`, 'text');
    const lines = block.split('\n');
    const fence = /^`+/.exec(lines[0] as string)![0];
    assert.equal(lines.at(-1), fence);
    assert.equal(lines.slice(1, -1).some((l) => l.startsWith(fence)), false);
    assert.equal(CONTROL.test(codeBlock(HOSTILE.sgr + HOSTILE.osc)), false);
  });
  it('codeSpan uses a longer backtick run and pads edge backticks', () => {
    assert.equal(codeSpan('a'), '`a`');
    assert.equal(codeSpan('a`b'), '``a`b``');
    assert.equal(codeSpan('`x`'), '`` `x` ``');
    assert.equal(codeSpan('a\nb'), '`a b`');
    assert.equal(codeSpan(''), '` `');
  });
});

describe('isSafeHttpUrl', () => {
  it('accepts only plain http(s) URLs', () => {
    assert.ok(isSafeHttpUrl('https://github.com/flannel-io/flannel'));
    assert.ok(isSafeHttpUrl('http://example.com/a?b=c#d'));
    for (const bad of [
      HOSTILE.js,
      'JaVaScRiPt:alert(1)',
      HOSTILE.mdLink,
      'data:text/html,<script>',
      'file:///etc/passwd',
      '//evil.example',
      'https://example.com/a b',
      'http://evil.example/" onmouseover="x',
      'https://exa<mple.com',
      'https://example.com/\u001b[31m',
      'https:///nohost',
      'ftp://example.com',
    ]) {
      assert.equal(isSafeHttpUrl(bad), false, bad);
    }
  });
});
