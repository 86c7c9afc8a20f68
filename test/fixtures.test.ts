// The committed fixtures are what the generator makes from the committed scenarios and real-output
// templates (byte for byte), and every bundle in them is a valid bundle-v1 archive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { repoPath } from './helpers.js';

test('fixtures regenerate byte-identically and every manifest is consistent', () => {
  const r = spawnSync(process.execPath, [repoPath('fixtures/verify-fixtures.mjs')], { encoding: 'utf8', cwd: repoPath() });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /determinism: \d+ archives/);
  assert.match(r.stdout, /^OK$/m);
});
