// Clock-sync state from timedatectl (status/show), chronyc -c tracking and ntpq -pn. Each yields one
// TimeSyncReading, or null with an issue when the tool could not answer (no systemd, no daemon).
import type { Parsed, ParseIssue, TimeSyncReading } from './types.js';
import { clip, collectLines, issue, toFloat, type TextLine } from './util.js';

/** Known "the tool could not answer" outputs. */
const TOOL_ERRORS = [
  'Failed to connect to bus',
  'System has not been booted with systemd',
  'Cannot talk to daemon',
  'Connection refused',
  'timed out, nothing received',
  'Request timed out',
  'command not found',
];

function toolError(lines: TextLine[]): TextLine | undefined {
  return lines.find((l) => TOOL_ERRORS.some((e) => l.text.includes(e)));
}

function failed(file: string, issues: ParseIssue[], at: TextLine | undefined, what: string): Parsed<TimeSyncReading | null> {
  issues.push(issue(file, at?.no ?? null, at ? `${what} could not answer: ${clip(at.text.trim(), 120)}` : `${what}: no synchronization state in the output`));
  return { value: null, issues };
}

function yesNo(v: string): boolean | null {
  const s = v.trim().toLowerCase();
  if (s === 'yes' || s === 'true' || s === '1') return true;
  if (s === 'no' || s === 'false' || s === '0') return false;
  return null;
}

/** `NTP service: active|inactive|n/a` (systemd 239+) or `NTP enabled: yes|no` (systemd 219). */
function ntpActiveValue(v: string): boolean | null {
  const s = v.trim().toLowerCase();
  if (s === 'active') return true;
  if (s === 'inactive') return false;
  return yesNo(s);
}

/** What one timedatectl output format calls its two answers, and how to read them. */
interface TimedatectlFormat {
  source: 'timedatectl-status' | 'timedatectl-show';
  what: string;
  separator: string;
  trimKey: boolean;
  syncKeys: readonly string[];
  ntpKeys: readonly string[];
  ntpValue: (v: string) => boolean | null;
}

/** Both timedatectl formats are key/value lines; they differ in separator and key names only. */
function parseTimedatectl(text: string, file: string, f: TimedatectlFormat): Parsed<TimeSyncReading | null> {
  const issues: ParseIssue[] = [];
  const lines = collectLines(text, file, issues);
  let synced: TextLine | undefined;
  let synchronized: boolean | null = null;
  let ntpActive: boolean | null = null;
  for (const l of lines) {
    const at = l.text.indexOf(f.separator);
    if (at === -1) continue;
    const key = f.trimKey ? l.text.slice(0, at).trim() : l.text.slice(0, at);
    const value = l.text.slice(at + 1);
    if (f.syncKeys.includes(key)) {
      synchronized = yesNo(value);
      synced = l;
      if (synchronized === null) issues.push(issue(file, l.no, `unexpected value: ${clip(l.text.trim(), 80)}`));
    } else if (f.ntpKeys.includes(key)) ntpActive = f.ntpValue(value);
  }
  if (!synced) return failed(file, issues, toolError(lines), f.what);
  return { value: { source: f.source, synchronized, ntpActive, offsetSeconds: null, line: synced.no, excerpt: clip(synced.text.trim()) }, issues };
}

/** `timedatectl status`: `System clock synchronized:`/`NTP service:` (239+) or `NTP synchronized:`/`NTP enabled:` (219). */
export function parseTimedatectlStatus(text: string, file: string): Parsed<TimeSyncReading | null> {
  return parseTimedatectl(text, file, {
    source: 'timedatectl-status',
    what: 'timedatectl',
    separator: ':',
    trimKey: true,
    syncKeys: ['System clock synchronized', 'NTP synchronized'],
    ntpKeys: ['NTP service', 'NTP enabled', 'Network time on'],
    ntpValue: ntpActiveValue,
  });
}

/** `timedatectl show` (systemd 239+): `NTPSynchronized=yes` (kernel adjtimex flag), `NTP=yes` (enabled). */
export function parseTimedatectlShow(text: string, file: string): Parsed<TimeSyncReading | null> {
  return parseTimedatectl(text, file, {
    source: 'timedatectl-show',
    what: 'timedatectl show',
    separator: '=',
    trimKey: false,
    syncKeys: ['NTPSynchronized'],
    ntpKeys: ['NTP'],
    ntpValue: yesNo,
  });
}

/** A negative zero would print as `-0`: normalise. */
const negate = (v: number): number => (v === 0 ? 0 : -v);

/**
 * `chronyc -c tracking`: 14 CSV fields, `refid,ip,stratum,reftime,systemTime,…,leapStatus`. The system
 * time is signed, negative when the clock is FAST; offsetSeconds is positive when ahead, so it is negated.
 * Ref id 00000000 or `Not synchronised` means no sync. The text form (`chronyc tracking`) is read too.
 */
export function parseChronycTracking(text: string, file: string): Parsed<TimeSyncReading | null> {
  const issues: ParseIssue[] = [];
  const lines = collectLines(text, file, issues);
  for (const l of lines) {
    const f = l.text.split(',');
    if (f.length < 14) continue;
    if (f.length > 14) issues.push(issue(file, l.no, `expected 14 CSV fields, found ${f.length}`));
    const system = toFloat(f[4]);
    if (system === null) issues.push(issue(file, l.no, `unreadable system time offset: ${clip(f[4], 40)}`));
    const leap = f[13].trim();
    const synchronized = f[0] !== '00000000' && leap !== 'Not synchronised';
    return {
      value: { source: 'chronyc-tracking', synchronized, ntpActive: true, offsetSeconds: system === null ? null : negate(system), line: l.no, excerpt: clip(l.text) },
      issues,
    };
  }
  // the human-readable form
  let refId: string | null = null;
  let offset: number | null = null;
  for (const l of lines) {
    const colon = l.text.indexOf(':');
    if (colon === -1) continue;
    const key = l.text.slice(0, colon).trim();
    const value = l.text.slice(colon + 1).trim();
    if (key === 'Reference ID') refId = value.split(' ', 1)[0];
    else if (key === 'System time') {
      const m = /^([0-9.]+) seconds (fast|slow) of NTP time$/.exec(value);
      const v = m ? toFloat(m[1]) : null;
      if (v !== null && m) offset = m[2] === 'fast' ? v : negate(v);
    } else if (key === 'Leap status') {
      const synchronized = refId !== '00000000' && value !== 'Not synchronised';
      return { value: { source: 'chronyc-tracking', synchronized, ntpActive: true, offsetSeconds: offset, line: l.no, excerpt: clip(l.text.trim()) }, issues };
    }
  }
  return failed(file, issues, toolError(lines), 'chronyc');
}

/**
 * `ntpq -pn`: synchronized iff a peer row carries the `*` (sys.peer) or `o` (PPS peer) tally code; the
 * offset column is in milliseconds. Long addresses wrap the rest of the row onto the next line.
 */
export function parseNtpq(text: string, file: string): Parsed<TimeSyncReading | null> {
  const issues: ParseIssue[] = [];
  const lines = collectLines(text, file, issues);
  const h = lines.findIndex((l) => /^\s*remote\s+refid\s/.test(l.text));
  if (h === -1) return failed(file, issues, toolError(lines), 'ntpq');
  const offsetCol = lines[h].text.trim().split(/\s+/).indexOf('offset');
  let peer: { line: TextLine; cols: string[] } | null = null;
  for (let i = h + 1; i < lines.length; i++) {
    const l = lines[i];
    if (l.text.startsWith('=') || l.text.trim() === '') continue;
    let cols = l.text.slice(1).trim().split(/\s+/);
    if (cols.length === 1 && i + 1 < lines.length) cols = cols.concat(lines[++i].text.trim().split(/\s+/));
    const tally = l.text[0];
    if ((tally === '*' || tally === 'o') && !peer) peer = { line: l, cols };
  }
  if (!peer) {
    return { value: { source: 'ntpq', synchronized: false, ntpActive: true, offsetSeconds: null, line: lines[h].no, excerpt: clip(lines[h].text.trim()) }, issues };
  }
  const ms = offsetCol === -1 ? null : toFloat(peer.cols[offsetCol]);
  if (ms === null) issues.push(issue(file, peer.line.no, 'unreadable offset column'));
  return {
    value: { source: 'ntpq', synchronized: true, ntpActive: true, offsetSeconds: ms === null ? null : ms / 1000, line: peer.line.no, excerpt: clip(peer.line.text.trim()) },
    issues,
  };
}
