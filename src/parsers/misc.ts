// Small node files: `uname -a`, `date -u`, and /etc/rancher/k3s/config.yaml (a flat YAML subset read
// without a YAML library: scalars, flow lists and block lists at the top level only).
import type { Parsed, ParseIssue, UnameInfo } from './types.js';
import { clip, collectLines, fields, issue, safeRecord, toIsoUtc } from './util.js';

/**
 * `uname -a`: `Linux vm 6.18.44-fc-v782 #1 SMP PREEMPT_DYNAMIC @0 x86_64 GNU/Linux`. The machine is the
 * last field once the OS name (`GNU/Linux`, busybox `Linux`) and `unknown` processor/platform fields are
 * dropped: -p and -i print either `unknown` or a copy of -m.
 */
export function parseUname(text: string, file: string): Parsed<UnameInfo> {
  const issues: ParseIssue[] = [];
  const value: UnameInfo = { kernelName: null, hostname: null, kernelRelease: null, machine: null };
  const line = collectLines(text, file, issues).find((l) => l.text.trim() !== '');
  if (!line) {
    issues.push(issue(file, null, 'empty uname output'));
    return { value, issues };
  }
  const f = fields(line.text);
  if (f.length < 3) {
    issues.push(issue(file, line.no, `not uname -a output: ${clip(line.text, 80)}`));
    return { value, issues };
  }
  value.kernelName = f[0];
  value.hostname = f[1];
  value.kernelRelease = f[2];
  let end = f.length;
  if (end > 4 && (f[end - 1] === 'GNU/Linux' || f[end - 1] === 'Linux' || f[end - 1] === 'Android')) end--;
  while (end > 4 && f[end - 1] === 'unknown') end--;
  if (end > 4) value.machine = f[end - 1];
  else issues.push(issue(file, line.no, 'no machine field in uname -a output'));
  return { value, issues };
}

/** `date -u +%Y-%m-%dT%H:%M:%SZ` → the ISO UTC instant, normalised; null with an issue otherwise. */
export function parseDate(text: string, file: string): Parsed<string | null> {
  const issues: ParseIssue[] = [];
  const line = collectLines(text, file, issues).find((l) => l.text.trim() !== '');
  const t = line?.text.trim() ?? '';
  // the full RFC 3339 shape, so Date.parse never falls back to its lenient local-time guesses
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/.test(t);
  const iso = ok ? toIsoUtc(Date.parse(t)) : null;
  if (iso === null) issues.push(issue(file, line?.no ?? null, line ? `not an ISO-8601 date: ${clip(t, 60)}` : 'empty date output'));
  return { value: iso, issues };
}

export type K3sConfigValue = string | string[] | boolean;

/** Removes a `#` comment that starts the line or follows whitespace, outside quotes. */
function stripComment(s: string): string {
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"') i++;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || s[i - 1] === ' ' || s[i - 1] === '\t')) return s.slice(0, i);
  }
  return s;
}

/** A YAML scalar: quoted strings are unquoted, `true`/`false` become booleans, the rest stays text. */
function scalar(raw: string): { value: string | boolean; error: string | null } {
  const s = raw.trim();
  if (s.startsWith('"')) {
    if (s.length < 2 || !s.endsWith('"')) return { value: s, error: 'unterminated double-quoted string' };
    let out = '';
    for (let i = 1; i < s.length - 1; i++) {
      if (s[i] === '\\' && i + 1 < s.length - 1) {
        const e = s[++i];
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e;
      } else out += s[i];
    }
    return { value: out, error: null };
  }
  if (s.startsWith("'")) {
    if (s.length < 2 || !s.endsWith("'")) return { value: s, error: 'unterminated single-quoted string' };
    return { value: s.slice(1, -1).replaceAll("''", "'"), error: null };
  }
  if (s === 'true' || s === 'True' || s === 'TRUE') return { value: true, error: null };
  if (s === 'false' || s === 'False' || s === 'FALSE') return { value: false, error: null };
  if (s === '|' || s === '>' || s.startsWith('|') || s.startsWith('>') || s.startsWith('{') || s.startsWith('&') || s.startsWith('*') || s.startsWith('!')) {
    return { value: s, error: `unsupported YAML (${s[0]}): kept as text` };
  }
  return { value: s, error: null };
}

/** `[a, "b", c]` → items (commas inside quotes are kept). */
function flowList(s: string): string[] | null {
  const inner = s.trim();
  if (!inner.endsWith(']')) return null;
  const items: string[] = [];
  let cur = '';
  let quote = '';
  for (let i = 1; i < inner.length - 1; i++) {
    const c = inner[i];
    if (quote) {
      if (c === quote) quote = '';
      cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur += c;
    } else if (c === ',') {
      items.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur.trim() !== '' || items.length > 0) items.push(cur);
  return items.map((x) => {
    const v = scalar(x).value;
    return typeof v === 'boolean' ? String(v) : v;
  });
}

/** /etc/rancher/k3s/config.yaml: `key: value`, `key: [a, b]`, `key:` + `- item` lines. */
export function parseK3sConfig(text: string, file: string): Parsed<Record<string, K3sConfigValue>> {
  const issues: ParseIssue[] = [];
  const out = safeRecord<K3sConfigValue>();
  const seen = safeRecord<number>();
  let listKey: string | null = null;
  const set = (key: string, v: K3sConfigValue, no: number): void => {
    if (seen[key] !== undefined) issues.push(issue(file, no, `${key} repeated (first on line ${seen[key]}); the last value is used`));
    seen[key] = no;
    out[key] = v;
  };
  for (const { no, text: raw } of collectLines(text, file, issues)) {
    const line = stripComment(raw).trimEnd();
    if (line.trim() === '' || line === '---') continue;
    const indented = line.startsWith(' ') || line.startsWith('\t');
    const t = line.trim();
    if (t === '-' || t.startsWith('- ')) {
      const list = listKey === null ? undefined : out[listKey];
      if (listKey === null || !Array.isArray(list)) {
        issues.push(issue(file, no, 'list item without a key'));
        continue;
      }
      const v = scalar(t.slice(1));
      if (v.error) issues.push(issue(file, no, v.error));
      list.push(typeof v.value === 'boolean' ? String(v.value) : v.value);
      continue;
    }
    if (indented) {
      listKey = null; // a nested map under the key: later `- item` lines are not its list
      issues.push(issue(file, no, `nested YAML is not supported: ${clip(t, 60)}`));
      continue;
    }
    listKey = null;
    const colon = t.indexOf(': ') !== -1 ? t.indexOf(': ') : t.endsWith(':') ? t.length - 1 : -1;
    let key = colon <= 0 ? '' : t.slice(0, colon).trim();
    if (key.length >= 2 && (key[0] === '"' || key[0] === "'") && key.endsWith(key[0])) key = key.slice(1, -1);
    if (key === '') {
      issues.push(issue(file, no, `not a \`key: value\` line: ${clip(t, 60)}`));
      continue;
    }
    const rest = t.slice(colon + 1).trim();
    if (rest === '') {
      set(key, [], no);
      listKey = key;
    } else if (rest.startsWith('[')) {
      const items = flowList(rest);
      if (items === null) issues.push(issue(file, no, 'unterminated flow list'));
      set(key, items ?? [], no);
    } else {
      const v = scalar(rest);
      if (v.error) issues.push(issue(file, no, v.error, colon + 3));
      set(key, v.value, no);
    }
  }
  return { value: out, issues };
}
