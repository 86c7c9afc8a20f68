// Shared test helpers. Tests run on the compiled output (dist/test/...), so paths are resolved from the
// repository root, which is three levels above this file once compiled (dist/test/helpers.js).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function repoPath(...parts: string[]): string {
  return path.join(REPO_ROOT, ...parts);
}

/** A real command output copied into test/samples (see test/samples/README.md for provenance). */
export function sample(name: string): string {
  return readFileSync(repoPath('test', 'samples', name), 'utf8');
}
