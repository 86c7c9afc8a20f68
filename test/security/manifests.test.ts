// Hostile manifests: invalid, of an unknown version, pointing outside the bundle, carrying
// `__proto__`/`constructor` keys, nested deeper than any parser should recurse. Through the real CLI
// (outcome, one-line error, no stack trace, nothing written) and in process (no prototype pollution).
// Why: manifest.json decides which files the analyzer reads and under which names; it is attacker-written.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseManifest } from '../../src/bundle/manifest-read.js';
import type { NodeBundle } from '../../src/bundle/types.js';
import { analyzeBundles, type PipelineItem } from '../../src/engine/pipeline.js';
import { renderReport, REPORT_FORMATS } from '../../src/report/index.js';
import { builtinRules } from './fuzzlib.js';
import { analyzeHostile, assertExit1, healthyFiles, sandbox, unpackHealthy, type Sandbox } from './support.js';

const PROTO_TEXT = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}';

/** Own property names of the built-in prototypes, to prove nothing was added to them. */
function prototypeState(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype, Map.prototype]
    .map((p) => Object.getOwnPropertyNames(p).sort().join(','))
    .join('|');
}

describe('hostile manifests (CLI)', { timeout: 300_000 }, () => {
  let sb: Sandbox;
  let pristine: string;
  let manifest: Record<string, unknown>;
  let n = 0;
  before(() => {
    sb = sandbox();
    const work = path.join(sb.root, 'pristine');
    mkdirSync(work);
    pristine = unpackHealthy('a', work);
    manifest = JSON.parse(readFileSync(path.join(pristine, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  });
  after(() => sb.cleanup());

  /** A copy of healthy node-a as a directory input, with manifest.json replaced by `text`. */
  const withManifest = (text: string | Buffer): string => {
    const d = path.join(sb.in, `bundle-${n++}`);
    cpSync(pristine, d, { recursive: true });
    writeFileSync(path.join(d, 'manifest.json'), text);
    return d;
  };
  const edited = (edit: (m: Record<string, unknown>) => void): string => {
    const m = structuredClone(manifest);
    edit(m);
    return withManifest(JSON.stringify(m));
  };

  it('an invalid manifest is exit 1 with one line naming manifest.json', () => {
    const cases: [string, string | Buffer, RegExp][] = [
      ['not JSON', '{"format": "flannel-diag-bundle/1", ', /manifest\.json is not valid JSON/],
      ['an array', '[1,2,3]', /manifest\.json is not a JSON object/],
      ['null', 'null', /not a JSON object/],
      ['empty', '', /not valid JSON/],
      ['binary', Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x00]), /not valid JSON/],
      ['no host', JSON.stringify({ ...manifest, host: undefined }), /invalid manifest\.json: host/],
      ['empty hostname', JSON.stringify({ ...manifest, host: { hostname: '' } }), /invalid manifest\.json: host\.hostname/],
      ['commands not a list', JSON.stringify({ ...manifest, commands: { ps: 1 } }), /invalid manifest\.json: commands/],
      ['exit code a string', JSON.stringify({ ...manifest, commands: [{ id: 'ps', exitCode: '0; rm -rf /' }] }), /invalid manifest\.json: commands\.0\.exitCode/],
      ['hostname with a newline and escapes', JSON.stringify({ ...manifest, host: { hostname: 'x'.repeat(300) + '\n\u001b[2J' } }), /host\.hostname/],
    ];
    for (const [what, text, re] of cases) {
      const r = analyzeHostile(sb, [withManifest(text)]);
      assertExit1(r.run, what, re);
      assert.doesNotMatch(r.run.stderr, /\u001b/, `${what}: an escape sequence reached the terminal`);
    }
  });

  it('an unknown bundle format version is exit 1, and says which version it reads', () => {
    for (const format of ['flannel-diag-bundle/2', 'flannel-diag-bundle/0', 'something-else', '\u001b]0;pwned\u0007flannel-diag-bundle/9']) {
      const r = analyzeHostile(sb, [edited((m) => (m.format = format))]);
      assertExit1(r.run, format, /unknown bundle format .*this analyzer reads flannel-diag-bundle\/1/);
      assert.doesNotMatch(r.run.stderr, /[\u0000-\u0008\u000b-\u001f\u007f]/, 'control characters in the message');
    }
    // a format that is not even a string
    assertExit1(analyzeHostile(sb, [edited((m) => (m.format = { v: 1 }))]).run, 'format object', /invalid manifest\.json: format/);
  });

  it('paths outside the bundle in the manifest are refused, and nothing outside is read', () => {
    const secret = path.join(sb.root, 'secret-outside.txt');
    writeFileSync(secret, 'SECRET-OUTSIDE\n');
    for (const bad of ['../../../../../etc/passwd', '/etc/passwd', `../${path.basename(secret)}`, 'node\\..\\..\\x', 'node/../../x', 'node/\u0000x']) {
      const r = analyzeHostile(sb, [
        edited((m) => {
          (m.commands as Record<string, unknown>[]).push({ id: 'ps', argv: ['cat'], stdout: bad, exitCode: 0 });
        }),
      ]);
      assertExit1(r.run, bad, /path must stay inside the bundle/);
      assert.doesNotMatch(r.run.stdout + r.run.stderr, /root:|SECRET-OUTSIDE/);
    }
    // a path inside the bundle that names no file is "missing", not an error
    const r = analyzeHostile(sb, [edited((m) => (m.commands as Record<string, unknown>[]).unshift({ id: 'ps', stdout: 'node/nope.txt', exitCode: 0 }))]);
    assert.ok(r.report, r.run.stderr);
  });

  it('__proto__ and constructor keys anywhere in the manifest are plain data', () => {
    const text = JSON.stringify({ ...manifest, options: { ...(manifest.options as object), polluted: 1 } })
      .replace(/^\{/, '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},')
      .replace('"host":{', '"host":{"__proto__":{"hostname":"spoofed"},')
      .replace('"options":{', '"options":{"__proto__":{"polluted":"yes"},"constructor":{"name":"x"},')
      .replace('"commands":[', `"commands":[{"id":"__proto__","skipped":"x"},{"id":"constructor","stdout":"node/date.txt","exitCode":0},{"id":"hasOwnProperty","subject":"__proto__","skipped":"y"},`);
    assert.ok(text.includes('"host":{"__proto__"'));
    const r = analyzeHostile(sb, [withManifest(text)]);
    assert.ok(r.report, r.run.stderr);
    assert.equal(r.report.inputs[0].hostname, 'node-a');
    // a hostname that is a prototype name is a hostname like any other
    const r2 = analyzeHostile(sb, [edited((m) => ((m.host as Record<string, unknown>).hostname = '__proto__'))]);
    assert.ok(r2.report, r2.run.stderr);
    assert.equal(r2.report.inputs[0].hostname, '__proto__');
  });

  it('a manifest nested deeper than any walker should recurse is exit 1, quickly', () => {
    const deep = `{"format":"flannel-diag-bundle/1","x":${'['.repeat(500_000)}${']'.repeat(500_000)}}`;
    assertExit1(analyzeHostile(sb, [withManifest(deep)]).run, 'deep', /nests deeper than 256 levels/);
    const deepObj = `{"format":"flannel-diag-bundle/1","x":${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}}`;
    assertExit1(analyzeHostile(sb, [withManifest(deepObj)]).run, 'deep object', /nests deeper/);
  });
});

describe('hostile manifests (in process)', () => {
  it('parseManifest drops prototype keys and never pollutes a prototype', () => {
    const before = prototypeState();
    const m = JSON.parse(healthyFiles('a').get('manifest.json')!.toString('utf8')) as Record<string, unknown>;
    const text = JSON.stringify(m).replace(/^\{/, `{"__proto__":{"polluted":"yes"},"x":${PROTO_TEXT},`).replace('"options":{', `"options":{"__proto__":{"polluted":"yes"},"y":${PROTO_TEXT},`);
    const r = parseManifest(Buffer.from(text), 'x');
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(Object.getPrototypeOf(r.manifest), Object.prototype);
    assert.equal(Object.prototype.hasOwnProperty.call(r.manifest.options ?? {}, '__proto__'), false);
    // nor swapped the prototype of a copied object (an assignment to `__proto__` does that)
    assert.equal(Object.getPrototypeOf(r.manifest.options), Object.prototype);
    assert.equal('polluted' in (r.manifest.options ?? {}), false);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(prototypeState(), before);
  });

  it('prototype names as hostnames, command ids, subjects, file names and JSON keys: a report, no pollution', async () => {
    const before = prototypeState();
    const files = healthyFiles('a');
    const m = JSON.parse(files.get('manifest.json')!.toString('utf8')) as { host: { hostname: string }; commands: Record<string, unknown>[] };
    files.delete('manifest.json');
    m.host.hostname = '__proto__';
    m.commands.push({ id: '__proto__', subject: 'constructor', stdout: '__proto__/constructor', exitCode: 0 });
    m.commands.push({ id: 'toString', stdout: 'node/constructor.txt', exitCode: 1 });
    files.set('__proto__/constructor', Buffer.from(PROTO_TEXT));
    files.set('node/constructor.txt', Buffer.from(PROTO_TEXT));
    // JSON data files whose keys are prototype names
    for (const f of ['node/ip-link.json', 'node/ip-addr.json', 'etcd/get-prefix.json', 'node/bridge-fdb/flannel.1.json']) {
      const text = files.get(f)?.toString('utf8');
      if (text) files.set(f, Buffer.from(text.replace(/\{"/g, '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"x":1}},"')));
    }
    const other = healthyFiles('b');
    const m2 = JSON.parse(other.get('manifest.json')!.toString('utf8')) as { host: { hostname: string } };
    other.delete('manifest.json');
    m2.host.hostname = 'constructor';
    const bundle = (input: string, manifest: unknown, f: Map<string, Buffer>): NodeBundle => ({ input, manifest: manifest as NodeBundle['manifest'], files: f, rejected: [], problems: [], incomplete: false });
    const items = async function* (): AsyncGenerator<PipelineItem> {
      yield { bundle: bundle('a.tar.gz', m, files) };
      yield { bundle: bundle('b.tar.gz', m2, other) };
    };
    const report = await analyzeBundles(items(), builtinRules(), { toolVersion: '0.0.0' });
    assert.deepEqual(report.inputs.map((i) => i.hostname).sort(), ['__proto__', 'constructor']);
    // two nodes, neither taken for a duplicate of a prototype member (`{}['constructor']` is truthy)
    assert.equal(report.cluster.nodes, 2);
    assert.deepEqual((report.nodes ?? []).map((n) => n.hostname).sort(), ['__proto__', 'constructor']);
    assert.deepEqual(report.inputs.map((i) => i.supersededBy), [null, null]);
    for (const f of REPORT_FORMATS) assert.ok(renderReport(report, f).length > 0);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(prototypeState(), before);
  });
});
