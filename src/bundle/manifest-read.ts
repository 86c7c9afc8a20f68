// Turn the bytes of a bundle's manifest.json into a validated Manifest, or one clear problem.
//
// Why: the manifest comes from an UNTRUSTED bundle. Its nesting depth is checked before JSON.parse (no
// deep-recursion tricks downstream), `__proto__`/`constructor`/`prototype` keys are dropped while parsing
// (zod strips unknown keys, but `options` passes unknown keys through), the format is checked before the
// shape (a future format may look different), and zod's first issue is reported on one line.
import { BUNDLE_FORMAT, ManifestSchema, type Manifest } from './manifest.js';
import { escapeName, oneLine } from './names.js';
import type { ReadProblem } from './types.js';
import { findExcessDepth } from '../parsers/json.js';
import { decodeText } from './commands.js';

export const MAX_MANIFEST_DEPTH = 256;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Every text whose JSON has one of FORBIDDEN_KEYS matches (keys made of letters and `_` can only be escaped with \u). */
const MAY_HOLD_FORBIDDEN_KEY = /"(?:__proto__|constructor|prototype)"|\\u/;

export type ManifestResult = { ok: true; manifest: Manifest } | { ok: false; problem: ReadProblem };

function fail(label: string, message: string): ManifestResult {
  return { ok: false, problem: { input: label, kind: 'manifest', message: `${label}: ${message}` } };
}

export function parseManifest(bytes: Buffer, label: string): ManifestResult {
  const text = decodeText(bytes); // drops a BOM
  if (findExcessDepth(text, MAX_MANIFEST_DEPTH) !== -1) return fail(label, `manifest.json nests deeper than ${MAX_MANIFEST_DEPTH} levels`);
  let value: unknown;
  try {
    // a reviver costs a call per value (a third of reading the manifest): only a text that can hold a
    // forbidden key, spelt out or through a \u escape, is parsed with one
    value = MAY_HOLD_FORBIDDEN_KEY.test(text) ? JSON.parse(text, (key, v: unknown) => (FORBIDDEN_KEYS.has(key) ? undefined : v)) : JSON.parse(text);
  } catch (err) {
    return fail(label, `manifest.json is not valid JSON (${oneLine(String((err as Error).message), 200)})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail(label, 'manifest.json is not a JSON object');
  }
  const format = (value as Record<string, unknown>).format;
  if (typeof format === 'string' && format !== BUNDLE_FORMAT) {
    return fail(label, `unknown bundle format "${escapeName(oneLine(format, 100))}" (this analyzer reads ${BUNDLE_FORMAT})`);
  }
  const r = ManifestSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.map((p) => escapeName(String(p))).join('.') : '(top level)';
    return fail(label, `invalid manifest.json: ${where}: ${oneLine(issue?.message ?? 'invalid', 200)}`);
  }
  return { ok: true, manifest: r.data };
}
