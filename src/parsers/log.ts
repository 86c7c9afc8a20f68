// flanneld logs in the shapes a bundle can hold: bare klog (container log), journald `short` and
// `short-iso` prefixes, CRI log files (`<RFC3339Nano> stderr F …`), `docker logs -t`, k3s logrus lines and
// plain text. Lines are produced lazily so a 20 MiB log is never held twice.
import type { LogLine, Parsed, ParseIssue } from './types.js';
import { iterLines, monthNumber, toIsoUtc, utcMs } from './util.js';

// All patterns are anchored at the start, use bounded or disjoint repetitions and never run over the
// message itself: linear in the prefix length.
const KLOG = /^([IWEF])(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? +\d+ [^ \]]{1,256}\] ?/;
const SYSLOG = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? /;
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})? /;
/** journald host and identifier: `node-a flanneld[812]: ` */
const JOURNAL_SOURCE = /^[^ ]{1,255} [^ :]{1,255}: /;
const CRI_STREAM = /^(?:stdout|stderr) [FP] /;

const LOGRUS_LEVELS: ReadonlyMap<string, string> = new Map([
  ['trace', 'I'], ['debug', 'I'], ['info', 'I'], ['warning', 'W'], ['warn', 'W'], ['error', 'E'], ['fatal', 'F'], ['panic', 'F'],
]);

export interface LogOptions {
  /** the collection time's month (1-12): klog and syslog lines from a later month belong to the year before */
  referenceMonth?: number;
}

function yearFor(month: number, referenceYear: number, opts: LogOptions): number {
  return opts.referenceMonth !== undefined && month > opts.referenceMonth ? referenceYear - 1 : referenceYear;
}

function isoFrom(m: RegExpExecArray, offsetIdx: number): string | null {
  const ms = utcMs(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7] ?? '');
  if (ms === null) return null;
  const zone = offsetIdx < m.length ? m[offsetIdx] : undefined;
  let shift = 0;
  if (zone !== undefined && zone !== 'Z') {
    const digits = zone.replace(':', '');
    shift = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * (zone[0] === '-' ? -1 : 1);
  }
  return toIsoUtc(ms - shift * 60_000);
}

/** `time="…" level=info msg="…"` → level and unescaped message, or null when it is not logrus. */
function logrus(s: string): { time: string | null; level: string | null; text: string } | null {
  if (!s.startsWith('time="')) return null;
  const tEnd = s.indexOf('"', 6);
  if (tEnd === -1) return null;
  const m = ISO.exec(s.slice(6, tEnd) + ' ');
  const time = m ? isoFrom(m, 8) : null;
  const lv = s.indexOf(' level=', tEnd);
  let level: string | null = null;
  if (lv !== -1) {
    const end = s.indexOf(' ', lv + 7);
    level = LOGRUS_LEVELS.get(s.slice(lv + 7, end === -1 ? s.length : end)) ?? null;
  }
  const msg = s.indexOf(' msg="', tEnd);
  let text = s;
  if (msg !== -1) {
    // the message runs to the next unescaped quote
    let out = '';
    let i = msg + 6;
    for (; i < s.length && s[i] !== '"'; i++) {
      if (s[i] === '\\' && i + 1 < s.length) {
        const e = s[++i];
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e;
      } else out += s[i];
    }
    text = out;
  }
  return { time, level, text };
}

// epoch seconds; a longer number (zap's millisecond or nanosecond encoders) is not read as seconds
const ZAP_EPOCH = /^\d{9,11}(?:\.\d{1,9})?(?![\d.])/;

/**
 * A zap JSON line, as the etcd v3 client (flannel >= 0.18) writes it into flanneld's log:
 * `{"level":"warn","ts":"2026-11-26T05:11:48.864Z",...,"msg":"retrying of unary invoker failed",...}`.
 * Its time (`ts`: ISO 8601, or epoch seconds with zap's default encoder) and level; the line itself stays
 * the text, so that signatures see every field. Null when it is not such a line.
 */
function zap(s: string): { time: string | null; level: string | null } | null {
  if (!s.startsWith('{"level":"')) return null;
  const lvEnd = s.indexOf('"', 10);
  const level = lvEnd === -1 ? null : (LOGRUS_LEVELS.get(s.slice(10, lvEnd)) ?? null);
  const ts = s.indexOf('"ts":', 10);
  let time: string | null = null;
  if (ts !== -1 && ts < 256) {
    if (s[ts + 5] === '"') {
      const end = s.indexOf('"', ts + 6);
      const m = end === -1 || end - ts > 64 ? null : ISO.exec(`${s.slice(ts + 6, end)} `);
      time = m ? isoFrom(m, 8) : null;
    } else {
      const m = ZAP_EPOCH.exec(s.slice(ts + 5, ts + 30));
      if (m) time = toIsoUtc(Math.round(Number(m[0]) * 1000));
    }
  }
  return { time, level };
}

/** The klog header of `s`, or null. */
function klog(s: string, referenceYear: number, opts: LogOptions): LogLine | null {
  const m = KLOG.exec(s);
  if (!m) return null;
  const month = Number(m[2]);
  const ms = utcMs(yearFor(month, referenceYear, opts), month, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7] ?? '');
  return { line: 0, time: ms === null ? null : toIsoUtc(ms), level: m[1], text: s.slice(m[0].length) };
}

/** The message part after a timestamp prefix: klog or logrus inside wins, else the time of the prefix. */
function inner(rest: string, time: string | null, referenceYear: number, opts: LogOptions): LogLine {
  const k = klog(rest, referenceYear, opts);
  if (k) return k;
  const l = logrus(rest);
  if (l) return { line: 0, time: l.time ?? time, level: l.level, text: l.text };
  const z = zap(rest);
  // a journald or CRI prefix's time is kept: `ts` dates lines that have none (bare container logs)
  if (z) return { line: 0, time: time ?? z.time, level: z.level, text: rest };
  return { line: 0, time, level: null, text: rest };
}

/** Parses one log line (without its newline). */
export function parseLogLine(s: string, no: number, referenceYear: number, opts: LogOptions = {}): LogLine {
  let out: LogLine;
  const iso = ISO.exec(s);
  const sys = iso ? null : SYSLOG.exec(s);
  if (iso) {
    const time = isoFrom(iso, 8);
    let rest = s.slice(iso[0].length);
    const cri = CRI_STREAM.exec(rest);
    if (cri) rest = rest.slice(cri[0].length);
    else if (iso[8] !== undefined && iso[8] !== 'Z') {
      // journald short-iso prints a numeric zone and `host ident[pid]: `; CRI and `docker logs -t` print `Z`
      const src = JOURNAL_SOURCE.exec(rest);
      if (src) rest = rest.slice(src[0].length);
    }
    out = inner(rest, time, referenceYear, opts);
  } else if (sys && monthNumber(sys[1]) !== undefined) {
    const month = monthNumber(sys[1]) as number;
    const ms = utcMs(yearFor(month, referenceYear, opts), month, Number(sys[2]), Number(sys[3]), Number(sys[4]), Number(sys[5]), sys[6] ?? '');
    let rest = s.slice(sys[0].length);
    const src = JOURNAL_SOURCE.exec(rest);
    if (src) rest = rest.slice(src[0].length);
    out = inner(rest, ms === null ? null : toIsoUtc(ms), referenceYear, opts);
  } else {
    out = inner(s, null, referenceYear, opts);
  }
  out.line = no;
  return out;
}

/** Lazily parses a log; over-long lines are skipped with an issue pushed to `issues` when given. */
export function* iterateLogLines(text: string, file: string, referenceYear: number, opts: LogOptions = {}, issues: ParseIssue[] = []): Generator<LogLine> {
  for (const { no, text: s } of iterLines(text, file, issues)) {
    if (s === '') continue;
    yield parseLogLine(s, no, referenceYear, opts);
  }
}

export function parseLogLines(text: string, file: string, referenceYear: number, opts: LogOptions = {}): Parsed<LogLine[]> {
  const issues: ParseIssue[] = [];
  const value = Array.from(iterateLogLines(text, file, referenceYear, opts, issues));
  return { value, issues };
}
