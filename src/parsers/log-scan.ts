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

/** How much of the log is read to tell rare characters from common ones: slices spread over it. */
const SAMPLE_SLICES = 16;
const SAMPLE_SLICE = 1024;

/** Character counts over SAMPLE_SLICES slices spread evenly over the text (the start of a log is its least typical part). */
function sampleFrequencies(text: string, begin: number): Map<number, number> {
  const freq = new Map<number, number>();
  const span = text.length - begin;
  const step = Math.max(SAMPLE_SLICE, Math.floor(span / SAMPLE_SLICES));
  for (let s = begin; s < text.length; s += step) {
    const end = Math.min(text.length, s + SAMPLE_SLICE);
    for (let i = s; i < end; i++) {
      const c = text.charCodeAt(i);
      freq.set(c, (freq.get(c) ?? 0) + 1);
    }
  }
  return freq;
}

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
   * The text is searched for a few single characters (a single-character indexOf is a memchr), each the
   * anchor of several literals, and the places found are checked against those literals. Anchors are
   * chosen greedily, as a weighted set cover: the character with the fewest occurrences (counted in
   * slices spread over the log) per literal it would newly cover, until every literal has one. Every
   * occurrence of a literal holds its anchor, so none is missed. Searching every literal in full costs
   * several times more (tens of literals over MiBs); one anchor per literal stopped twice as often.
   */
  private candidateStarts(begin: number): number[] | null {
    const { text, literals } = this;
    if (literals === null || literals.some((l) => l === '')) return null;
    const freq = sampleFrequencies(text, begin);
    const uncovered = new Set(literals);
    const byAnchor = new Map<string, { literal: string; offset: number; next: number }[]>([['\\', [{ literal: '\\', offset: 0, next: -1 }]]]);
    while (uncovered.size > 0) {
      let best = '';
      let bestCost = Infinity;
      const seen = new Set<string>();
      for (const literal of uncovered) {
        for (const ch of literal) {
          if (seen.has(ch)) continue;
          seen.add(ch);
          let n = 0;
          for (const l of uncovered) if (l.includes(ch)) n++;
          const cost = (freq.get(ch.charCodeAt(0)) ?? 0) / n;
          if (cost < bestCost) {
            bestCost = cost;
            best = ch;
          }
        }
      }
      const group = byAnchor.get(best) ?? byAnchor.set(best, []).get(best)!;
      for (const literal of [...uncovered]) {
        const offset = literal.indexOf(best);
        if (offset === -1) continue;
        // the character after the anchor (or before it), compared before the whole literal is
        const next = offset + 1 < literal.length ? offset + 1 : offset - 1;
        group.push({ literal, offset, next });
        uncovered.delete(literal);
      }
    }
    const starts: number[] = [];
    for (const [anchor, group] of byAnchor) {
      let from = begin;
      for (;;) {
        const at = text.indexOf(anchor, from);
        if (at === -1) break;
        from = at + 1;
        for (const { literal, offset, next } of group) {
          const start = at - offset;
          if (start < begin || (next !== -1 && text.charCodeAt(start + next) !== literal.charCodeAt(next))) continue;
          if (text.startsWith(literal, start)) {
            starts.push(Math.max(text.lastIndexOf('\n', start - 1) + 1, begin));
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
