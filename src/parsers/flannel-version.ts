// flanneld version strings: `flanneld --version` output and image tags. Versions are normalised to
// `vMAJOR.MINOR.PATCH`, since every version-dependent behaviour in flannel-facts.md is keyed on that.
import type { Parsed, ParseIssue } from './types.js';
import { clip, issue, iterLines } from './util.js';

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

// Anchored and without nested quantifiers: linear. The suffix (`-amd64`, `-rc1`, `+dirty`) is not kept.
const VERSION = /^v?(\d{1,9})\.(\d{1,9})(?:\.(\d{1,9}))?(?:[-+.][0-9A-Za-z.+-]*)?$/;

export function parseVersion(v: string): Version | null {
  const m = VERSION.exec(v.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: m[3] === undefined ? 0 : Number(m[3]) };
}

function normalise(v: string): string | null {
  const p = parseVersion(v);
  return p ? `v${p.major}.${p.minor}.${p.patch}` : null;
}

/** `flanneld --version` prints `v0.22.0` (or `0.22.0` in old builds); the first version-like token wins. */
export function parseFlanneldVersion(text: string, file: string): Parsed<string | null> {
  const issues: ParseIssue[] = [];
  for (const { text: line } of iterLines(text, file, issues)) {
    for (const token of line.trim().split(/[ \t]+/)) {
      if (token.length > 64) continue;
      const v = normalise(token);
      if (v) return { value: v, issues };
    }
  }
  const first = text.trim().split('\n', 1)[0] ?? '';
  issues.push(issue(file, first === '' ? null : 1, first === '' ? 'empty version output' : `no version in: ${clip(first, 80)}`));
  return { value: null, issues };
}

/**
 * The version in a flannel image reference: `docker.io/flannel/flannel:v0.25.1` → `v0.25.1`,
 * `quay.io/coreos/flannel:v0.15.1-amd64` → `v0.15.1`. A digest (`@sha256:…`) is ignored; a
 * registry port (`reg:5000/…`) is not a tag. Null for `latest` or no tag.
 */
export function versionFromImage(image: string): string | null {
  if (image.length > 1024) return null;
  const at = image.indexOf('@');
  const ref = at === -1 ? image : image.slice(0, at);
  const colon = ref.lastIndexOf(':');
  if (colon === -1 || colon < ref.lastIndexOf('/')) return null;
  return normalise(ref.slice(colon + 1));
}

/**
 * Semver order of the numeric parts: <0, 0, >0. Unparseable versions sort before every parseable one
 * (two unparseable ones compare equal): check `parseVersion` first where "unknown" matters.
 */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return x ? 1 : y ? -1 : 0;
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}
