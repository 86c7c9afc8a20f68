// Turns the fact model into the values CEL evaluates, driven by the facts schema: `int` fields become
// BigInt (CEL integers), absent optional fields are left out (so `has()` works) and every object keeps
// a link back to its evidence. Done once per analysis, so the cost is linear in the facts.
import { FACT_TYPES, FACT_VARIABLES, type Facts } from '../facts/schema.js';
import type { Evidence } from '../report/schema.js';
import { CEL_CLASSES } from './cel.js';

type Schema = Record<string, Record<string, { type: string; optional?: boolean }>>;
const TYPES = FACT_TYPES as unknown as Schema;

/** Evidence of each converted object, found again from the CEL value a rule hands back. */
export type EvidenceIndex = WeakMap<object, Evidence[]>;

export interface CelFacts {
  vars: Record<string, unknown>;
  evidenceOf: EvidenceIndex;
}

export class FactShapeError extends Error {}

export function factsToCel(facts: Facts): CelFacts {
  const evidenceOf: EvidenceIndex = new WeakMap();
  const seen = new Map<object, unknown>();
  const vars: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(FACT_VARIABLES)) {
    vars[name] = convert((facts as unknown as Record<string, unknown>)[name], v.type, name, evidenceOf, seen);
  }
  return { vars, evidenceOf };
}

function convert(value: unknown, type: string, where: string, ev: EvidenceIndex, seen: Map<object, unknown>): unknown {
  if (type === 'string') {
    if (typeof value !== 'string') throw new FactShapeError(`${where}: expected string, got ${typeof value}`);
    return value;
  }
  if (type === 'int') {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new FactShapeError(`${where}: expected int, got ${String(value)}`);
    return BigInt(Math.trunc(value));
  }
  if (type === 'double') {
    if (typeof value !== 'number') throw new FactShapeError(`${where}: expected double, got ${typeof value}`);
    return value;
  }
  if (type === 'bool') {
    if (typeof value !== 'boolean') throw new FactShapeError(`${where}: expected bool, got ${typeof value}`);
    return value;
  }
  if (type.startsWith('list<')) {
    if (!Array.isArray(value)) throw new FactShapeError(`${where}: expected list`);
    const inner = type.slice(5, -1);
    return value.map((v, i) => convert(v, inner, `${where}[${i}]`, ev, seen));
  }
  if (type.startsWith('map<string, ')) {
    if (typeof value !== 'object' || value === null) throw new FactShapeError(`${where}: expected map`);
    // a map shared by several facts (the kernel options of identical nodes) is converted once
    const known = seen.get(value);
    if (known !== undefined) return known;
    const inner = type.slice(12, -1);
    const out: Record<string, unknown> = Object.create(null);
    seen.set(value, out);
    for (const [k, v] of Object.entries(value)) out[k] = convert(v, inner, `${where}.${k}`, ev, seen);
    return out;
  }
  const fields = TYPES[type];
  if (!fields) throw new FactShapeError(`${where}: unknown type ${type}`);
  if (typeof value !== 'object' || value === null) throw new FactShapeError(`${where}: expected ${type}`);
  // The same fact object may appear in several places (a lease in etcd.leases and as node.lease).
  const cached = seen.get(value);
  if (cached !== undefined) return cached;
  const src = value as Record<string, unknown>;
  const out = new CEL_CLASSES[type]() as Record<string, unknown>;
  seen.set(value, out);
  for (const [field, spec] of Object.entries(fields)) {
    const v = src[field];
    if (v === undefined || v === null) {
      if (spec.optional) continue;
      throw new FactShapeError(`${where}.${field}: required ${spec.type} is missing`);
    }
    out[field] = convert(v, spec.type, `${where}.${field}`, ev, seen);
  }
  if (Array.isArray(src.evidence)) ev.set(out, src.evidence as Evidence[]);
  return out;
}

/** Back from CEL to plain JSON-able values (BigInt to number), for templates and test output. */
export function celToPlain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(celToPlain);
  if (v && typeof v === 'object') {
    if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, celToPlain(x)]));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = celToPlain(x);
    return out;
  }
  return v;
}
