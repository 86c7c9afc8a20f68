// readInputs: turn the paths a user gave into node bundles in memory, one at a time.
//
// Why: inputs are support bundles uploaded by customers, so they are UNTRUSTED. Nothing here touches the
// filesystem except reading the inputs: archives are streamed through tar@7's Parser into memory (never
// extracted), directories are walked without following symlinks. Every input is read under caps
// (entries, bytes per file, decompressed bytes per input, gzip ratio) that stop it while streaming.
// Bad input never throws out of the generator: it becomes a `failure` item, or problems on an
// `incomplete` bundle when the manifest could be read. Items are yielded as soon as each node bundle is
// read so that the caller can parse and drop it before the next one.
//
// Layout (bundle-v1 "Archive", report-v1 "Inputs"): a container (archive or directory) whose top holds
// manifest.json is one node bundle (an archive's single top directory is looked through). Otherwise it
// is a bundle set: its members are directories holding manifest.json, archives (`.tar.gz`, `.tgz`,
// `.tar`), or sets again, up to MAX_SET_DEPTH levels of sets. Labels: the path as given, and for a member
// `outer!member` where `member` is the path inside that container (`cluster.tar.gz!node-a.tar.gz`,
// `clusterdir!dc1/node-a`, `cluster.tar.gz!dc1.tar.gz!node-a.tar.gz`).
import { statSync } from 'node:fs';
import { ioMessage, readArchive } from './archive.js';
import { loadDiskFile, readDirectory } from './dirtree.js';
import { parseManifest } from './manifest-read.js';
import { escapeName, isArchiveName, oneLine } from './names.js';
import { claim, newBudget, sortedChildren, type Budget, type Container, type VDir, type VNode } from './tree.js';
import type { NodeBundle, ReadCaps, ReadItem, ReadProblem, RejectedEntry } from './types.js';

export { DEFAULT_CAPS } from './types.js';
export { checkEntryName, escapeName } from './names.js';
export { parseManifest } from './manifest-read.js';

/** A set may hold sets, which hold node bundles; a set inside those is refused. */
export const MAX_SET_DEPTH = 2;

const MANIFEST = 'manifest.json';

function failure(input: string, problems: ReadProblem[], rejected: RejectedEntry[]): ReadItem {
  return { kind: 'failure', input, problems, rejected };
}

function hasManifest(dir: VDir): boolean {
  return dir.children.get(MANIFEST)?.kind === 'file';
}

/** Anything below that could be (part of) a node bundle: a manifest or a member archive. */
function hasCandidates(dir: VDir): boolean {
  for (const [name, node] of dir.children) {
    if (node.kind === 'file' ? name === MANIFEST || isArchiveName(name) : hasCandidates(node)) return true;
  }
  return false;
}

function displayLabel(p: string): string {
  return p.length > 1 ? p.replace(/(?<!\/)\/+$/, '') || '/' : p; // (?<!/): linear on many slashes
}

/** How the members of one container are labelled. */
interface Ctx {
  c: Container;
  budget: Budget;
  /** path of the container's top directory (an archive's single top directory), not shown in labels */
  rootParts: string[];
  /** true once an item carried c.stop (so the set need not repeat it) */
  stopReported: boolean;
}

function labelOf(ctx: Ctx, parts: string[]): string {
  const rel = parts.slice(ctx.rootParts.length);
  return rel.length === 0 ? ctx.c.label : `${ctx.c.label}!${rel.join('/')}`;
}

function withInput(rs: RejectedEntry[], input: string): RejectedEntry[] {
  return rs.map((r) => ({ ...r, input }));
}

/**
 * Read each input and yield one item per node bundle (or per input/member that could not be used).
 * Never throws for bad input.
 */
export async function* readInputs(paths: string[], caps: ReadCaps): AsyncGenerator<ReadItem> {
  for (const p of paths) {
    const label = displayLabel(p);
    try {
      yield* readTopLevel(p, label, caps);
    } catch (err) {
      // a bug of ours, not bad input: still one item, never an exception out of the generator
      yield failure(label, [{ input: label, kind: 'io', message: `${label}: internal error while reading (${oneLine(String((err as Error)?.message ?? err), 200)})` }], []);
    }
  }
}

async function* readTopLevel(p: string, label: string, caps: ReadCaps): AsyncGenerator<ReadItem> {
  const budget = newBudget(caps);
  let isDir: boolean;
  try {
    const st = statSync(p); // follows a top-level symlink: the user named it (sync: see readArchive)
    isDir = st.isDirectory();
    if (!isDir && !st.isFile()) {
      yield failure(label, [{ input: label, kind: 'not-a-bundle', message: `${label}: not a regular file or directory` }], []);
      return;
    }
  } catch (err) {
    yield failure(label, [{ input: label, kind: 'io', message: ioMessage(label, err) }], []);
    return;
  }
  const c = isDir ? readDirectory(label, p, budget) : await readArchive(label, { path: p }, budget);
  yield* emitContainer(c, 0, budget);
}

/** `setLevel`: how many sets enclose this container (0 for a top-level input). */
async function* emitContainer(c: Container, setLevel: number, budget: Budget): AsyncGenerator<ReadItem> {
  if (c.fatal) {
    yield failure(c.label, [c.fatal], claim(c.rejected, null));
    return;
  }
  let root = c.root;
  const rootParts: string[] = [];
  if (c.kind === 'archive' && !hasManifest(root) && root.children.size === 1) {
    const [name, only] = [...root.children.entries()][0];
    if (only.kind === 'dir') {
      root = only;
      rootParts.push(name);
    }
  }
  const ctx: Ctx = { c, budget, rootParts, stopReported: false };
  if (hasManifest(root)) {
    yield materialize(ctx, root, rootParts, true);
    return;
  }
  if (!hasCandidates(root)) {
    const problems = c.stop ? [c.stop] : [missingManifest(c.label)];
    yield failure(c.label, problems, claim(c.rejected, null));
    return;
  }
  yield* emitSet(ctx, root, rootParts, setLevel + 1);
}

function missingManifest(label: string): ReadProblem {
  return { input: label, kind: 'manifest', message: `${label}: no ${MANIFEST} (not a flannel-diag bundle)` };
}

async function* emitSet(ctx: Ctx, dir: VDir, parts: string[], level: number): AsyncGenerator<ReadItem> {
  const { c, budget } = ctx;
  const setLabel = labelOf(ctx, parts);
  const isTop = parts.length === ctx.rootParts.length;
  if (level > MAX_SET_DEPTH) {
    const message = `${setLabel}: bundle set nested more than ${MAX_SET_DEPTH} levels deep (not read)`;
    yield failure(setLabel, [{ input: setLabel, kind: 'nesting', message }], withInput(claim(c.rejected, parts), setLabel));
    return;
  }
  const notRead: string[] = [];
  const strays: RejectedEntry[] = [];
  for (const name of sortedChildren(dir).map(([n]) => n)) {
    const node = dir.children.get(name)!;
    dir.children.delete(name); // each member's bytes can be collected once it has been yielded
    const childParts = [...parts, name];
    const childLabel = labelOf(ctx, childParts);
    if (node.kind === 'dir') {
      if (hasManifest(node)) {
        // bytes from an archive are already in memory; a directory input's are read now, unless a cap
        // was hit after this directory was listed
        if (c.kind === 'directory' && budget.tripped && budget.tripped !== c.stop) notRead.push(childLabel);
        else yield materialize(ctx, node, childParts, false);
      } else if (hasCandidates(node)) {
        yield* emitSet(ctx, node, childParts, level + 1);
      } else {
        const problems = c.stop ? [c.stop] : [missingManifest(childLabel)];
        if (c.stop) ctx.stopReported = true;
        yield failure(childLabel, problems, withInput(claim(c.rejected, childParts), childLabel));
      }
    } else if (isArchiveName(name)) {
      if (budget.tripped) {
        notRead.push(childLabel);
        continue;
      }
      const source = node.data ? { buffer: node.data } : { path: node.disk!, member: true };
      const nested = await readArchive(childLabel, source, budget);
      node.data = undefined; // release the member's bytes once read
      yield* emitContainer(nested, level, budget);
    } else {
      strays.push({ input: setLabel, name: escapeName(childParts.join('/')), type: 'File', reason: 'not part of a node bundle (ignored)' });
    }
  }
  const problems: ReadProblem[] = claim(c.notes, isTop ? null : parts).map((p) => ({ ...p, input: setLabel }));
  if (isTop && c.stop && !ctx.stopReported) problems.push(c.stop);
  if (notRead.length > 0) {
    const shown = notRead.slice(0, 10).join(', ') + (notRead.length > 10 ? `, and ${notRead.length - 10} more` : '');
    const cause = budget.tripped;
    problems.push({
      input: setLabel,
      kind: 'cap',
      ...(cause?.cap ? { cap: cause.cap } : {}),
      message: `${setLabel}: ${notRead.length} member(s) not read after a cap was hit: ${shown}`,
    });
  }
  const leftovers = [...withInput(claim(c.rejected, isTop ? null : parts), setLabel), ...strays];
  if (problems.length === 0 && leftovers.length > 0) {
    problems.push({
      input: setLabel,
      kind: 'not-a-bundle',
      message: `${setLabel}: ${leftovers.length} entr${leftovers.length === 1 ? 'y' : 'ies'} outside any node bundle ignored`,
    });
  }
  if (problems.length > 0) yield failure(setLabel, problems, leftovers);
}

/** Build the NodeBundle rooted at `dir` (or the failure when its manifest is unusable). */
function materialize(ctx: Ctx, dir: VDir, parts: string[], whole: boolean): ReadItem {
  const { c, budget } = ctx;
  const label = labelOf(ctx, parts);
  const rejected = withInput(claim(c.rejected, whole ? null : parts), label);
  const problems: ReadProblem[] = claim(c.notes, whole ? null : parts).map((p) => ({ ...p, input: label }));
  if (c.stop) {
    problems.unshift(c.stop);
    ctx.stopReported = true;
  }
  let incomplete = problems.length > 0;

  const load = (node: VNode, rel: string): Buffer | ReadProblem => {
    if (node.kind !== 'file') throw new Error('not a file');
    if (node.data !== undefined) return node.data;
    const r = loadDiskFile(node, label, rel, budget);
    return 'data' in r ? r.data : r.problem;
  };

  const m = load(dir.children.get(MANIFEST)!, MANIFEST);
  if (!Buffer.isBuffer(m)) return failure(label, [...problems, m], rejected);
  const parsed = parseManifest(m, label);
  if (!parsed.ok) return failure(label, [...problems, parsed.problem], rejected);

  const files = new Map<string, Buffer>();
  let stoppedBy: ReadProblem | null = null;
  const walk = (d: VDir, prefix: string): void => {
    for (const [name, node] of sortedChildren(d)) {
      if (stoppedBy) return;
      const rel = prefix ? `${prefix}/${name}` : name;
      if (node.kind === 'dir') {
        walk(node, rel);
      } else if (!(prefix === '' && name === MANIFEST)) {
        const r = load(node, rel);
        if (Buffer.isBuffer(r)) files.set(rel, r);
        else if (r.kind === 'cap') stoppedBy = r;
        else {
          problems.push({ ...r, input: label });
          incomplete = true;
        }
      }
    }
  };
  walk(dir, '');
  if (stoppedBy) {
    problems.push({ ...(stoppedBy as ReadProblem), input: label });
    incomplete = true;
  }
  const bundle: NodeBundle = { input: label, manifest: parsed.manifest, files, rejected, problems, incomplete };
  return { kind: 'bundle', bundle };
}
