// Structural checks of rendered Markdown, following how GitHub (cmark-gfm) reads it.
import assert from 'node:assert/strict';

/** Lines outside fenced code blocks; also reports whether every fence was closed. */
export function outsideFences(md: string): { lines: string[]; balanced: boolean } {
  const out: string[] = [];
  let open: string | null = null;
  for (const line of md.split('\n')) {
    const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (open === null) {
      if (m) {
        open = m[1] as string;
        continue;
      }
      out.push(line);
    } else if (m && (m[1] as string)[0] === open[0] && (m[1] as string).length >= open.length && (m[2] as string).trim() === '') {
      open = null;
    }
  }
  return { lines: out, balanced: open === null };
}

/** Removes inline code spans (a run of n backticks up to the next run of exactly n), skipping backslash escapes. */
export function withoutCodeSpans(line: string): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) {
      out += line.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '`') {
      let n = 0;
      while (line[i + n] === '`') n++;
      // find the closing run of exactly n backticks
      let j = i + n;
      let close = -1;
      while (j < line.length) {
        if (line[j] === '`') {
          let k = 0;
          while (line[j + k] === '`') k++;
          if (k === n) {
            close = j;
            break;
          }
          j += k;
        } else j++;
      }
      if (close >= 0) {
        out += '<code>';
        i = close + n;
      } else {
        out += line.slice(i, i + n);
        i += n;
      }
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** Markdown text that the renderer parses as markup: outside code blocks and code spans. */
export function markupText(md: string): string[] {
  return outsideFences(md).lines.map(withoutCodeSpans);
}

/** The characters of `s` at which an unescaped `ch` sits (not preceded by an odd number of backslashes). */
export function unescaped(s: string, ch: string): number[] {
  const at: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== ch) continue;
    let bs = 0;
    for (let j = i - 1; j >= 0 && s[j] === '\\'; j--) bs++;
    if (bs % 2 === 0) at.push(i);
  }
  return at;
}

/** Every GFM table (consecutive lines starting with `|`) keeps its header's column count in each row. */
export function assertTablesIntact(md: string): number {
  const lines = outsideFences(md).lines;
  let tables = 0;
  let header: number | null = null;
  for (const line of lines) {
    if (!line.startsWith('|')) {
      header = null;
      continue;
    }
    const pipes = unescaped(line, '|').length;
    if (header === null) {
      header = pipes;
      tables++;
    } else {
      assert.equal(pipes, header, `table row has ${pipes - 1} cells instead of ${header - 1}: ${line}`);
    }
    assert.ok(line.endsWith('|') && unescaped(line, '|').at(-1) === line.length - 1, `table row does not end with a cell separator: ${line}`);
  }
  return tables;
}

const OUR_HEADINGS = /^#{1,3} (flannel-diag report|\d+\. |✖ |⚠ |○ |✔ |Nodes \(|Subnet leases \(|Bundle integrity$|What was analyzed \()/;

/** No value can open markup: links, images, HTML, headings, quotes; only http(s) autolinks of references. */
export function assertNoInjectedMarkup(md: string): void {
  assert.equal(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(md), false, 'control characters in Markdown');
  const { balanced } = outsideFences(md);
  assert.ok(balanced, 'every code fence is closed');
  for (const line of markupText(md)) {
    assert.equal(/(?<!\\)\]\(\s*javascript:/i.test(line), false, `a javascript: link: ${line}`);
    assert.deepEqual(unescaped(line, '['), [], `an unescaped [ (a link or image could open): ${line}`);
    // the only unescaped < is an autolink of an http(s) URL
    for (const at of unescaped(line, '<')) {
      const rest = line.slice(at);
      assert.ok(rest.startsWith('<code>') || /^<https?:\/\/[^\s<>]+>/.test(rest), `an unescaped < (HTML or a non-http autolink): ${line}`);
    }
    assert.equal(/(?<!\\)<(script|img|iframe|svg)/i.test(line), false, `raw HTML: ${line}`);
    if (line.startsWith('#')) assert.match(line, OUR_HEADINGS, `a heading that is not the renderer's: ${line}`);
    assert.equal(/^\s{0,3}>/.test(line), false, `a block quote from a value: ${line}`);
    assert.equal(/(^|[^\\])(https?|ftp):\/\//i.test(line.replace(/<https?:\/\/[^\s<>]+>/g, '')), false, `an extended autolink from a value: ${line}`);
    assert.equal(/(^|[\s*_~(])www\./i.test(line), false, `a www. autolink from a value: ${line}`);
  }
}
