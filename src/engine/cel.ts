// Our adapter over @marcbachmann/cel-js: the only file that imports it, so the CEL library can be
// swapped without touching rules or the engine. Declares the facts schema as CEL types, so conditions
// are type-checked when rules load, and adds the few functions flannel rules need (IP and version math)
// that CEL lacks.
import { Environment } from '@marcbachmann/cel-js';
import { FACT_TYPES, FACT_VARIABLES } from '../facts/schema.js';
import { cidrContains, ipInCidr } from '../facts/net.js';
import { compareVersions, parseVersion } from '../parsers/flannel-version.js';
import { CEL_CLASSES } from './toCel.js';

export interface CelCheck {
  ok: boolean;
  /** CEL type of the result, when ok */
  type?: string;
  message?: string;
  /** character offset of the error within the expression */
  offset?: number;
}

export type CelProgram = (ctx: Record<string, unknown>) => unknown;

export interface CelEnv {
  check(expr: string): CelCheck;
  compile(expr: string): CelProgram;
}

/** Fact types in an order where every type comes after the types its fields use. */
function typesInDependencyOrder(): string[] {
  const order: string[] = [];
  const done = new Set<string>();
  const visit = (name: string, path: string[]) => {
    if (done.has(name) || path.includes(name)) return;
    const fields = (FACT_TYPES as Record<string, Record<string, { type: string }>>)[name];
    for (const spec of Object.values(fields)) {
      for (const ref of spec.type.match(/[A-Z][A-Za-z]*/g) ?? []) if (ref in FACT_TYPES) visit(ref, [...path, name]);
    }
    done.add(name);
    order.push(name);
  };
  for (const name of Object.keys(FACT_TYPES)) visit(name, []);
  return order;
}

function baseEnvironment(): Environment {
  let env = new Environment({ unlistedVariablesAreDyn: false, homogeneousAggregateLiterals: false });
  for (const name of typesInDependencyOrder()) {
    const decl: Record<string, string> = {};
    for (const [field, spec] of Object.entries((FACT_TYPES as Record<string, Record<string, { type: string }>>)[name])) decl[field] = spec.type;
    env = env.registerType(name, { ctor: CEL_CLASSES[name], fields: decl });
  }
  for (const [name, v] of Object.entries(FACT_VARIABLES)) env = env.registerVariable(name, v.type);
  env = env
    .registerFunction('cidrContains(string, string): bool', (cidr: string, inner: string) => cidrContains(cidr, inner))
    .registerFunction('ipInCidr(string, string): bool', (ip: string, cidr: string) => ipInCidr(ip, cidr))
    .registerFunction('versionAtLeast(string, string): bool', (v: string, min: string) => bothVersions(v, min) && compareVersions(v, min) >= 0)
    .registerFunction('versionBelow(string, string): bool', (v: string, max: string) => bothVersions(v, max) && compareVersions(v, max) < 0);
  return env;
}

let shared: Environment | null = null;

/** A CEL environment with the facts variables plus `extra` variables (a rule's `as`), each with its type. */
export function celEnv(extra: Record<string, string> = {}): CelEnv {
  shared ??= baseEnvironment();
  let env: Environment = shared.clone();
  for (const [name, type] of Object.entries(extra)) env = env.registerVariable(name, type);
  return {
    check(expr: string): CelCheck {
      try {
        const r = env.check(expr) as { valid: boolean; type?: unknown; error?: { message: string; range?: { start: number } } };
        if (r.valid) return { ok: true, type: String(r.type) };
        return { ok: false, message: firstLine(r.error?.message ?? 'invalid expression'), offset: r.error?.range?.start ?? 0 };
      } catch (e) {
        const err = e as { message?: string; range?: { start: number } };
        return { ok: false, message: firstLine(err.message ?? String(e)), offset: err.range?.start ?? 0 };
      }
    },
    compile(expr: string): CelProgram {
      const program = env.parse(expr) as unknown as (ctx: Record<string, unknown>) => unknown;
      return (ctx) => program(ctx);
    },
  };
}

function bothVersions(a: string, b: string): boolean {
  return parseVersion(a) !== null && parseVersion(b) !== null;
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

/** CEL functions we add, for `rules facts`. */
export const CEL_FUNCTIONS: Record<string, string> = {
  'cidrContains(string, string): bool': 'the first CIDR contains the second CIDR or address',
  'ipInCidr(string, string): bool': 'the address is inside the CIDR',
  'versionAtLeast(string, string): bool': 'flannel version comparison: v >= min (false when either is not a version)',
  'versionBelow(string, string): bool': 'flannel version comparison: v < max (false when either is not a version)',
};
