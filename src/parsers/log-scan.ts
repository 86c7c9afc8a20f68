// One pass over a log that parses only the lines a signature could match. Why: a node's log is MiBs of
// lines and nearly none of them match; parsing every timestamp was most of the cost of a node.
//
// Every signature has a literal that a matching message contains (engine/signatures.ts), and a line's
// message is a substring of the line unless the line holds a backslash (logrus unescapes `\"`, `\n`).
// So the literals, and the backslash, are searched in the whole text at once, and only the lines holding
// one are parsed and yielded. The other lines are only counted; the first and last timestamps are taken
// from the first and last lines that have one.
// Lines, line numbers, skipped over-long lines and times are exactly those of iterateLogLines.
import { parseLogLine, type LogOptions } from './log.js';
import type { LogLine, ParseIssue } from './types.js';
import { lineSpans, MAX_LINE_LENGTH } from './util.js';

/** How much of the log is read to tell rare characters from common ones. */
const SAMPLE = 16 * 1024;

export class LogScan implements Iterable<LogLine> {
  /** non-empty lines (over-long ones excluded), as iterateLogLines yields them; final after iteration */
  lines = 0;
  firstTime: string | null = null;
  lastTime: string | null = null;

  /** `literals`: null (or an empty literal) means any line may match: every line is parsed and yielded. */
  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly referenceYear: number,
    private readonly opts: LogOptions,
    private readonly literals: readonly string[] | null,
    private readonly issues: ParseIssue[] = [],
  ) {}

  /**
   * Sorted starts of the lines holding a literal or a backslash; null when every line is a candidate.
   * Each literal is looked for through its rarest character (counted in the log's first 16 KiB): a
   * single-character indexOf is a memchr, and the few places it stops at are checked with startsWith.
   * Searching every literal in full costs several times more (tens of literals over MiBs).
   */
  private candidateStarts(begin: number): number[] | null {
    const { text, literals } = this;
    if (literals === null || literals.some((l) => l === '')) return null;
    const freq = new Uint32Array(65536);
    const sampleEnd = Math.min(text.length, begin + SAMPLE);
    for (let i = begin; i < sampleEnd; i++) freq[text.charCodeAt(i)]++;
    const byAnchor = new Map<string, { literal: string; offset: number }[]>([['\\', [{ literal: '\\', offset: 0 }]]]);
    for (const literal of new Set(literals)) {
      let offset = 0;
      for (let j = 1; j < literal.length; j++) if (freq[literal.charCodeAt(j)] < freq[literal.charCodeAt(offset)]) offset = j;
      const anchor = literal[offset];
      const group = byAnchor.get(anchor) ?? byAnchor.set(anchor, []).get(anchor)!;
      group.push({ literal, offset });
    }
    const starts: number[] = [];
    for (const [anchor, group] of byAnchor) {
      let from = begin;
      for (;;) {
        const at = text.indexOf(anchor, from);
        if (at === -1) break;
        from = at + 1;
        for (const { literal, offset } of group) {
          if (at - offset >= begin && text.startsWith(literal, at - offset)) {
            starts.push(Math.max(text.lastIndexOf('\n', at - offset - 1) + 1, begin));
            // one hit per line is enough: go on after this line, so that the backward search above
            // never crosses a line already scanned (a 60 MB line of repeated literals was quadratic)
            const eol = text.indexOf('\n', at);
            from = eol === -1 ? text.length : eol + 1;
            break;
          }
        }
      }
    }
    return starts.sort((a, b) => a - b);
  }

  *[Symbol.iterator](): Generator<LogLine> {
    const { text, file } = this;
    const begin = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 BOM is not content
    const starts = this.candidateStarts(begin);
    let k = 0;
    for (const { no, start, stop } of lineSpans(text, file, this.issues)) {
      if (stop === start) continue;
      this.lines++;
      if (starts !== null) while (k < starts.length && starts[k] < start) k++;
      const candidate = starts === null || (k < starts.length && starts[k] === start);
      if (candidate || this.firstTime === null) {
        const line = parseLogLine(text.slice(start, stop), no, this.referenceYear, this.opts);
        if (line.time) {
          this.firstTime ??= line.time;
          this.lastTime = line.time;
        }
        if (candidate) yield line;
      }
    }
    if (this.firstTime !== null && starts !== null) this.lastTime = this.lastTimeFromEnd(begin);
  }

  /** The time of the last line that has one, reading lines backwards from the end. */
  private lastTimeFromEnd(begin: number): string | null {
    const { text } = this;
    let segEnd = text.length;
    for (;;) {
      const nl = segEnd > begin ? text.lastIndexOf('\n', segEnd - 1) : -1;
      const segStart = Math.max(nl + 1, begin);
      let stop = segEnd;
      if (stop > segStart && text.charCodeAt(stop - 1) === 13) stop--;
      if (stop > segStart && stop - segStart <= MAX_LINE_LENGTH) {
        const time = parseLogLine(text.slice(segStart, stop), 0, this.referenceYear, this.opts).time;
        if (time) return time;
      }
      if (nl < begin) return this.lastTime;
      segEnd = nl;
    }
  }
}
