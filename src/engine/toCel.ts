// The CEL view of the fact model, driven by the facts schema, without copying it: every fact object is
// seen through an instance of its type's class (CEL_CLASSES) that holds only a reference to the fact,
// and whose fields are getters that convert on access: `int` fields become BigInt (CEL integers),
// absent optional fields read as undefined (so `has()` works). Why: a converted copy of every fact was
// as large as the facts themselves (measured 45 KB per node, more than the node's facts after strings
// were shared), and the memory of a 5,000-node analysis is mostly facts.
//
// Lists and maps of fact types are converted when read: small ones again on each read (short-lived
// garbage, where keeping them would hold a converted copy of every node's maps), large ones once (a rule
// that looks up `etcd.leaseBySubnet` for each node must not rebuild a map of every lease each time). Lists and maps of strings, doubles and bools are the facts' own.
import { FACT_TYPES, FACT_VARIABLES, type Facts } from '../facts/schema.js';
import type { Evidence } from '../report/schema.js';

type Schema = Record<string, Record<string, { type: string; optional?: boolean }>>;
const TYPES = FACT_TYPES as unknown as Schema;

/** The fact a CEL object stands for. */
const SOURCE = Symbol('fact');

interface CelObject {
  [SOURCE]: Record<string, unknown>;
}

export interface CelFacts {
  vars: Record<string, unknown>;
}

/** Converts a present (not null, not undefined) value of one schema type; null when values are used as they are. */
type Converter = ((v: unknown) => unknown) | null;

/** Lists and maps of facts at least this long are converted once per analysis. */
const REUSE_LIST_LENGTH = 32;
const converted = new WeakMap<object, unknown>();

function reuse<T>(source: object, build: () => T): T {
  const known = converted.get(source);
  if (known !== undefined) return known as T;
  const out = build();
  converted.set(source, out);
  return out;
}

const converters = new Map<string, Converter>();

/**
 * CEL compares objects by identity (`node.lease in etcd.leases`, `a == b`), so a fact that several lists
 * and fields hold must be one view wherever it is read. Kept for the types that are held that way (a few
 * per node); the many small facts (evidence, events, commands) get a view per read instead, which is
 * short-lived.
 */
const IDENTITY_TYPES = new Set(['Node', 'Lease', 'KubeNode', 'KubePod', 'Interface']);
const views = new WeakMap<object, object>();

function converterOf(type: string): Converter {
  if (converters.has(type)) return converters.get(type)!;
  let conv: Converter;
  if (type === 'string' || type === 'double' || type === 'bool') conv = null;
  else if (type === 'int') conv = (v) => BigInt(Math.trunc(v as number));
  else if (type.startsWith('list<')) {
    const inner = converterOf(type.slice(5, -1));
    conv =
      inner === null ? null : (
        (v) => {
          const list = v as unknown[];
          const build = () => list.map((x) => (x === undefined || x === null ? x : inner(x)));
          return list.length >= REUSE_LIST_LENGTH ? reuse(list, build) : build();
        }
      );
  } else if (type.startsWith('map<string, ')) {
    const inner = converterOf(type.slice(12, -1));
    conv =
      inner === null ? null : (
        (v) => {
          const known = converted.get(v as object);
          if (known !== undefined) return known;
          const entries = Object.entries(v as Record<string, unknown>);
          const out: Record<string, unknown> = Object.create(null);
          for (const [k, x] of entries) out[k] = x === undefined || x === null ? x : inner(x);
          if (entries.length >= REUSE_LIST_LENGTH) converted.set(v as object, out);
          return out;
        }
      );
  } else if (type in TYPES) {
    conv =
      IDENTITY_TYPES.has(type) ?
        (v) => {
          const known = views.get(v as object);
          if (known !== undefined) return known;
          const view = new CEL_CLASSES[type](v as Record<string, unknown>);
          views.set(v as object, view);
          return view;
        }
      : (v) => new CEL_CLASSES[type](v as Record<string, unknown>);
  }
  else throw new Error(`facts schema: unknown type ${type}`);
  converters.set(type, conv);
  return conv;
}

function viewClass(name: string): new (source?: Record<string, unknown>) => object {
  const cls = {
    [name]: class {
      [SOURCE]: Record<string, unknown>;
      constructor(source: Record<string, unknown> = {}) {
        this[SOURCE] = source;
      }
    },
  }[name];
  for (const [field, spec] of Object.entries(TYPES[name])) {
    let conv: Converter | undefined; // resolved on first read: types refer to types defined after them
    Object.defineProperty(cls.prototype, field, {
      enumerable: true,
      get(this: CelObject) {
        const v = this[SOURCE][field];
        if (v === undefined || v === null) return undefined;
        if (conv === undefined) conv = converterOf(spec.type);
        return conv === null ? v : conv(v);
      },
    });
  }
  return cls;
}

/**
 * One class per fact type: CEL values of a fact type are instances of these, so the library knows their
 * type, and a fact a rule hands back leads to its evidence.
 */
export const CEL_CLASSES: Record<string, new (source?: Record<string, unknown>) => object> = Object.fromEntries(
  Object.keys(TYPES).map((name) => [name, viewClass(name)]),
);

/** Every field name of the schema: what templates may read from a CEL object (its getters). */
export const CEL_FIELD_NAMES: Record<string, boolean> = Object.fromEntries(
  Object.values(TYPES).flatMap((fields) => Object.keys(fields).map((k) => [k, true])),
);

export function factsToCel(facts: Facts): CelFacts {
  const vars: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(FACT_VARIABLES)) {
    const value = (facts as unknown as Record<string, unknown>)[name];
    const conv = converterOf(v.type);
    vars[name] = value === undefined || value === null || conv === null ? value : conv(value);
  }
  return { vars };
}

/** The evidence of the fact behind a CEL object (none for other values). */
export function evidenceOf(v: unknown): Evidence[] {
  if (!v || typeof v !== 'object' || !(SOURCE in v)) return [];
  const evidence = (v as CelObject)[SOURCE].evidence;
  return Array.isArray(evidence) ? (evidence as Evidence[]) : [];
}
