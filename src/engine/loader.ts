// Loads rule directories: rule files, their tests and log signature tables. Everything is validated
// when it loads (zod for the shape, CEL type-checking against the facts schema, template paths), and
// every problem becomes a `file:line:col: message` diagnostic; nothing half-valid is ever evaluated.
import { readdirSync, readFileSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { DATA_PATHS, FACT_TYPES, FACT_VARIABLES } from '../facts/schema.js';
import { celEnv, type CelProgram } from './cel.js';
import { RuleFileSchema, SignatureFileSchema, TestFileSchema, type RuleFile, type TestFile } from './rule-schema.js';
import { checkTemplate, compileTemplate, type TemplateFn } from './templates.js';
import { compileSignature, lintPattern, type CompiledSignature } from './signatures.js';
import { YamlSource, type Diagnostic } from './yaml-source.js';

export interface RequirePath {
  /** as written */
  path: string;
  scope: 'cluster' | 'all-nodes' | 'element';
  /** the DATA_PATHS key: `etcd.leases`, or a node path like `timeSync` */
  key: string;
}

export interface CompiledOutcome {
  when?: CelProgram;
  status: 'fail' | 'warn' | 'pass' | 'skipped';
  message: TemplateFn;
}

export interface CompiledRule {
  def: RuleFile;
  file: string;
  asType?: string;
  appliesWhen?: CelProgram;
  forEach?: CelProgram;
  requires: RequirePath[];
  /** every word of its expressions and requirements and every path of its templates: what it may read */
  reads: Set<string>;
  outcomes: CompiledOutcome[];
  evidence: CelProgram[];
  node?: CelProgram;
  subject?: TemplateFn;
  emptyMessage?: TemplateFn;
  remediation?: TemplateFn;
}

export interface LoadedTestFile {
  file: string;
  /** the rule the tests are for */
  ruleId: string;
  data: TestFile;
  source: YamlSource;
}

export interface LoadedRules {
  rules: CompiledRule[];
  signatures: CompiledSignature[];
  tests: LoadedTestFile[];
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

const TYPES = FACT_TYPES as unknown as Record<string, Record<string, { type: string }>>;

/** Identifiers in a CEL expression or a data path (also inside its string literals: a rule reads more, never less). */
const WORDS = /[A-Za-z_][A-Za-z0-9_]*/g;

function listYaml(dir: string, out: string[] = [], depth = 0): string[] {
  if (depth > 6) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) listYaml(p, out, depth + 1);
    else if (st.isFile() && /\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

/** Display path for diagnostics: relative to the working directory when inside it. */
function display(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

export interface LoadOptions {
  /**
   * Read the rules' test files (`rules test`, `rules lint`). `analyze` does not: it runs no test, and a
   * broken test file is for the rule author to fix, not a reason to refuse an analysis (a sixth of the
   * loading time of the built-in rules).
   */
  tests?: boolean;
}

export function loadRuleDirs(dirs: string[], opts: LoadOptions = {}): LoadedRules {
  const withTests = opts.tests ?? true;
  const result: LoadedRules = { rules: [], signatures: [], tests: [], errors: [], warnings: [] };
  const ruleFiles: string[] = [];
  const testFiles: string[] = [];
  const sigFiles: string[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = listYaml(dir);
    } catch (e) {
      result.errors.push({ file: display(dir), line: 1, col: 1, message: `cannot read rule directory: ${(e as Error).message}` });
      continue;
    }
    for (const f of files) {
      if (/\.test\.ya?ml$/.test(f)) {
        if (withTests) testFiles.push(f);
      } else if (path.basename(path.dirname(f)) === 'signatures') sigFiles.push(f);
      else ruleFiles.push(f);
    }
  }

  const sigIds = new Map<string, string>();
  for (const f of sigFiles) loadSignatures(f, result, sigIds);

  const ruleIds = new Map<string, string>();
  const ruleByFile = new Map<string, string>();
  for (const f of ruleFiles) {
    const rule = loadRule(f, result, sigIds);
    if (!rule) continue;
    const prev = ruleIds.get(rule.def.id);
    if (prev) {
      const src = new YamlSource(display(f), readFileSync(f, 'utf8'));
      const pos = src.position(['id']);
      result.errors.push({ file: display(f), line: pos.line, col: pos.col, message: `duplicate rule id "${rule.def.id}" (also in ${prev})` });
      continue;
    }
    ruleIds.set(rule.def.id, display(f));
    ruleByFile.set(f.replace(/\.ya?ml$/, ''), rule.def.id);
    result.rules.push(rule);
  }

  for (const f of testFiles) {
    const src = readSource(f, result);
    if (!src) continue;
    const parsed = TestFileSchema.safeParse(src.toJS());
    if (!parsed.success) {
      result.errors.push(...src.zodDiagnostics(parsed.error));
      continue;
    }
    const beside = ruleByFile.get(f.replace(/\.test\.ya?ml$/, ''));
    const ruleId = parsed.data.rule ?? beside;
    if (!ruleId || !ruleIds.has(ruleId)) {
      const pos = src.position(parsed.data.rule ? ['rule'] : []);
      result.errors.push({ file: src.file, line: pos.line, col: pos.col, message: parsed.data.rule ? `unknown rule "${parsed.data.rule}"` : 'no rule file beside this test file' });
      continue;
    }
    result.tests.push({ file: f, ruleId, data: parsed.data, source: src });
  }
  // without its test files read, a rule cannot be said to have none
  if (withTests) {
    for (const rule of result.rules) {
      if (!result.tests.some((t) => t.ruleId === rule.def.id)) {
        result.warnings.push({ file: rule.file, line: 1, col: 1, message: `rule "${rule.def.id}" has no tests (add ${path.basename(rule.file).replace(/\.ya?ml$/, '.test.yaml')})` });
      }
    }
  }
  return result;
}

function readSource(f: string, result: LoadedRules): YamlSource | null {
  let text: string;
  try {
    text = readFileSync(f, 'utf8');
  } catch (e) {
    result.errors.push({ file: display(f), line: 1, col: 1, message: `cannot read: ${(e as Error).message}` });
    return null;
  }
  const src = new YamlSource(display(f), text);
  if (src.diagnostics.length) {
    result.errors.push(...src.diagnostics);
    return null;
  }
  return src;
}

function loadSignatures(f: string, result: LoadedRules, ids: Map<string, string>): void {
  const src = readSource(f, result);
  if (!src) return;
  const parsed = SignatureFileSchema.safeParse(src.toJS());
  if (!parsed.success) {
    result.errors.push(...src.zodDiagnostics(parsed.error));
    return;
  }
  parsed.data.signatures.forEach((def, i) => {
    const at = (field: string) => src.position(['signatures', i, field]);
    if (ids.has(def.id)) {
      const pos = at('id');
      result.errors.push({ file: src.file, line: pos.line, col: pos.col, message: `duplicate signature id "${def.id}" (also in ${ids.get(def.id)})` });
      return;
    }
    let compiled: CompiledSignature;
    try {
      compiled = compileSignature(def);
    } catch (e) {
      const pos = at('pattern');
      result.errors.push({ file: src.file, line: pos.line, col: pos.col, message: `pattern: ${(e as Error).message.split('\n')[0]}` });
      return;
    }
    for (const w of lintPattern(def.pattern)) {
      if (def.literal && w.startsWith('no literal')) continue;
      const pos = at('pattern');
      result.warnings.push({ file: src.file, line: pos.line, col: pos.col, message: `signature ${def.id}: ${w}` });
    }
    const literals = compiled.literals;
    if (def.literal !== undefined && literals && !def.examples?.every((x) => literals.some((l) => x.includes(l)))) {
      const pos = at('literal');
      const which = literals.length === 1 ? `the literal "${literals[0]}"` : `any of the literals "${literals.join('", "')}"`;
      result.errors.push({ file: src.file, line: pos.line, col: pos.col, message: `signature ${def.id}: an example does not contain ${which}` });
    }
    for (const [j, ex] of (def.examples ?? []).entries()) {
      if (!compiled.pattern.matcher(ex).find()) {
        const pos = src.position(['signatures', i, 'examples', j]);
        result.errors.push({ file: src.file, line: pos.line, col: pos.col, message: `signature ${def.id}: example does not match the pattern` });
      }
    }
    ids.set(def.id, src.file);
    result.signatures.push(compiled);
  });
}

function loadRule(f: string, result: LoadedRules, sigIds: Map<string, string>): CompiledRule | null {
  const src = readSource(f, result);
  if (!src) return null;
  const parsed = RuleFileSchema.safeParse(src.toJS());
  if (!parsed.success) {
    result.errors.push(...src.zodDiagnostics(parsed.error));
    return null;
  }
  const def = parsed.data;
  const errors: Diagnostic[] = [];
  const err = (p: (string | number)[], message: string, offset?: number) => {
    const pos = offset === undefined ? src.position(p) : src.positionInScalar(p, offset);
    errors.push({ file: src.file, line: pos.line, col: pos.col, message });
  };
  const dir = path.basename(path.dirname(f));
  if (def.category !== dir && dir !== 'rules') err(['category'], `category "${def.category}" does not match the directory "${dir}" (rules live in rules/<category>/)`);
  if (!def.id.startsWith(`${def.category}.`)) err(['id'], `rule id must start with its category: "${def.category}."`);

  const base = celEnv();
  const compileCel = (env: ReturnType<typeof celEnv>, p: (string | number)[], expr: string, want: (t: string) => string | null): { program?: CelProgram; type?: string } => {
    const regexCall = /\.matches\s*\(|(^|[^.\w])matches\s*\(/.exec(expr);
    if (regexCall) {
      err(p, 'regular expressions never run in CEL (bundle content is untrusted): match log lines with a signature', regexCall.index);
      return {};
    }
    for (const word of expr.match(WORDS) ?? []) rule.reads.add(word);
    const c = env.check(expr);
    if (!c.ok) {
      err(p, c.message ?? 'invalid expression', c.offset ?? 0);
      return {};
    }
    const problem = want(c.type ?? '');
    if (problem) {
      err(p, problem, 0);
      return {};
    }
    try {
      return { program: env.compile(expr), type: c.type };
    } catch (e) {
      err(p, (e as Error).message.split('\n')[0], 0);
      return {};
    }
  };
  const isBool = (t: string) => (t === 'bool' ? null : `must be a bool expression, is ${t}`);

  const rule: CompiledRule = { def, file: src.file, requires: [], reads: new Set(), outcomes: [], evidence: [] };
  for (const path of def.requires ?? []) for (const word of path.match(WORDS) ?? []) rule.reads.add(word);
  if (def.appliesWhen) rule.appliesWhen = compileCel(base, ['appliesWhen'], def.appliesWhen, isBool).program;
  let env = base;
  if (def.forEach && def.as) {
    if (def.as in FACT_VARIABLES) err(['as'], `"${def.as}" is already a facts variable`);
    const fe = compileCel(base, ['forEach'], def.forEach, (t) => (t.startsWith('list<') ? null : `forEach must be a list, is ${t}`));
    if (fe.program && fe.type) {
      rule.forEach = fe.program;
      rule.asType = fe.type.slice(5, -1);
      env = celEnv({ [def.as]: rule.asType });
    }
  }
  for (const r of def.requires ?? []) {
    const [root, ...restParts] = r.split('.');
    const rest = restParts.join('.');
    const nodePaths = DATA_PATHS.node as Record<string, unknown>;
    const clusterPaths = DATA_PATHS.cluster as Record<string, unknown>;
    if (root === 'nodes' && rest in nodePaths) rule.requires.push({ path: r, scope: 'all-nodes', key: rest });
    else if (root === def.as && rule.asType === 'Node' && rest in nodePaths) rule.requires.push({ path: r, scope: 'element', key: rest });
    else if (r in clusterPaths) rule.requires.push({ path: r, scope: 'cluster', key: r });
    else {
      const known = [...Object.keys(clusterPaths), ...Object.keys(nodePaths).map((k) => `nodes.${k}`), ...(rule.asType === 'Node' ? Object.keys(nodePaths).map((k) => `${def.as}.${k}`) : [])];
      err(['requires', (def.requires ?? []).indexOf(r)], `unknown data path "${r}" (known: ${known.join(', ')})`);
    }
  }

  const outcomes = def.outcomes ?? [
    { when: def.when, status: def.severity === 'critical' ? ('fail' as const) : ('warn' as const), message: def.message ?? '' },
    { status: 'pass' as const, message: def.passMessage ?? `${def.title}: no problem found.` },
  ];
  const scope: Record<string, string> = Object.fromEntries(Object.entries(FACT_VARIABLES).map(([name, v]) => [name, v.type]));
  if (def.as && rule.asType) scope[def.as] = rule.asType;
  const tpl = (p: (string | number)[], source: string | undefined): TemplateFn | undefined => {
    if (source === undefined) return undefined;
    const { problems, names } = checkTemplate(source, scope);
    for (const pr of problems) {
      // template positions are within the string: map the template line to the YAML scalar
      const lines = source.split('\n');
      const offset = lines.slice(0, pr.line - 1).reduce((n, l) => n + l.length + 1, 0) + pr.column;
      err(p, `template: ${pr.message}`, offset);
    }
    if (problems.length) return undefined;
    for (const name of names) rule.reads.add(name);
    return compileTemplate(source, names);
  };
  outcomes.forEach((o, i) => {
    const whenPath = def.outcomes ? ['outcomes', i, 'when'] : ['when'];
    const msgPath = def.outcomes ? ['outcomes', i, 'message'] : i === 0 ? ['message'] : ['passMessage'];
    const when = o.when !== undefined ? compileCel(env, whenPath, o.when, isBool).program : undefined;
    const message = tpl(msgPath, o.message);
    if (message) rule.outcomes.push({ when, status: o.status, message });
  });
  (def.evidence ?? []).forEach((e, i) => {
    const c = compileCel(env, ['evidence', i], e, (t) => {
      const inner = t.startsWith('list<') ? t.slice(5, -1) : t;
      return TYPES[inner]?.evidence ? null : `evidence must be a fact (or list of facts) that carries evidence, is ${t}`;
    });
    if (c.program) rule.evidence.push(c.program);
  });
  if (def.node) rule.node = compileCel(env, ['node'], def.node, (t) => (t === 'string' ? null : `node must be a string, is ${t}`)).program;
  rule.subject = tpl(['subject'], def.subject);
  rule.emptyMessage = tpl(['emptyMessage'], def.emptyMessage);
  rule.remediation = tpl(['remediation'], def.remediation);

  // Signature ids named in conditions must exist: a typo would silently never match.
  const texts = [def.appliesWhen, def.when, ...(def.outcomes ?? []).map((o) => o.when)].filter((x): x is string => !!x);
  for (const t of texts) {
    for (const m of t.matchAll(/signature\s*==\s*"([^"]+)"|counts\[\s*"([^"]+)"\s*\]|"([a-z0-9-]+)"\s+in\s+[\w.]*counts/g)) {
      const id = m[1] ?? m[2] ?? m[3];
      if (id && !sigIds.has(id)) err(['id'], `unknown log signature "${id}" (define it in rules/signatures/)`);
    }
  }
  if (errors.length) {
    result.errors.push(...errors);
    return null;
  }
  return rule;
}
