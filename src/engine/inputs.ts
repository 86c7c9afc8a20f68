// The input side of the pipeline: inputs read into bundles (or failures and notes), in input order.
// Kept apart from pipeline.ts so that worker threads (build-worker.ts) load the reader and the facts
// builders only, not the rule engine and the report.
import { readInputs } from '../bundle/reader.js';
import type { NodeBundle, ReadCaps } from '../bundle/types.js';
import type { NodeBuild } from '../facts/node.js';
import type { InputSummary } from '../report/build.js';
import type { IntegrityNote } from '../report/schema.js';

export type PipelineItem = {
  bundle?: NodeBundle;
  /** a bundle already turned into facts (on a worker thread), with the time reading and building took */
  built?: { build: NodeBuild; input: InputSummary; readMs: number; factsMs: number };
  failure?: { input: string; message: string; integrity: IntegrityNote[] };
  note?: IntegrityNote[];
};

export function inputSummary(b: NodeBundle): InputSummary {
  return { path: b.input, hostname: b.manifest.host.hostname, collectedAt: b.manifest.collectedAt, bundleFormat: b.manifest.format, collectorVersion: b.manifest.collector?.version ?? null };
}

export async function* readForPipeline(paths: string[], caps: ReadCaps): AsyncGenerator<PipelineItem> {
  for await (const item of readInputs(paths, caps)) {
    if (item.kind === 'bundle') yield { bundle: item.bundle };
    else if (item.problems.length > 0 && item.problems.every((p) => p.kind === 'not-a-bundle' && /outside any node bundle/.test(p.message)) && item.rejected.every((r) => r.type === 'File')) {
      // stray regular files beside the node bundles of a set (a README, notes): said, not a failure
      yield { note: item.rejected.map((r) => ({ input: r.input, kind: 'entry' as const, id: null, state: 'ignored', message: `${r.name}: not part of a node bundle (ignored)`, file: r.name, expected: true })) };
    } else {
      const message = item.problems.map((p) => p.message).join('; ') || `${item.input}: not a flannel-diag bundle`;
      const integrity: IntegrityNote[] = [
        ...item.problems.map((p) => ({ input: p.input, kind: 'read' as const, id: p.kind, state: p.kind, message: p.message, file: null, expected: false })),
        ...item.rejected.map((r) => ({ input: r.input, kind: 'entry' as const, id: null, state: 'rejected', message: `${r.name} (${r.type}): ${r.reason}`, file: r.name, expected: false })),
      ];
      yield { failure: { input: item.input, message, integrity } };
    }
  }
}
