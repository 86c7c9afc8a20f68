// Process listings: `TZ=UTC LC_ALL=C ps -eo pid,ppid,lstart,etimes,args ww`, the busybox fallback
// `ps -o pid,ppid,args`, /proc/PID/cmdline (one argv element per line) and the redacted environ.
import type { EnvVar, Parsed, ParseIssue, ProcessRow } from './types.js';
import { basename, clip, collectLines, fieldSpans, hasNul, issue, iterLines, monthNumber, toInt, toIsoUtc, utcMs } from './util.js';

type PsLayout = 'lstart' | 'busybox';

function detectLayout(header: string): PsLayout | null {
  const cols = header.trim().split(/[ \t]+/);
  if (cols[0] !== 'PID' || cols[1] !== 'PPID') return null;
  if (cols.length === 5 && cols[2] === 'STARTED' && cols[3] === 'ELAPSED') return 'lstart';
  if (cols.length === 3 && (cols[2] === 'COMMAND' || cols[2] === 'ARGS')) return 'busybox';
  return null;
}

/** `Thu Nov 26 05:13:06 2026` (ps prints local time; the collector sets TZ=UTC) → ISO UTC. */
export function lstartToIso(dow: string, mon: string, day: string, hms: string, year: string): string | null {
  void dow;
  const m = monthNumber(mon);
  const d = toInt(day);
  const y = toInt(year);
  const t = /^(\d{2}):(\d{2}):(\d{2})$/.exec(hms);
  if (!m || d === null || y === null || !t) return null;
  const ms = utcMs(y, m, d, Number(t[1]), Number(t[2]), Number(t[3]));
  return ms === null ? null : toIsoUtc(ms);
}

function commandOf(args: string): string {
  const sp = args.indexOf(' ');
  const argv0 = sp === -1 ? args : args.slice(0, sp);
  // kernel threads print as `[kthreadd]`: a bracketed name is not a path
  return argv0.startsWith('[') ? argv0 : basename(argv0);
}

/**
 * The rows of a process listing. With `mentioning`, only rows whose line holds one of those words are
 * parsed (a node runs hundreds of processes; the facts need flanneld's and k3s/rke2's): the others are
 * neither parsed nor checked.
 */
export function parsePs(text: string, file: string, mentioning?: readonly string[]): Parsed<ProcessRow[]> {
  const issues: ParseIssue[] = [];
  const rows: ProcessRow[] = [];
  let layout: PsLayout | null | undefined;
  for (const { no, text: line } of iterLines(text, file, issues)) {
    if (line.trim() === '') continue;
    if (layout === undefined) {
      layout = detectLayout(line);
      if (layout === null) {
        issues.push(issue(file, no, `unrecognised ps header: ${clip(line, 80)}`));
        return { value: rows, issues };
      }
      continue;
    }
    if (mentioning && !mentioning.some((word) => line.includes(word))) continue;
    const want = layout === 'lstart' ? 8 : 2;
    const spans = fieldSpans(line, want + 1);
    const f = spans.map((s) => line.slice(s.start, s.end));
    const pid = toInt(f[0]);
    const ppid = toInt(f[1]);
    if (spans.length < want + 1 || pid === null || ppid === null) {
      issues.push(issue(file, no, `malformed ps row: ${clip(line, 80)}`));
      continue;
    }
    let startedAt: string | null = null;
    let elapsedSeconds: number | null = null;
    if (layout === 'lstart') {
      startedAt = lstartToIso(f[2], f[3], f[4], f[5], f[6]);
      elapsedSeconds = toInt(f[7]);
      if (startedAt === null) issues.push(issue(file, no, `unreadable start time: ${f.slice(2, 7).join(' ')}`, spans[2].start + 1));
      if (elapsedSeconds === null) issues.push(issue(file, no, `unreadable elapsed time: ${f[7]}`, spans[7].start + 1));
    }
    const args = line.slice(spans[want].start).trimEnd();
    rows.push({ pid, ppid, startedAt, elapsedSeconds, args, command: commandOf(args), line: no });
  }
  if (layout === undefined) issues.push(issue(file, null, 'empty ps output'));
  return { value: rows, issues };
}

/** Splits cmdline.txt / environ.txt: one element per line, or NUL-separated when given the raw /proc file. */
function elements(text: string, file: string, issues: ParseIssue[]): { no: number; text: string }[] {
  if (hasNul(text)) {
    const parts = text.split('\0');
    if (parts[parts.length - 1] === '') parts.pop(); // the trailing NUL
    return parts.map((t, i) => ({ no: i + 1, text: t }));
  }
  return collectLines(text, file, issues);
}

/** cmdline.txt: the exact argv, one element per line (elements may contain spaces, or be empty). */
export function parseCmdline(text: string, file: string): Parsed<string[]> {
  const issues: ParseIssue[] = [];
  const argv = elements(text, file, issues).map((l) => l.text);
  if (argv.length === 0) issues.push(issue(file, null, 'empty cmdline (a kernel thread or an exited process)'));
  return { value: argv, issues };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** environ.txt: NAME=value lines (value may contain `=` and spaces). */
export function parseEnviron(text: string, file: string): Parsed<EnvVar[]> {
  const issues: ParseIssue[] = [];
  const vars: EnvVar[] = [];
  for (const { no, text: line } of elements(text, file, issues)) {
    if (line === '') continue;
    const eq = line.indexOf('=');
    const name = eq === -1 ? '' : line.slice(0, eq);
    if (eq <= 0 || name.length > 256 || !ENV_NAME.test(name)) {
      issues.push(issue(file, no, `not a NAME=value line: ${clip(line, 80)}`));
      continue;
    }
    vars.push({ name, value: line.slice(eq + 1), line: no });
  }
  return { value: vars, issues };
}

export interface ProcStatStart {
  pid: number;
  ppid: number;
  /** the command name as the kernel keeps it (at most 15 characters) */
  comm: string;
  /** field 22: ticks since boot */
  startTicks: number;
  /** boot time + ticks / CLK_TCK, ISO UTC */
  startedAt: string | null;
}

/**
 * /proc/PID/stat → start time. `comm` may hold spaces and parentheses, so fields are read after the
 * LAST `)`. `btime` is /proc/stat's boot time (epoch seconds), `clkTck` usually 100.
 */
export function parseProcStatStart(text: string, file: string, btime: number, clkTck = 100): Parsed<ProcStatStart | null> {
  const issues: ParseIssue[] = [];
  const line = collectLines(text, file, issues).find((l) => l.text.trim() !== '');
  if (!line) {
    issues.push(issue(file, null, 'empty /proc/PID/stat'));
    return { value: null, issues };
  }
  const open = line.text.indexOf('(');
  const close = line.text.lastIndexOf(')');
  const pid = toInt(line.text.slice(0, open === -1 ? 0 : open).trim());
  const rest = close === -1 ? [] : line.text.slice(close + 1).trim().split(/[ \t]+/);
  // rest[0] is field 3 (state), so field N is rest[N - 3]
  const ppid = toInt(rest[1]);
  const ticks = toInt(rest[19]);
  if (open === -1 || close < open || pid === null || ppid === null || ticks === null) {
    issues.push(issue(file, line.no, `malformed /proc/PID/stat: ${clip(line.text, 80)}`));
    return { value: null, issues };
  }
  const ok = Number.isFinite(btime) && Number.isFinite(clkTck) && clkTck > 0;
  if (!ok) issues.push(issue(file, line.no, `cannot compute the start time: btime ${btime}, CLK_TCK ${clkTck}`));
  const startedAt = ok ? toIsoUtc(Math.round((btime + ticks / clkTck) * 1000)) : null;
  return { value: { pid, ppid, comm: line.text.slice(open + 1, close), startTicks: ticks, startedAt }, issues };
}
