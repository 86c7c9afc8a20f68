// Evaluates compiled rules over the facts: appliesWhen, requires (missing data -> skipped, never pass),
// forEach, ordered outcomes (first match wins), templates and evidence. Produces findings in report
// order: fail, warn, skipped, pass; then severity; then rule id; then subject.
import type { Facts, DataState } from '../facts/schema.js';
import type { Evidence, Finding, Severity, Status } from '../report/schema.js';
import { evidenceOf, factsToCel, type CelFacts } from './toCel.js';
import type { CompiledRule, RequirePath } from './loader.js';

export interface EvaluationResult {
  findings: Finding[];
  /** ids of rules whose appliesWhen was false */
  notApplicable: string[];
  /** rules that failed at run time (a rule bug, reported, never hidden) */
  errors: string[];
}

const STATUS_ORDER: Record<Status, number> = { fail: 0, warn: 1, skipped: 2, pass: 3 };
const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
const SUBJECT_FIELDS = ['key', 'hostname', 'name', 'value', 'id', 'input', 'command', 'endpoint', 'signature', 'location'];
/**
 * Above this many passing subjects a rule's passes are reported as one finding that counts them: a
 * 5,000-node cluster would otherwise carry 5,000 "node-x is fine" findings per rule. Fail, warn and
 * skipped findings are always one per subject.
 */
const PASS_DETAIL_LIMIT = 100;
const NONE_MISSING: string[] = [];

export function compareFindings(a: Finding, b: Finding): number {
  return (
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    (a.subject ?? '').localeCompare(b.subject ?? '', 'en')
  );
}

export function evaluateRules(rules: CompiledRule[], facts: Facts, cel: CelFacts = factsToCel(facts)): EvaluationResult {
  const out: EvaluationResult = { findings: [], notApplicable: [], errors: [] };
  for (const rule of rules) evaluateRule(rule, facts, cel, out);
  out.findings.sort(compareFindings);
  return out;
}

function missingFor(req: RequirePath, facts: Facts, hostname?: string): string[] {
  const reasons: string[] = [];
  const fmt = (host: string, st: DataState) => `${host}: ${st.reason}`;
  if (req.scope === 'cluster') {
    const st = facts.availability.cluster[req.key];
    if (!st || !st.ok) reasons.push(`${req.path}: ${st?.reason ?? 'not collected'}`);
  } else if (req.scope === 'all-nodes') {
    const bad = facts.nodes
      .map((n) => [n.hostname, facts.availability.nodes[n.hostname]?.[req.key]] as const)
      .filter(([, st]) => !st || !st.ok)
      .map(([h, st]) => fmt(h, st ?? { ok: false, reason: 'not collected' }));
    if (facts.nodes.length === 0) reasons.push(`${req.path}: no node bundle was read`);
    else if (bad.length) reasons.push(`${req.path}: ${bad.join('; ')}`);
  } else if (hostname !== undefined) {
    const st = facts.availability.nodes[hostname]?.[req.key];
    if (!st || !st.ok) reasons.push(`${req.path}: ${st?.reason ?? 'not collected'}`);
  }
  return reasons;
}

function evaluateRule(rule: CompiledRule, facts: Facts, cel: CelFacts, out: EvaluationResult): void {
  const def = rule.def;
  const base = {
    ruleId: def.id,
    severity: def.severity,
    category: def.category,
    title: def.title,
    references: def.references ?? [],
  };
  const vars = cel.vars;
  try {
    if (rule.appliesWhen && rule.appliesWhen(vars) !== true) {
      out.notApplicable.push(def.id);
      return;
    }
  } catch (e) {
    out.errors.push(`${def.id}: appliesWhen: ${(e as Error).message.split('\n')[0]}`);
    out.findings.push({ ...base, status: 'skipped', message: `Could not evaluate this rule: ${(e as Error).message.split('\n')[0]}`, node: null, subject: null, evidence: [], remediation: null, missing: [] });
    return;
  }
  // Cluster-wide and all-node requirements are judged once for the whole rule.
  const globalMissing = rule.requires.filter((r) => r.scope !== 'element').flatMap((r) => missingFor(r, facts));
  if (globalMissing.length) {
    out.findings.push({ ...base, status: 'skipped', message: `Not checked: ${globalMissing.join(' | ')}`, node: null, subject: null, evidence: [], remediation: null, missing: globalMissing });
    return;
  }
  let elements: unknown[] = [undefined];
  if (rule.forEach && def.as) {
    try {
      const list = rule.forEach(vars);
      elements = Array.isArray(list) ? list : [];
    } catch (e) {
      out.errors.push(`${def.id}: forEach: ${(e as Error).message.split('\n')[0]}`);
      out.findings.push({ ...base, status: 'skipped', message: `Could not evaluate this rule: ${(e as Error).message.split('\n')[0]}`, node: null, subject: null, evidence: [], remediation: null });
      return;
    }
    if (elements.length === 0) {
      const message = rule.emptyMessage ? rule.emptyMessage(vars) : `Nothing to check: ${def.forEach} is empty.`;
      out.findings.push({ ...base, status: 'pass', message, node: null, subject: null, evidence: [], remediation: null });
      return;
    }
  }
  const elementRequires = rule.requires.filter((r) => r.scope === 'element');
  // beyond PASS_DETAIL_LIMIT passes are only counted: their messages and evidence would be thrown away
  const passes: Finding[] = [];
  let passCount = 0;
  // one context for every element, its `as` variable set per element: a spread copy per element was a
  // fifth of this function's own time. Nothing keeps a context past its element (the CEL library wraps it
  // anew per call; templates render to strings at once).
  const ctx = def.as ? { ...vars, [def.as]: undefined as unknown } : vars;
  for (const el of elements) {
    if (def.as) ctx[def.as] = el;
    const node = nodeOf(rule, el, ctx);
    const subject = subjectOf(rule, el, ctx);
    const elementMissing = elementRequires.length ? elementRequires.flatMap((r) => missingFor(r, facts, node ?? '')) : NONE_MISSING;
    if (elementMissing.length) {
      out.findings.push({ ...base, status: 'skipped', message: `Not checked${node ? ` on ${node}` : ''}: ${elementMissing.join(' | ')}`, node, subject, evidence: [], remediation: null, missing: elementMissing });
      continue;
    }
    try {
      const outcome = rule.outcomes.find((o) => !o.when || o.when(ctx) === true);
      if ((!outcome || outcome.status === 'pass') && passes.length > PASS_DETAIL_LIMIT) {
        // enough passes in detail for the counted finding: the condition was evaluated, the rest is not
        // built (so an error in a pass's evidence or message shows on the first passes only)
        passCount++;
        continue;
      }
      if (!outcome) {
        passes.push({ ...base, status: 'pass', message: `${def.title}: no outcome matched.`, node, subject, evidence: [], remediation: null });
        passCount++;
        continue;
      }
      const evidence = collectEvidence(rule, el, ctx);
      const bad = outcome.status === 'fail' || outcome.status === 'warn';
      (outcome.status === 'pass' ? passes : out.findings).push({
        ...base,
        status: outcome.status,
        message: oneLine(outcome.message(ctx)),
        node,
        subject,
        evidence,
        remediation: bad && rule.remediation ? rule.remediation(ctx).trim() : null,
        weight: evidence.length,
      });
      if (outcome.status === 'pass') passCount++;
    } catch (e) {
      const msg = (e as Error).message.split('\n')[0];
      out.errors.push(`${def.id}${subject ? ` (${subject})` : ''}: ${msg}`);
      out.findings.push({ ...base, status: 'skipped', message: `Could not evaluate this rule: ${msg}`, node, subject, evidence: [], remediation: null });
    }
  }
  if (passCount <= PASS_DETAIL_LIMIT) out.findings.push(...passes);
  else {
    out.findings.push({
      ...base,
      status: 'pass',
      message: `Passed for ${passCount} of ${elements.length} subjects, e.g. ${passes[0].message}`,
      node: null,
      subject: null,
      evidence: [],
      remediation: null,
    });
  }
}

function oneLine(s: string): string {
  // (?<!\s): start only at the start of a whitespace run (a long run without \n was quadratic)
  return s.replace(/(?<!\s)\s*\n\s*/g, ' ').trim();
}

function nodeOf(rule: CompiledRule, el: unknown, ctx: Record<string, unknown>): string | null {
  if (rule.node) {
    const v = rule.node(ctx);
    return typeof v === 'string' && v ? v : null;
  }
  if (el && typeof el === 'object') {
    const o = el as Record<string, unknown>;
    if (rule.asType === 'Node' && typeof o.hostname === 'string') return o.hostname;
    if (typeof o.node === 'string' && o.node) return o.node;
  }
  return null;
}

function subjectOf(rule: CompiledRule, el: unknown, ctx: Record<string, unknown>): string | null {
  if (rule.subject) return oneLine(rule.subject(ctx)) || null;
  if (el === undefined || el === null) return null;
  if (typeof el !== 'object') return String(el);
  const o = el as Record<string, unknown>;
  for (const f of SUBJECT_FIELDS) if (typeof o[f] === 'string' && o[f]) return o[f] as string;
  return null;
}

function collectEvidence(rule: CompiledRule, el: unknown, ctx: Record<string, unknown>): Evidence[] {
  const out: Evidence[] = [];
  const seen = new Set<string>();
  // the first MAX_EVIDENCE distinct pieces are kept: none is looked at after them (building each one's
  // key was a seventh of rule evaluation, for evidence lists of hundreds of log events)
  const add = (v: unknown) => {
    if (out.length >= MAX_EVIDENCE) return;
    if (Array.isArray(v)) {
      for (const x of v) add(x);
      return;
    }
    if (!v || typeof v !== 'object') return;
    for (const e of evidenceOf(v)) {
      if (out.length >= MAX_EVIDENCE) return;
      const k = evidenceKey(e);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(e);
    }
  };
  for (const p of rule.evidence) add(p(ctx));
  if (out.length === 0) add(el);
  return out;
}

/** Evidence items per finding. */
const MAX_EVIDENCE = 20;

const EVIDENCE_FIELDS = ['input', 'file', 'key', 'line', 'pointer', 'absent', 'lookedFor', 'excerpt'] as const;

/**
 * Equal for equal evidence, whatever the order its fields were set in, and different for different
 * evidence (each value is written with its type and length: excerpts are bundle text and may hold any
 * character); cheaper than JSON.stringify.
 */
export function evidenceKey(e: Evidence): string {
  let k = '';
  for (const f of EVIDENCE_FIELDS) {
    const v = e[f];
    if (v === undefined || v === null) k += v === undefined ? 'u' : 'n';
    else {
      const text = String(v);
      k += `${typeof v === 'string' ? 's' : typeof v === 'number' ? 'd' : 'b'}${text.length}:${text}`;
    }
  }
  return k;
}
