// The in-memory view of one container (an archive layer or a directory input) while it is being read.
//
// Why: bundles are UNTRUSTED. Nothing from an archive is ever written to disk: entries are checked, then
// kept here as a small virtual tree (Map-based, so names like `__proto__` are plain keys), and the
// reader decides afterwards whether the container is one node bundle or a bundle set. The budget is
// shared by every layer of one top-level input so that the caps hold for the input as a whole.
import type { ReadCaps, ReadProblem, RejectedEntry } from './types.js';

export interface VFile {
  kind: 'file';
  /** declared size (tar header) or lstat size (directory input) */
  size: number;
  /** the bytes, once completely read (archives); absent for files that were cut */
  data?: Buffer;
  /** path on disk (directory inputs: read lazily, when the bundle holding it is materialized) */
  disk?: Buffer;
}

export interface VDir {
  kind: 'dir';
  children: Map<string, VNode>;
  /** false when the directory only exists because a file below it was seen */
  explicit: boolean;
}

export type VNode = VFile | VDir;

/** A rejected entry, or a local read problem, with where it was (to give it to the right bundle). */
export interface Located<T> {
  value: T;
  parts: string[];
  claimed: boolean;
}

export interface Container {
  /** evidence label of this container (`x.tar.gz`, `x.tar.gz!member.tar.gz`, `dir`) */
  label: string;
  kind: 'archive' | 'directory';
  root: VDir;
  rejected: Located<RejectedEntry>[];
  /** problems that only concern part of the tree (an unreadable subdirectory) */
  notes: Located<ReadProblem>[];
  /** reading stopped early (cap or damage): files may be missing */
  stop: ReadProblem | null;
  /** nothing usable came of this container (I/O error before reading, not an archive) */
  fatal: ReadProblem | null;
}

/** Shared by all layers of one top-level input. */
export interface Budget {
  caps: ReadCaps;
  entries: number;
  bytes: number;
  /** set by the first cap hit; nothing more is read from this input afterwards */
  tripped: ReadProblem | null;
}

export function newBudget(caps: ReadCaps): Budget {
  return { caps, entries: 0, bytes: 0, tripped: null };
}

export function newDir(explicit: boolean): VDir {
  return { kind: 'dir', children: new Map(), explicit };
}

export function newContainer(label: string, kind: Container['kind']): Container {
  return { label, kind, root: newDir(true), rejected: [], notes: [], stop: null, fatal: null };
}

export const CAP_FLAGS: Record<keyof ReadCaps, string> = {
  maxEntries: '--max-entries',
  maxFileBytes: '--max-file-bytes',
  maxTotalBytes: '--max-total-bytes',
  maxRatio: '--max-ratio',
};

/** Record a cap hit: on the budget (stops the whole input) and as the problem to report. */
export function tripCap(budget: Budget, input: string, cap: keyof ReadCaps, message: string): ReadProblem {
  const p: ReadProblem = { input, kind: 'cap', cap, message };
  if (!budget.tripped) budget.tripped = p;
  return p;
}

/**
 * Put a node at `parts`. Returns null when done, or why not: the path is taken (duplicate: the first
 * entry wins), or one of its parents is a file.
 */
export function insertNode(root: VDir, parts: string[], node: VNode): string | null {
  let dir = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const name = parts[i];
    const child = dir.children.get(name);
    if (!child) {
      const d = newDir(false);
      dir.children.set(name, d);
      dir = d;
    } else if (child.kind === 'file') {
      return 'duplicate path (a parent directory is a file)';
    } else {
      dir = child;
    }
  }
  const last = parts[parts.length - 1];
  const existing = dir.children.get(last);
  if (existing) {
    if (existing.kind === 'dir' && node.kind === 'dir' && !existing.explicit) {
      existing.explicit = true;
      return null;
    }
    return 'duplicate path';
  }
  dir.children.set(last, node);
  return null;
}

/** Remove files whose bytes never arrived completely (archive cut in the middle of them). */
export function pruneIncomplete(dir: VDir): void {
  for (const [name, node] of dir.children) {
    if (node.kind === 'dir') pruneIncomplete(node);
    else if (node.data === undefined && node.disk === undefined) dir.children.delete(name);
  }
}

export function sortedChildren(dir: VDir): [string, VNode][] {
  return [...dir.children.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function startsWith(parts: string[], prefix: string[]): boolean {
  if (parts.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (parts[i] !== prefix[i]) return false;
  return true;
}

/** Take the unclaimed items located under `prefix` (all of them when prefix is null). */
export function claim<T>(items: Located<T>[], prefix: string[] | null): T[] {
  const out: T[] = [];
  for (const it of items) {
    if (it.claimed) continue;
    if (prefix === null || startsWith(it.parts, prefix)) {
      it.claimed = true;
      out.push(it.value);
    }
  }
  return out;
}
