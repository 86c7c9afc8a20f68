// manifest.json: missing, unknown format, invalid, hostile (__proto__, deep nesting, paths outside).
// Why: the manifest is untrusted JSON that decides which files are read as what.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { parseManifest } from '../../src/bundle/manifest-read.js';
import { findExcessDepth } from '../../src/parsers/json.js';
import { manifest, nodeFiles, only, onlyBundle, readAll, tempDir, writeTree } from './kit.js';

describe('manifest.json', () => {
  const t = tempDir();
  after(t.cleanup);
  let n = 0;

  /** A directory bundle whose manifest.json holds `text`; returns its path. */
  function bundleWith(text: string): string {
    const d = path.join(t.dir, `m${n++}`);
    writeTree(d, { ...nodeFiles('node-a'), 'manifest.json': text });
    return d;
  }

  async function failureOf(text: string): Promise<{ d: string; kind: string; message: string }> {
    const d = bundleWith(text);
    const it = only(await readAll([d]));
    assert.ok(it.kind === 'failure', 'expected a failure');
    assert.equal(it.problems.length, 1);
    return { d, kind: it.problems[0].kind, message: it.problems[0].message };
  }

  it('reads a valid manifest (with a BOM)', async () => {
    const b = onlyBundle(await readAll([bundleWith('\ufeff' + JSON.stringify(manifest('node-a')))]));
    assert.equal(b.manifest.host.hostname, 'node-a');
    assert.deepEqual(b.manifest.commands.map((c) => c.id), ['ps', 'chronyc-tracking']);
  });

  it('an unknown format is refused by name', async () => {
    const f = await failureOf(JSON.stringify({ ...manifest('node-a'), format: 'x' }));
    assert.equal(f.kind, 'manifest');
    assert.equal(f.message, `${f.d}: unknown bundle format "x" (this analyzer reads flannel-diag-bundle/1)`);
  });

  it('an unknown format is printed escaped', async () => {
    const f = await failureOf(JSON.stringify({ format: 'evil\u001b[2J/2' }));
    assert.equal(f.message, `${f.d}: unknown bundle format "evil[2J/2" (this analyzer reads flannel-diag-bundle/1)`);
  });

  it('an invalid manifest gives zod\'s first issue on one line', async () => {
    const m = manifest('node-a');
    const f = await failureOf(JSON.stringify({ ...m, host: {} }));
    assert.equal(f.kind, 'manifest');
    assert.match(f.message, /: invalid manifest\.json: host\.hostname: Invalid input: expected string, received undefined$/);
    assert.ok(!f.message.includes('\n'));
  });

  it('a missing format is an invalid manifest', async () => {
    const { format: _f, ...rest } = manifest('node-a');
    const f = await failureOf(JSON.stringify(rest));
    assert.match(f.message, /: invalid manifest\.json: format: /);
  });

  it('stdout/stderr paths outside the bundle are refused by the schema', async () => {
    for (const bad of ['../../etc/passwd', '/etc/passwd', 'node\\ps.txt', 'node/../../x']) {
      const m = manifest('node-a');
      const f = await failureOf(JSON.stringify({ ...m, commands: [{ id: 'ps', stdout: 'node/ps.txt' }, { id: 'x', stderr: bad }] }));
      assert.equal(f.message, `${f.d}: invalid manifest.json: commands.1.stderr: path must stay inside the bundle`, bad);
    }
  });

  it('not JSON, or not an object', async () => {
    const a = await failureOf('{"format": "flannel-diag-bundle/1",');
    assert.match(a.message, /: manifest\.json is not valid JSON \(.+\)$/);
    const b = await failureOf('[1,2]');
    assert.equal(b.message, `${b.d}: manifest.json is not a JSON object`);
  });

  it('nesting deeper than 256 is refused before JSON.parse', async () => {
    const deep = `{"format":"flannel-diag-bundle/1","x":${'['.repeat(300)}${']'.repeat(300)}}`;
    const f = await failureOf(deep);
    assert.equal(f.message, `${f.d}: manifest.json nests deeper than 256 levels`);
    // 250 levels in an unknown key: accepted (and the key stripped)
    const ok = JSON.stringify({ ...manifest('node-a'), x: JSON.parse('['.repeat(250) + ']'.repeat(250)) });
    const b = onlyBundle(await readAll([bundleWith(ok)]));
    assert.equal(Object.hasOwn(b.manifest, 'x'), false);
  });

  it('the depth check ignores brackets inside strings', () => {
    assert.equal(findExcessDepth('{"a":"[[[[{{{{\\"[[["}', 1), -1);
    assert.equal(findExcessDepth('[[1],[[2]]]', 2), 6); // the third level opens at offset 6
  });

  it('__proto__ and constructor keys pollute nothing', async () => {
    const text = `{
      "__proto__": {"polluted": "yes", "format": "flannel-diag-bundle/1"},
      "constructor": {"prototype": {"polluted2": "yes"}},
      "format": "flannel-diag-bundle/1",
      "host": {"hostname": "node-a", "__proto__": {"machineId": "from-proto"}},
      "collectedAt": "2026-11-26T05:13:06Z",
      "options": {"etcd": true, "__proto__": {"kube": true, "polluted3": 1},
                  "constructor": {"prototype": {"polluted4": 1}}, "futureOption": 5},
      "commands": [{"id": "ps", "stdout": "node/ps.txt", "__proto__": {"skipped": "nope"}}]
    }`;
    const b = onlyBundle(await readAll([bundleWith(text)]));
    const m = b.manifest;
    const options = m.options as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(({} as Record<string, unknown>).polluted2, undefined);
    assert.equal(({} as Record<string, unknown>).polluted3, undefined);
    assert.equal(({} as Record<string, unknown>).polluted4, undefined);
    assert.equal(Object.getPrototypeOf(m), Object.prototype);
    assert.equal(Object.getPrototypeOf(options), Object.prototype);
    assert.equal(Object.getPrototypeOf(m.host), Object.prototype);
    assert.equal(options.kube, undefined);
    assert.equal(Object.hasOwn(options, 'constructor'), false);
    assert.equal(Object.hasOwn(options, '__proto__'), false);
    assert.equal(options.futureOption, 5); // passthrough still works for ordinary keys
    assert.equal(m.host.machineId, undefined);
    assert.equal(m.commands[0].skipped, undefined);
    assert.equal(Object.hasOwn(m, 'constructor'), false);
  });

  it('forbidden keys spelt with \\u escapes are dropped too (the parse without a reviver must not see them)', () => {
    const text = JSON.stringify(manifest('node-u')).replace('"collectedAt":', '"options":{"\\u005f_proto__":{"kube":true},"constr\\u0075ctor":{"x":1},"futureOption":7},"collectedAt":');
    assert.match(text, /\\u005f_proto__/);
    const r = parseManifest(Buffer.from(text), 'u.tar.gz');
    assert.ok(r.ok);
    const options = r.manifest.options as Record<string, unknown>;
    assert.equal(Object.hasOwn(options, '__proto__'), false);
    assert.equal(Object.hasOwn(options, 'constructor'), false);
    assert.equal(options.futureOption, 7);
    // an ordinary manifest (no forbidden key, no escape) keeps every value
    const plain = parseManifest(Buffer.from(JSON.stringify(manifest('node-p'))), 'p.tar.gz');
    assert.ok(plain.ok);
    assert.equal(plain.manifest.host.hostname, 'node-p');
  });

  it('parseManifest can be used on bytes directly', () => {
    const r = parseManifest(Buffer.from(JSON.stringify(manifest('node-q'))), 'q.tar.gz');
    assert.ok(r.ok);
    assert.equal(r.manifest.host.hostname, 'node-q');
    const bad = parseManifest(Buffer.from('{"format":"flannel-diag-bundle/2"}'), 'q.tar.gz');
    assert.ok(!bad.ok);
    assert.deepEqual(bad.problem, {
      input: 'q.tar.gz',
      kind: 'manifest',
      message: 'q.tar.gz: unknown bundle format "flannel-diag-bundle/2" (this analyzer reads flannel-diag-bundle/1)',
    });
  });
});
