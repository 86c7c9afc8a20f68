// `flannel-diag rules test`: runs each rule's test cases (rules/<category>/<name>.test.yaml) against
// fixture bundle sets with inline overrides, the way promtool tests alert rules. Cases run the whole
// pipeline (reader -> parsers -> facts -> the rule), so a test proves the rule on real bundle files.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RE2JS } from 're2js';
import { DEFAULT_CAPS, type NodeBundle } from '../bundle/types.js';
import type { Finding, Report } from '../report/schema.js';
import type { LoadedRules, LoadedTestFile } from './loader.js';
import { analyzeBundles, readForPipeline } from './pipeline.js';
import type { TestCase } from './rule-schema.js';

export interface CaseResult {
  file: string;
  ruleId: string;
  name: string;
  ok: boolean;
  problems: string[];
}

type Loaded = { bundles: NodeBundle[]; failures: { input: string; message: string }[] };
const fixtureCache = new Map<string, Promise<Loaded>>();

async function loadFixture(p: string): Promise<Loaded> {
  let cached = fixtureCache.get(p);
  if (!cached) {
    cached = (async () => {
      const out: Loaded = { bundles: [], failures: [] };
      for await (const item of readForPipeline([p], DEFAULT_CAPS)) {
        if (item.bundle) out.bundles.push(item.bundle);
        else if (item.failure) out.failures.push(item.failure);
      }
      return out;
    })();
    fixtureCache.set(p, cached);
  }
  return cached;
}

function resolveFixture(ref: string, testFile: string, root: string): string | null {
  for (const base of [path.dirname(testFile), process.cwd(), root]) {
    const p = path.resolve(base, ref);
    if (existsSync(p)) return p;
  }
  return null;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/** `node-b:etcd/get-prefix.json` -> matching bundles and the path */
function target(spec: string, bundles: NodeBundle[]): { bundles: NodeBundle[]; file: string } {
  const i = spec.indexOf(':');
  if (i < 0) return { bundles, file: spec };
  const hostRe = globToRegExp(spec.slice(0, i));
  return { bundles: bundles.filter((b) => hostRe.test(b.manifest.host.hostname)), file: spec.slice(i + 1) };
}

function applyCase(loaded: Loaded, c: TestCase, testFile: string): { bundles: NodeBundle[]; problems: string[] } {
  const problems: string[] = [];
  const bundles = loaded.bundles.map((b) => ({ ...b, manifest: structuredClone(b.manifest), files: new Map(b.files), rejected: [...b.rejected], problems: [...b.problems] }));
  for (const [spec, value] of Object.entries(c.files ?? {})) {
    const t = target(spec, bundles);
    if (t.bundles.length === 0) problems.push(`files: no node matches "${spec}"`);
    let content: string;
    if (typeof value === 'string') content = value;
    else if ('text' in value) content = value.text;
    else if ('json' in value) content = JSON.stringify(value.json);
    else {
      const from = path.resolve(path.dirname(testFile), value.from);
      try {
        content = readFileSync(from, 'utf8');
      } catch {
        problems.push(`files: cannot read ${value.from}`);
        continue;
      }
    }
    for (const b of t.bundles) {
      b.files.set(t.file, Buffer.from(content, 'utf8'));
      // an override of a file that the manifest does not know gets an entry, so the analyzer finds it
      const known = b.manifest.commands.find((e) => e.stdout === t.file);
      if (known) {
        known.bytes = Buffer.byteLength(content);
        delete known.skipped;
        known.exitCode ??= 0;
        known.exitCode = known.exitCode === null ? 0 : known.exitCode;
      } else b.manifest.commands.push({ id: inferId(t.file), stdout: t.file, argv: ['cat', t.file], exitCode: 0, bytes: Buffer.byteLength(content) });
    }
  }
  for (const spec of c.remove ?? []) {
    const t = target(spec, bundles);
    const fileRe = globToRegExp(t.file);
    let n = 0;
    for (const b of t.bundles) for (const f of [...b.files.keys()]) if (fileRe.test(f)) { b.files.delete(f); n++; }
    if (n === 0) problems.push(`remove: nothing matches "${spec}"`);
  }
  for (const [spec, fields] of Object.entries(c.commands ?? {})) {
    const t = target(spec, bundles);
    let n = 0;
    for (const b of t.bundles) {
      for (const e of b.manifest.commands) {
        if (e.id !== t.file && `${e.id}/${e.subject ?? ''}` !== t.file) continue;
        Object.assign(e, fields);
        for (const [k, v] of Object.entries(fields)) if (v === null && k !== 'exitCode') delete (e as Record<string, unknown>)[k];
        n++;
      }
    }
    if (n === 0) problems.push(`commands: no manifest entry matches "${spec}"`);
  }
  return { bundles, problems };
}

const ID_BY_FILE: Record<string, string> = {
  'node/ps.txt': 'ps', 'node/ip-link.json': 'ip-link', 'node/ip-addr.json': 'ip-addr', 'node/ip-route.json': 'ip-route',
  'node/subnet.env': 'subnet-env', 'node/net-conf.json': 'net-conf', 'node/flanneld.log': 'flanneld-log',
  'node/kernel-config.txt': 'kernel-config', 'node/proc-modules.txt': 'modules', 'node/timedatectl-status.txt': 'timedatectl-status',
  'node/timedatectl-show.txt': 'timedatectl-show', 'node/chronyc-tracking.csv': 'chronyc-tracking', 'node/ntpq.txt': 'ntpq',
  'node/sysctl.txt': 'sysctl', 'node/k3s-config.yaml': 'k3s-config', 'etcd/get-prefix.json': 'etcd-get-prefix',
  'etcd/v2-get-config.json': 'etcd-v2-get-config', 'etcd/v2-tree.json': 'etcd-v2-tree', 'kube/nodes.json': 'kube-nodes',
  'kube/flannel-pods.json': 'kube-flannel-pods', 'kube/flannel-configmaps.json': 'kube-flannel-cfg', 'kube/flannel-pod.log': 'kube-flannel-log',
};
function inferId(file: string): string {
  return ID_BY_FILE[file] ?? `extra-${file.replace(/[^a-z0-9]+/gi, '-')}`;
}

function matches(f: Finding, e: TestCase['expect'][number]): boolean {
  if (e.status !== f.status) return false;
  if (e.node !== undefined && f.node !== e.node) return false;
  if (e.subject !== undefined && f.subject !== e.subject) return false;
  if (e.messageMatches !== undefined && !RE2JS.compile(e.messageMatches).matcher(f.message).find()) return false;
  return true;
}

export async function runRuleTests(loaded: LoadedRules, root: string, version: string, only?: (t: LoadedTestFile) => boolean): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const t of loaded.tests) {
    if (only && !only(t)) continue;
    const rule = loaded.rules.find((r) => r.def.id === t.ruleId)!;
    const scoped: LoadedRules = { ...loaded, rules: [rule] };
    for (const c of t.data.cases) {
      const r: CaseResult = { file: t.source.file, ruleId: t.ruleId, name: c.name, ok: false, problems: [] };
      results.push(r);
      const fx = resolveFixture(c.fixture, t.file, root);
      if (!fx) {
        r.problems.push(`fixture not found: ${c.fixture}`);
        continue;
      }
      const base = await loadFixture(fx);
      const applied = applyCase(base, c, t.file);
      r.problems.push(...applied.problems);
      let report: Report;
      try {
        report = await analyzeBundles(
          (async function* () {
            for (const b of applied.bundles) yield { bundle: b };
            for (const f of base.failures) yield { failure: { ...f, integrity: [] } };
          })(),
          scoped,
          { toolVersion: version },
        );
      } catch (e) {
        r.problems.push(`analysis failed: ${(e as Error).message}`);
        continue;
      }
      const findings = report.findings.filter((f) => f.ruleId === t.ruleId);
      const na = (report.notApplicable ?? []).includes(t.ruleId);
      for (const e of c.expect) {
        if (e.status === 'notApplicable') {
          if (!na) r.problems.push(`expected the rule not to apply, but it gave ${findings.length} finding(s)`);
          continue;
        }
        const hits = findings.filter((f) => matches(f, e));
        if (e.count !== undefined ? hits.length !== e.count : hits.length === 0) {
          r.problems.push(`expected ${e.count ?? 'a'} ${e.status} finding${e.messageMatches ? ` matching /${e.messageMatches}/` : ''}${e.node ? ` on ${e.node}` : ''}; got ${hits.length}. Findings: ${findings.map((f) => `[${f.status}${f.node ? ` ${f.node}` : ''}] ${f.message}`).join(' | ') || (na ? 'none (not applicable)' : 'none')}`);
        }
      }
      if (c.exact) {
        const unexpected = findings.filter((f) => !c.expect.some((e) => matches(f, e)));
        if (unexpected.length) r.problems.push(`unexpected findings: ${unexpected.map((f) => `[${f.status}] ${f.message}`).join(' | ')}`);
      }
      r.ok = r.problems.length === 0;
    }
  }
  return results;
}
