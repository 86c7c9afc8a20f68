// The one-way flow: bundles -> parsers -> facts -> rules -> findings -> report. Each input is read,
// turned into facts and released before the next, so memory follows the largest input.
import { readInputs } from '../bundle/reader.js';
import type { NodeBundle, ReadCaps } from '../bundle/types.js';
import { buildNode, type NodeBuild } from '../facts/node.js';
import { assembleFacts } from '../facts/cluster.js';
import { buildReport, type InputSummary } from '../report/build.js';
import type { IntegrityNote, Report } from '../report/schema.js';
import { evaluateRules } from './evaluate.js';
import type { LoadedRules } from './loader.js';
import { SignatureMatcher } from './signatures.js';

export interface PipelineOptions {
  toolVersion: string;
  now?: () => Date;
  onProgress?: (msg: string) => void;
}

export class NoUsableInputError extends Error {}

/** Builds facts from bundles that are already in memory (rule tests) or streamed (analyze). */
export async function analyzeBundles(items: AsyncIterable<{ bundle?: NodeBundle; failure?: { input: string; message: string; integrity: IntegrityNote[] } }>, rules: LoadedRules, opts: PipelineOptions): Promise<Report> {
  const matcher = new SignatureMatcher(rules.signatures);
  const builds: NodeBuild[] = [];
  const failures: { input: string; message: string }[] = [];
  const inputs: InputSummary[] = [];
  const extraIntegrity: IntegrityNote[] = [];
  for await (const item of items) {
    if (item.bundle) {
      const b = item.bundle;
      opts.onProgress?.(`read ${b.input}`);
      builds.push(buildNode(b, matcher));
      inputs.push({ path: b.input, hostname: b.manifest.host.hostname, collectedAt: b.manifest.collectedAt, bundleFormat: b.manifest.format, collectorVersion: b.manifest.collector?.version ?? null });
    } else if (item.failure) {
      failures.push({ input: item.failure.input, message: item.failure.message });
      extraIntegrity.push(...item.failure.integrity);
      inputs.push({ path: item.failure.input, hostname: null, collectedAt: null, bundleFormat: null, error: item.failure.message });
    }
  }
  if (builds.length === 0) {
    throw new NoUsableInputError(failures.length ? failures.map((f) => f.message).join('; ') : 'no input given');
  }
  const assembled = assembleFacts(builds, failures);
  for (const i of inputs) if (assembled.superseded.has(i.path)) i.supersededBy = assembled.superseded.get(i.path);
  const result = evaluateRules(rules.rules, assembled.facts);
  return buildReport({
    toolVersion: opts.toolVersion,
    generatedAt: (opts.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    inputs,
    facts: assembled.facts,
    findings: result.findings,
    notApplicable: result.notApplicable,
    integrity: [...extraIntegrity, ...assembled.integrity],
    notes: [...assembled.notes, ...result.errors.map((e) => `rule error: ${e}`)],
  });
}

export async function* readForPipeline(paths: string[], caps: ReadCaps): AsyncGenerator<{ bundle?: NodeBundle; failure?: { input: string; message: string; integrity: IntegrityNote[] } }> {
  for await (const item of readInputs(paths, caps)) {
    if (item.kind === 'bundle') yield { bundle: item.bundle };
    else {
      const message = item.problems.map((p) => p.message).join('; ') || `${item.input}: not a flannel-diag bundle`;
      const integrity: IntegrityNote[] = [
        ...item.problems.map((p) => ({ input: p.input, kind: 'read' as const, id: p.kind, state: p.kind, message: p.message, file: null, expected: false })),
        ...item.rejected.map((r) => ({ input: r.input, kind: 'entry' as const, id: null, state: 'rejected', message: `${r.name} (${r.type}): ${r.reason}`, file: r.name, expected: false })),
      ];
      yield { failure: { input: item.input, message, integrity } };
    }
  }
}
