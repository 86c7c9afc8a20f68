// What the bundle reader hands to everything downstream. Raw bytes live only here; parsers turn them
// into facts and the bundle is then released, so memory follows the largest input, not the sum.
import type { CommandEntry, Manifest } from './manifest.js';

/** Limits applied while reading one input. Hitting one stops that input with a clear error naming it. */
export interface ReadCaps {
  maxEntries: number;
  maxFileBytes: number;
  maxTotalBytes: number;
  /** decompressed bytes / compressed bytes, for gzip inputs */
  maxRatio: number;
}

export const DEFAULT_CAPS: ReadCaps = {
  maxEntries: 20_000,
  maxFileBytes: 64 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
  maxRatio: 200,
};

/** An archive entry that is not part of a valid bundle (bundle-v1: regular files and directories only). */
export interface RejectedEntry {
  /** the input label, `outer!member` for a member of a set */
  input: string;
  /** the raw entry name, control characters escaped */
  name: string;
  /** tar entry type: File, SymbolicLink, Link, CharacterDevice, ... */
  type: string;
  reason: string;
}

/** Something that went wrong while reading an input; `fatal` means nothing usable came of it. */
export interface ReadProblem {
  input: string;
  kind: 'cap' | 'damaged' | 'manifest' | 'duplicate-host' | 'duplicate-path' | 'nesting' | 'io' | 'not-a-bundle';
  message: string;
  /** the cap that was hit, for kind === 'cap' */
  cap?: keyof ReadCaps;
}

/** One node bundle, read into memory. */
export interface NodeBundle {
  /** evidence label: `node-a.tar.gz`, or `cluster.tar.gz!node-a.tar.gz` for a member of a set */
  input: string;
  manifest: Manifest;
  /** files by their path relative to the bundle's top directory (manifest.json excluded) */
  files: Map<string, Buffer>;
  rejected: RejectedEntry[];
  problems: ReadProblem[];
  /** true when reading stopped early (cap, truncated archive): files may be missing */
  incomplete: boolean;
}

/** What the reader yields: a usable bundle, or an input (or member) that could not be used. */
export type ReadItem =
  | { kind: 'bundle'; bundle: NodeBundle }
  | { kind: 'failure'; input: string; problems: ReadProblem[]; rejected: RejectedEntry[] };

/** How one command of the manifest turned out, as everything downstream needs to know it. */
export type CommandState =
  | 'ok' // ran, exit 0, output complete
  | 'failed' // ran and exited non-zero
  | 'timed-out'
  | 'truncated' // output cut at the collector's cap
  | 'skipped' // not run (tool not installed, not applicable): `reason` says why
  | 'missing' // no manifest entry, or its file is not in the bundle
  ;

export interface CommandOutcome {
  id: string;
  subject?: string;
  state: CommandState;
  reason: string;
  entry?: CommandEntry;
  /** path of stdout within the bundle, when there is one */
  file?: string;
}
