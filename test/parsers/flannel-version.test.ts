import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, parseFlanneldVersion, parseVersion, versionFromImage } from '../../src/parsers/flannel-version.js';
import { survivesHostile } from './support.js';

test('parseFlanneldVersion normalises to vX.Y.Z', () => {
  assert.equal(parseFlanneldVersion('v0.22.0\n', 'version.txt').value, 'v0.22.0');
  assert.equal(parseFlanneldVersion('0.22.0\n', 'version.txt').value, 'v0.22.0');
  assert.equal(parseFlanneldVersion('\nv0.26.1-rc1\n', 'version.txt').value, 'v0.26.1');
});

test('parseFlanneldVersion: no version gives null and an issue', () => {
  const r = parseFlanneldVersion('flag provided but not defined: -version\n', 'node/flanneld/812/version.txt');
  assert.equal(r.value, null);
  assert.deepEqual([r.issues[0].file, r.issues[0].line], ['node/flanneld/812/version.txt', 1]);
  assert.equal(parseFlanneldVersion('', 'v').issues[0].line, null);
});

test('versionFromImage reads the tag', () => {
  assert.equal(versionFromImage('docker.io/flannel/flannel:v0.25.1'), 'v0.25.1');
  assert.equal(versionFromImage('quay.io/coreos/flannel:v0.15.1-amd64'), 'v0.15.1');
  assert.equal(versionFromImage('registry.local:5000/flannel/flannel:v0.24.0@sha256:abcd'), 'v0.24.0');
  assert.equal(versionFromImage('registry.local:5000/flannel/flannel'), null);
  assert.equal(versionFromImage('flannel/flannel:latest'), null);
});

test('parseVersion and compareVersions', () => {
  assert.deepEqual(parseVersion('v0.26.1'), { major: 0, minor: 26, patch: 1 });
  assert.deepEqual(parseVersion('1.2'), { major: 1, minor: 2, patch: 0 });
  assert.equal(parseVersion('latest'), null);
  assert.ok(compareVersions('v0.9.0', 'v0.10.0') < 0, 'numeric, not lexical');
  assert.ok(compareVersions('v0.27.4', 'v0.27.3') > 0);
  assert.equal(compareVersions('0.22.0', 'v0.22.0'), 0);
  assert.ok(compareVersions('garbage', 'v0.1.0') < 0);
  assert.deepEqual(['v0.25.1', 'v0.15.1', 'v0.9.0'].sort(compareVersions), ['v0.9.0', 'v0.15.1', 'v0.25.1']);
});

test('version parsers survive hostile input', () => {
  survivesHostile((t) => parseFlanneldVersion(t, 'v'));
  survivesHostile((t) => versionFromImage(t));
  survivesHostile((t) => compareVersions(t, t));
});
