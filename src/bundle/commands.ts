// How each command of a bundle's manifest turned out, and how to get its output by id.
//
// Why: bundle-v1 requires "ran and failed", "timed out", "not installed/not applicable" and "cut off"
// to stay distinguishable, and the analyzer "finds data by id through the manifest, and falls back to
// the path". The manifest and its files are UNTRUSTED: the reasons built here quote bundle text (skip
// reasons, stderr), so they are cut to one line without control characters before anyone prints them.
// Nothing here touches the filesystem; it only looks at the bundle already in memory.
import { isAscii } from 'node:buffer';
import { AsciiText, type TextLike } from '../parsers/util.js';
import { oneLine } from './names.js';
import type { CommandOutcome, NodeBundle } from './types.js';

const MAX_REASON_TEXT = 300;

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Bytes of a bundle file as text: UTF-8, invalid sequences as U+FFFD, a leading BOM dropped. */
export function decodeText(bytes: Buffer): string {
  return decoder.decode(bytes);
}

/** A bundle file as text (decodeText), or null when the bundle does not have it. */
export function fileText(bundle: NodeBundle, path: string): string | null {
  const bytes = bundle.files.get(path);
  return bytes ? decodeText(bytes) : null;
}

/**
 * Bytes of a bundle file for the scanners (logs): all-ASCII bytes are read in place, as they are (a MiB log
 * is not copied into a string to read a few lines of it); anything else is decoded as decodeText does.
 */
export function scannableText(bytes: Buffer): TextLike {
  return isAscii(bytes) ? new AsciiText(bytes) : decodeText(bytes);
}

function firstLine(bytes: Buffer | undefined): string | null {
  if (!bytes || bytes.length === 0) return null;
  // only the head matters: never decode a 20 MiB stderr to take its first line
  const text = decodeText(bytes.subarray(0, 64 * 1024));
  for (const line of text.split(/\r?\n/)) {
    const l = oneLine(line, MAX_REASON_TEXT);
    if (l !== '') return l;
  }
  return null;
}

/** The state of every manifest entry, by id (several per id when entries carry `subject`). */
export function commandOutcomes(bundle: NodeBundle): Map<string, CommandOutcome[]> {
  const out = new Map<string, CommandOutcome[]>();
  for (const entry of bundle.manifest.commands) {
    const base: CommandOutcome = { id: entry.id, state: 'ok', reason: '', entry };
    if (entry.subject !== undefined) base.subject = entry.subject;
    if (entry.stdout !== undefined) base.file = entry.stdout;
    const absent = entry.stdout !== undefined && !bundle.files.has(entry.stdout);
    const absentNote = absent ? `; file ${entry.stdout} is not in the bundle` : '';
    let o: CommandOutcome;
    if (entry.skipped !== undefined) {
      o = { ...base, state: 'skipped', reason: oneLine(entry.skipped, MAX_REASON_TEXT) || 'skipped (no reason given)' };
    } else if (entry.timedOut === true) {
      const after = entry.durationMs !== undefined ? ` after ${Math.round(entry.durationMs)} ms` : '';
      o = { ...base, state: 'timed-out', reason: `timed out${after}${absentNote}` };
    } else if (entry.truncated === true) {
      o = { ...base, state: 'truncated', reason: `output cut at the collector's size cap${absentNote}` };
    } else if (entry.exitCode !== undefined && entry.exitCode !== 0) {
      const code = entry.exitCode === null ? 'no exit code (killed?)' : `exit code ${entry.exitCode}`;
      const err = entry.stderr !== undefined ? firstLine(bundle.files.get(entry.stderr)) : null;
      o = { ...base, state: 'failed', reason: err ? `${code}: ${err}` : code };
    } else if (absent) {
      o = { ...base, state: 'missing', reason: `file ${entry.stdout} is not in the bundle` };
    } else {
      o = base;
    }
    const list = out.get(entry.id);
    if (list) list.push(o);
    else out.set(entry.id, [o]);
  }
  return out;
}

/** Where the output of a command is, and its bytes when the bundle has them (also for failed, timed-out and truncated commands). */
export interface CommandOutput {
  outcome: CommandOutcome;
  bytes: Buffer | null;
}

export interface CommandLookup {
  outcome: CommandOutcome;
  /** stdout as text (decodeText) when its file is in the bundle */
  text: string | null;
}

/**
 * The output of command `id`. With several entries for the id (subjects), the first one in manifest
 * order whose output is in the bundle is taken, else the first one; use commandOutcomes for all of them.
 * Without an entry, `fallbackPath` is read when the bundle has it (older or hand-made bundles). Bytes:
 * how they are read is the caller's (text, scannableText for a log, compared as bytes for a kernel config).
 */
export function lookupOutput(bundle: NodeBundle, outcomes: Map<string, CommandOutcome[]>, id: string, fallbackPath?: string): CommandOutput {
  const list = outcomes.get(id);
  if (list && list.length > 0) {
    const withFile = list.find((o) => o.file !== undefined && bundle.files.has(o.file));
    const outcome = withFile ?? list[0];
    return { outcome, bytes: (outcome.file !== undefined ? bundle.files.get(outcome.file) : undefined) ?? null };
  }
  if (fallbackPath !== undefined) {
    const bytes = bundle.files.get(fallbackPath);
    if (bytes) return { outcome: { id, state: 'ok', reason: `no "${id}" entry in the manifest; read ${fallbackPath}`, file: fallbackPath }, bytes };
  }
  return { outcome: { id, state: 'missing', reason: `not collected (no "${id}" entry in the manifest)` }, bytes: null };
}

/** lookupOutput, as text. */
export function lookupCommand(bundle: NodeBundle, outcomes: Map<string, CommandOutcome[]>, id: string, fallbackPath?: string): CommandLookup {
  const { outcome, bytes } = lookupOutput(bundle, outcomes, id, fallbackPath);
  return { outcome, text: bytes ? decodeText(bytes) : null };
}
