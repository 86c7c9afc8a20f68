// A worker thread of workers.ts: reads one input at a time and turns its bundles into node facts; only
// the facts go back to the main thread, the bundle's bytes are dropped here.
import { parentPort, workerData } from 'node:worker_threads';
import { buildNode } from '../facts/node.js';
import { inputSummary, readForPipeline, type PipelineItem } from './inputs.js';
import { KernelOptionsPool } from './shared-facts.js';
import { fromPortable, SignatureMatcher } from './signatures.js';
import { nullPrototypeIndexes } from './detach.js';
import type { RuleOnlyNodeField } from '../facts/node.js';
import type { BuildInit, BuildResult, BuildWorkerData } from './workers.js';

const { caps } = workerData as BuildWorkerData;
// the rules' part comes once the main thread has loaded them; inputs are read before that
let ready: (init: BuildInit) => void;
const rules = new Promise<{ matcher: SignatureMatcher; omit: ReadonlySet<RuleOnlyNodeField> }>((resolve) => {
  ready = (init) => resolve({ matcher: new SignatureMatcher(init.signatures.map(fromPortable)), omit: new Set(init.omit) });
});
// kernel options equal to ones already sent go as a reference (workers.ts puts them back)
const sent = new KernelOptionsPool();

async function build(index: number, path: string): Promise<BuildResult> {
  const items: PipelineItem[] = [];
  const kernelOptions: NonNullable<BuildResult['kernelOptions']> = [];
  let mark = performance.now();
  for await (const item of readForPipeline([path], caps)) {
    const waited = performance.now();
    const { matcher, omit } = await rules;
    const t0 = performance.now();
    mark += t0 - waited; // the wait for the rules is neither reading nor building
    if (item.bundle) {
      const build = buildNode(item.bundle, matcher, omit);
      const shared = sent.intern(build.node.kernel.options);
      kernelOptions.push({ item: items.length, id: shared.id, sent: shared.seen });
      if (shared.seen) build.node.kernel.options = Object.create(null) as Record<string, string>;
      items.push({ built: { build, input: inputSummary(item.bundle), readMs: t0 - mark, factsMs: performance.now() - t0 } });
    } else items.push(item);
    mark = performance.now();
  }
  return { index, items, nullProtos: nullPrototypeIndexes(items), kernelOptions };
}

// one input at a time, in the order given: two at once would only double this thread's memory
let queue = Promise.resolve();
parentPort!.on('message', (m: { init: BuildInit } | { index: number; path: string }) => {
  if ('init' in m) {
    ready(m.init);
    return;
  }
  const { index, path } = m;
  queue = queue.then(async () => {
    let result: BuildResult;
    try {
      result = await build(index, path);
    } catch (e) {
      result = { index, error: `internal error while analysing ${path}: ${(e as Error)?.message ?? String(e)}` };
    }
    parentPort!.postMessage(result);
  });
});
