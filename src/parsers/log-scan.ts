// One pass over a log that parses only the lines a signature could match. Why: a node's log is MiBs of
// lines and nearly none of them match; parsing every timestamp was most of the cost of a node.
//
// Every signature has literals, one of which a matching message contains (engine/signatures.ts), and a line's
// message is a substring of the line unless the line holds a backslash (logrus unescapes `\"`, `\n`).
// So the literals, and the backslash, are searched in the whole text at once, and only the lines holding
// one are parsed and yielded. The other lines are only counted; the first and last timestamps are taken
// from the first and last lines that have one.
// Lines, line numbers, skipped over-long lines and times are exactly those of iterateLogLines.
import { parseLogLine, type LogOptions } from './log.js';
import type { LogLine, ParseIssue } from './types.js';
import { LineCursor, MAX_LINE_LENGTH, type TextLike } from './util.js';

/** Literals shorter than this are searched one by one (a window this short would seldom let the search skip). */
const MIN_WINDOW = 4;
/** Characters hashed per step of the search: 3 tells literal text from other text far better than 2. */
const BLOCK = 3;
const TABLE_BITS = 16;
const TABLE_MASK = (1 << TABLE_BITS) - 1;

function blockHash(c0: number, c1: number, c2: number): number {
  return ((c0 * 131 + c1) * 131 + c2) & TABLE_MASK;
}

/**
 * Where any of a set of literals occurs in a text, found by skipping (Wu-Manber): the search looks at the
 * last 3 characters of a window as long as the shortest literal and jumps ahead by as much as no literal
 * allows there, so most of the text is never looked at (on a flanneld log: ~1 step per 6 characters).
 * The literals come from rule files; the work per step is bounded by them, so a hostile log costs time
 * linear in its length.
 */
export class LiteralSearch {
  /** the window: the length of the shortest literal searched by skipping */
  private readonly window: number;
  private readonly shift: Uint8Array;
  /** the literals whose window ends with a block, by the block's hash */
  private readonly ending = new Map<number, string[]>();
  /** literals too short to skip by, and the backslash: searched one by one */
  readonly short: string[];

  /** The search for these literals; null when one is empty (every line may then match: none is skipped). */
  static for(literals: readonly string[] | null): LiteralSearch | null {
    return literals === null || literals.some((l) => l === '') ? null : new LiteralSearch(literals);
  }

  constructor(literals: readonly string[]) {
    const long = literals.filter((l) => l.length >= MIN_WINDOW);
    this.short = [...new Set(['\\', ...literals.filter((l) => l.length < MIN_WINDOW)])];
    this.window = long.length ? Math.min(...long.map((l) => l.length)) : 0;
    this.shift = new Uint8Array(1 << TABLE_BITS).fill(Math.min(255, this.window - BLOCK + 1));
    for (const l of new Set(long)) {
      for (let q = BLOCK - 1; q < this.window; q++) {
        const h = blockHash(l.charCodeAt(q - 2), l.charCodeAt(q - 1), l.charCodeAt(q));
        const ahead = this.window - 1 - q;
        if (ahead < this.shift[h]) this.shift[h] = ahead;
        if (ahead === 0) (this.ending.get(h) ?? this.ending.set(h, []).get(h)!).push(l);
      }
    }
  }

  /**
   * Calls `hit(at)` for each place in [begin, length) where a literal starts, in order; `hit` returns where
   * the search goes on (at least at + 1), so a caller can skip the rest of a line.
   */
  forEach(text: TextLike, begin: number, hit: (at: number) => number): void {
    const { window, shift, ending } = this;
    const n = text.length;
    if (window > 0) {
      let pos = begin + window - 1;
      while (pos < n) {
        const h = blockHash(text.charCodeAt(pos - 2), text.charCodeAt(pos - 1), text.charCodeAt(pos));
        const ahead = shift[h];
        if (ahead !== 0) {
          pos += ahead;
          continue;
        }
        const at = pos - window + 1;
        let found = false;
        for (const l of ending.get(h)!) {
          if (text.startsWith(l, at)) {
            found = true;
            break;
          }
        }
        pos = found ? Math.max(hit(at), at + 1) + window - 1 : pos + 1;
      }
    }
    for (const l of this.short) {
      for (let from = begin; ; ) {
        const at = text.indexOf(l, from);
        if (at === -1) break;
        from = Math.max(hit(at), at + 1);
      }
    }
  }
}

export class LogScan implements Iterable<LogLine> {
  /** non-empty lines (over-long ones excluded), as iterateLogLines yields them; final after iteration */
  lines = 0;
  firstTime: string | null = null;
  lastTime: string | null = null;

  /** `search`: the signatures' literals (LiteralSearch.for); null means any line may match: every line is parsed and yielded. */
  constructor(
    private readonly text: TextLike,
    private readonly file: string,
    private readonly referenceYear: number,
    private readonly opts: LogOptions,
    private readonly search: LiteralSearch | null,
    private readonly issues: ParseIssue[] = [],
  ) {}

  /** Sorted starts of the lines holding a literal or a backslash; null when every line is a candidate. */
  private candidateStarts(begin: number): number[] | null {
    const { text, search } = this;
    if (search === null) return null;
    const starts: number[] = [];
    search.forEach(text, begin, (at) => {
      starts.push(Math.max(text.lastIndexOf('\n', at - 1) + 1, begin));
      // one hit per line is enough: go on after this line, so that the backward search above never
      // crosses a line already scanned (a 60 MB line of repeated literals was quadratic)
      const eol = text.indexOf('\n', at);
      return eol === -1 ? text.length : eol + 1;
    });
    return starts.sort((a, b) => a - b);
  }

  *[Symbol.iterator](): Generator<LogLine> {
    const { text, file } = this;
    const begin = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 BOM is not content
    const starts = this.candidateStarts(begin);
    let k = 0;
    const lines = new LineCursor(text, file, this.issues);
    while (lines.next()) {
      const { no, start, stop } = lines;
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
