// Log signatures: patterns compiled with re2js (linear time: log lines come from untrusted bundles),
// each guarded by literals one of which a matching line must contain, so most lines cost an indexOf per
// literal and never reach the regex engine.
import { RE2JS } from 're2js';
import type { SignatureDef } from './rule-schema.js';
import { backtrackingWarnings } from './pattern-lint.js';
import { LiteralSearch } from '../parsers/log-scan.js';

export interface CompiledSignature {
  id: string;
  since?: string;
  until?: string;
  /** one of these is in every line the pattern matches; null when there is no such set */
  literals: string[] | null;
  pattern: RE2JS;
}

export interface SignatureMatch {
  id: string;
  groups: string[];
}

/** A compiled signature as plain data, to compile again on a worker thread (RE2JS objects cannot be sent). */
export type PortableSignature = Omit<CompiledSignature, 'pattern'> & { pattern: string };

export function toPortable(s: CompiledSignature): PortableSignature {
  return { ...s, pattern: s.pattern.pattern() };
}

export function fromPortable(p: PortableSignature): CompiledSignature {
  return { ...p, pattern: RE2JS.compile(p.pattern) };
}

export function compileSignature(def: SignatureDef): CompiledSignature {
  const pattern = RE2JS.compile(def.pattern);
  let literals: string[] | null;
  if (def.literal !== undefined) literals = typeof def.literal === 'string' ? [def.literal] : def.literal;
  else {
    const derived = deriveLiteral(def.pattern);
    literals = derived === null ? null : [derived];
  }
  return { id: def.id, since: def.since, until: def.until, literals, pattern };
}

/**
 * The longest literal run at the top level of a pattern without alternation: every match contains it.
 * Returns null when no safe literal of 4+ characters exists.
 */
export function deriveLiteral(pattern: string): string | null {
  if (/(^|[^\\])\|/.test(pattern)) return null;
  let best = '';
  let cur = '';
  let depth = 0;
  let inClass = false;
  const flush = () => {
    if (cur.length > best.length) best = cur;
    cur = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const next = pattern[i + 1];
    if (inClass) {
      if (c === '\\') i++;
      else if (c === ']') inClass = false;
      continue;
    }
    if (c === '\\') {
      // an escaped punctuation character is a literal; \d, \s, \b ... are not
      if (next !== undefined && /[^A-Za-z0-9]/.test(next) && depth === 0) {
        if (isQuantifier(pattern[i + 2])) { flush(); i++; continue; }
        cur += next;
      } else flush();
      i++;
      continue;
    }
    if (c === '[') { flush(); inClass = true; continue; }
    if (c === '(') { flush(); depth++; continue; }
    if (c === ')') { flush(); depth = Math.max(0, depth - 1); if (isQuantifier(next)) i++; continue; }
    if ('.^$'.includes(c) || isQuantifier(c)) { flush(); continue; }
    if (depth > 0) continue;
    if (isQuantifier(next)) { flush(); continue; }
    cur += c;
  }
  flush();
  return best.length >= 4 ? best : null;
}

function isQuantifier(c: string | undefined): boolean {
  return c === '*' || c === '+' || c === '?' || c === '{';
}

/** Warnings for rule authors: patterns that would backtrack badly in a backtracking engine, or are slow. */
export function lintPattern(pattern: string): string[] {
  const warnings: string[] = [];
  warnings.push(...backtrackingWarnings(pattern));
  try {
    if (RE2JS.compile(pattern).matcher('').find()) warnings.push('matches an empty line: it would match every log line; make part of it required');
  } catch {
    /* not RE2 syntax: the loader reports the compile error */
  }
  if (/^\.\*/.test(pattern)) warnings.push('leading .* is redundant: signatures search anywhere in the line');
  if (deriveLiteral(pattern) === null) warnings.push('no literal of 4+ characters every match must contain: add `literal:` so lines can be skipped cheaply');
  return warnings;
}

export class SignatureMatcher {
  /** The literals of every signature (one of a signature's is in each line it matches); null when a signature has none. */
  readonly literals: readonly string[] | null;
  /** The search for those literals over a whole log (parsers/log-scan.ts), built once per matcher. */
  readonly search: LiteralSearch | null;

  constructor(readonly signatures: CompiledSignature[]) {
    this.literals = signatures.every((s) => s.literals !== null) ? signatures.flatMap((s) => s.literals as string[]) : null;
    this.search = LiteralSearch.for(this.literals);
  }

  /**
   * Results for recent message texts. Why: messages repeat within a log and across the nodes of a cluster
   * (half the candidate lines of the bench's logs, 'Error renewing lease (trying again in 1 min): ...'),
   * and a linear-time regex costs ~20 us a line. Bounded in entries (emptied when full) and in bytes: a
   * text and its groups are kept as copies, since a slice of a decoded log keeps the whole log alive in
   * V8 (detach.ts), and the matcher lives as long as its worker. The results are frozen: shared.
   */
  private readonly recent = new Map<string, SignatureMatch[]>();

  /** Every signature the line matches, with its capture groups. */
  match(text: string): SignatureMatch[] {
    const known = this.recent.get(text);
    if (known !== undefined) return known;
    const out = this.matchNow(text);
    if (text.length > RECENT_TEXT_MAX) return out;
    if (this.recent.size >= RECENT_MAX) this.recent.clear();
    const [key, kept] = structuredClone([text, out]); // copies that share no string with the log
    for (const m of kept) {
      Object.freeze(m.groups);
      Object.freeze(m);
    }
    this.recent.set(key, Object.freeze(kept) as SignatureMatch[]);
    return kept;
  }

  private matchNow(text: string): SignatureMatch[] {
    let out: SignatureMatch[] | null = null;
    for (const s of this.signatures) {
      if (s.literals !== null && !s.literals.some((l) => text.includes(l))) continue;
      const m = s.pattern.matcher(text);
      if (!m.find()) continue;
      const groups: string[] = [];
      for (let g = 1; g <= m.groupCount(); g++) groups.push(m.group(g) ?? '');
      (out ??= []).push({ id: s.id, groups });
    }
    return out ?? NO_MATCHES;
  }
}
const NO_MATCHES = Object.freeze([]) as unknown as SignatureMatch[];
/** Message texts whose results SignatureMatcher keeps, and the longest kept (longer ones seldom repeat). */
const RECENT_MAX = 1024;
const RECENT_TEXT_MAX = 500;
