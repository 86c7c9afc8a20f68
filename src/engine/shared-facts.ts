// A node's kernel options are thousands of entries (the whole kernel config) and nearly always the same
// on every node of a cluster. Nodes whose options equal an earlier node's (same keys in the same order,
// same values) share that node's object, so memory, worker-to-main copies and the CEL conversion do not
// grow by thousands of entries per node. Facts are not changed after they are built, so sharing is safe.
import type { NodeBuild } from '../facts/node.js';

type Options = Record<string, string>;

/** Distinct option sets kept for comparison: a cluster has a handful of kernel builds. */
export const KEEP = 8;

function sameRecord(a: Options, b: Options): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i] || a[ka[i]] !== b[kb[i]]) return false;
  return true;
}

export class KernelOptionsPool {
  private readonly recent: { id: number; options: Options }[] = [];
  /** every object already answered, so that handing the same object again costs no comparison */
  private readonly known = new WeakMap<Options, { id: number; options: Options }>();
  private nextId = 0;

  /** An equal option set seen before (`seen`), else this one, remembered under a new id. */
  intern(options: Options): { id: number; options: Options; seen: boolean } {
    const same = this.known.get(options);
    if (same && same.id >= this.nextId - KEEP) return { ...same, seen: true };
    const hit = this.recent.find((r) => sameRecord(r.options, options));
    if (hit) {
      this.known.set(options, hit);
      return { ...hit, seen: true };
    }
    const entry = { id: this.nextId++, options };
    this.recent.push(entry);
    if (this.recent.length > KEEP) this.recent.shift();
    this.known.set(options, entry);
    return { ...entry, seen: false };
  }

  /** Points the build at an equal option set seen before, if any. */
  share(build: NodeBuild): void {
    build.node.kernel.options = this.intern(build.node.kernel.options).options;
  }
}

/** Distinct availability maps kept: nodes differ in them only when something failed. */
const AVAILABILITY_KEEP = 256;

/**
 * A node's availability (a state for each of ~30 data paths) is nearly always the same as many other
 * nodes'; equal ones (same paths in the same order, same states) share one object. Measured: 7.8 KB per
 * node, 15% of a node's facts, before.
 */
export class AvailabilityPool {
  private readonly byKey = new Map<string, NodeBuild['availability']>();

  share(build: NodeBuild): void {
    const key = JSON.stringify(build.availability);
    const known = this.byKey.get(key);
    if (known) build.availability = known;
    else if (this.byKey.size < AVAILABILITY_KEEP) this.byKey.set(key, build.availability);
  }
}
