// Rule message and remediation templates: handlebars, producing plain text (no HTML escaping: each
// report renderer escapes for its own format). Every path a template names is checked against the
// facts schema when rules load, so a misspelled field is a lint error, not an empty string in a report.
import Handlebars from 'handlebars';
import { FACT_TYPES } from '../facts/schema.js';
import { formatDuration } from '../facts/format.js';
import { CEL_FIELD_NAMES } from './toCel.js';

type Schema = Record<string, Record<string, { type: string }>>;
const TYPES = FACT_TYPES as unknown as Schema;

const hb = Handlebars.create();
hb.registerHelper('join', (list: unknown, sep: unknown) =>
  Array.isArray(list) ? list.map((x) => String(x)).join(typeof sep === 'string' ? sep : ', ') : '',
);
hb.registerHelper('duration', (seconds: unknown) => (typeof seconds === 'bigint' || typeof seconds === 'number' ? formatDuration(Number(seconds)) : 'unknown'));
hb.registerHelper('count', (list: unknown) => (Array.isArray(list) ? list.length : list && typeof list === 'object' ? Object.keys(list).length : 0));
hb.registerHelper('eq', (a: unknown, b: unknown) => String(a) === String(b));
hb.registerHelper('gt', (a: unknown, b: unknown) => Number(a) > Number(b));
hb.registerHelper('first', (list: unknown) => (Array.isArray(list) && list.length ? list[0] : ''));

const HELPERS: Record<string, { params: ('list' | 'any' | 'int' | 'string')[]; returns: string }> = {
  join: { params: ['list', 'string'], returns: 'string' },
  duration: { params: ['int'], returns: 'string' },
  count: { params: ['any'], returns: 'int' },
  eq: { params: ['any', 'any'], returns: 'bool' },
  gt: { params: ['int', 'int'], returns: 'bool' },
  first: { params: ['list'], returns: 'string' },
};
const BLOCKS = new Set(['if', 'unless', 'each', 'with']);

export interface TemplateProblem {
  message: string;
  /** 1-based line and 0-based column within the template */
  line: number;
  column: number;
}

export type TemplateFn = (ctx: Record<string, unknown>) => string;

/** Resolve a dotted path from a type; returns the type or an error message. */
export function resolvePath(rootType: string, parts: string[]): { type: string } | { error: string } {
  let type = rootType;
  for (const part of parts) {
    if (type.startsWith('map<string, ')) {
      type = type.slice(12, -1);
      continue;
    }
    if (type.startsWith('list<')) return { error: `"${part}": a list has no fields (use #each or a helper)` };
    const fields = TYPES[type];
    if (!fields) return { error: `"${part}": ${type} has no fields` };
    const spec = fields[part];
    if (!spec) return { error: `no such field "${part}" in ${type}` };
    type = spec.type;
  }
  return { type };
}

/** A template checked: its problems, and the names it reads (every part of every path in it). */
export interface TemplateCheck {
  problems: TemplateProblem[];
  names: Set<string>;
}

/** Static check of a template against the variables in scope (name -> CEL type), from one parse. */
export function checkTemplate(source: string, scope: Record<string, string>): TemplateCheck {
  let ast: hbs.AST.Program;
  try {
    ast = hb.parse(source);
  } catch (e) {
    const err = e as { message?: string; lineNumber?: number; column?: number };
    return { problems: [{ message: `template syntax: ${(err.message ?? String(e)).split('\n')[0]}`, line: err.lineNumber ?? 1, column: err.column ?? 0 }], names: new Set() };
  }
  const problems: TemplateProblem[] = [];
  // Each frame is the context type at one block depth (null: the root scope of named variables).
  const walk = (program: hbs.AST.Program, frames: (string | null)[]) => {
    for (const stmt of program.body) {
      if (stmt.type === 'MustacheStatement' || stmt.type === 'SubExpression') {
        const m = stmt as hbs.AST.MustacheStatement;
        checkCall(m.path as hbs.AST.PathExpression, m.params, frames, m.loc, true);
      } else if (stmt.type === 'BlockStatement') {
        const b = stmt as hbs.AST.BlockStatement;
        const name = (b.path as hbs.AST.PathExpression).original;
        if (!BLOCKS.has(name)) {
          problems.push({ message: `unknown block helper #${name}`, line: b.loc.start.line, column: b.loc.start.column });
          continue;
        }
        const argTypes = b.params.map((p) => exprType(p, frames, b.loc));
        let inner = frames;
        if (name === 'each') {
          const t = argTypes[0];
          if (t && t.startsWith('list<')) inner = [...frames, t.slice(5, -1)];
          else if (t && t.startsWith('map<string, ')) inner = [...frames, t.slice(12, -1)];
          else if (t) problems.push({ message: `#each needs a list or map, got ${t}`, line: b.loc.start.line, column: b.loc.start.column });
        } else if (name === 'with' && argTypes[0]) inner = [...frames, argTypes[0]];
        if (b.program) walk(b.program, inner);
        if (b.inverse) walk(b.inverse, frames);
      }
    }
  };
  const exprType = (p: hbs.AST.Expression, frames: (string | null)[], loc: hbs.AST.SourceLocation): string | null => {
    if (p.type === 'PathExpression') return pathType(p as hbs.AST.PathExpression, frames, loc);
    if (p.type === 'SubExpression') {
      const s = p as hbs.AST.SubExpression;
      return checkCall(s.path as hbs.AST.PathExpression, s.params, frames, loc, false);
    }
    if (p.type === 'StringLiteral') return 'string';
    if (p.type === 'NumberLiteral') return 'int';
    if (p.type === 'BooleanLiteral') return 'bool';
    return null;
  };
  const checkCall = (
    path: hbs.AST.PathExpression,
    params: hbs.AST.Expression[],
    frames: (string | null)[],
    loc: hbs.AST.SourceLocation,
    rendered: boolean,
  ): string | null => {
    const helper = !path.data && path.parts.length === 1 && path.depth === 0 ? HELPERS[path.original] : undefined;
    if (helper) {
      if (params.length !== helper.params.length) {
        problems.push({ message: `${path.original} takes ${helper.params.length} argument(s)`, line: loc.start.line, column: loc.start.column });
      }
      params.forEach((p, i) => {
        const t = exprType(p, frames, loc);
        const want = helper.params[i];
        if (t && want === 'list' && !t.startsWith('list<')) problems.push({ message: `${path.original}: argument ${i + 1} must be a list, got ${t}`, line: loc.start.line, column: loc.start.column });
        if (t && want === 'int' && t !== 'int' && t !== 'double') problems.push({ message: `${path.original}: argument ${i + 1} must be a number, got ${t}`, line: loc.start.line, column: loc.start.column });
      });
      return helper.returns;
    }
    if (params.length) {
      problems.push({ message: `unknown helper "${path.original}"`, line: loc.start.line, column: loc.start.column });
      return null;
    }
    const t = pathType(path, frames, loc);
    if (rendered && t && (t.startsWith('list<') || t.startsWith('map<') || TYPES[t])) {
      problems.push({ message: `"${path.original}" is a ${t}: render a field of it, or use join/count/#each`, line: loc.start.line, column: loc.start.column });
    }
    return t;
  };
  const pathType = (p: hbs.AST.PathExpression, frames: (string | null)[], loc: hbs.AST.SourceLocation): string | null => {
    if (p.data) {
      if (['index', 'first', 'last', 'key'].includes(p.parts[0] ?? '')) return p.parts[0] === 'index' ? 'int' : p.parts[0] === 'key' ? 'string' : 'bool';
      problems.push({ message: `unknown data variable @${p.parts.join('.')}`, line: loc.start.line, column: loc.start.column });
      return null;
    }
    const frameIdx = frames.length - 1 - p.depth;
    if (frameIdx < 0) {
      problems.push({ message: `"${p.original}" climbs above the template root`, line: loc.start.line, column: loc.start.column });
      return null;
    }
    const frame = frames[frameIdx];
    if (p.parts.length === 0) return frame ?? null; // `this`
    let root: string | undefined;
    let rest = p.parts;
    if (frame === null) {
      root = scope[p.parts[0]];
      rest = p.parts.slice(1);
      if (root === undefined) {
        problems.push({ message: `unknown variable "${p.parts[0]}" (known: ${Object.keys(scope).join(', ')})`, line: loc.start.line, column: loc.start.column });
        return null;
      }
    } else root = frame;
    const r = resolvePath(root, rest);
    if ('error' in r) {
      problems.push({ message: `${p.original}: ${r.error}`, line: loc.start.line, column: loc.start.column });
      return null;
    }
    return r.type;
  };
  walk(ast, [null]);
  return { problems, names: pathNames(ast, new Set()) };
}

function pathNames(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const n of node) pathNames(n, out);
  else if (node !== null && typeof node === 'object') {
    const n = node as { type?: unknown; parts?: unknown };
    if (n.type === 'PathExpression' && Array.isArray(n.parts)) for (const p of n.parts) if (typeof p === 'string') out.add(p);
    for (const v of Object.values(node)) if (v !== null && typeof v === 'object') pathNames(v, out);
  }
  return out;
}

/** `names`: what the template reads (checkTemplate). */
export function compileTemplate(source: string, names: ReadonlySet<string>): TemplateFn {
  // Checked statically; at run time an absent optional field renders empty rather than throwing.
  const fn = hb.compile(source, { noEscape: true, knownHelpersOnly: false, strict: false });
  // facts are CEL objects whose fields are getters on their class (toCel.ts): those names, and only
  // those, may be read from a prototype. Only the ones this template reads are passed: Handlebars copies
  // the list on every call (all field names: a fifth of rule evaluation at 1,000 nodes).
  const allowed: Record<string, boolean> = Object.create(null) as Record<string, boolean>;
  for (const name of names) if (CEL_FIELD_NAMES[name] === true) allowed[name] = true;
  const options = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false, allowedProtoProperties: allowed };
  return (ctx) => fn(ctx, options);
}
