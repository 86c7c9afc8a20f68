// A worker thread of workers.ts: reads one input at a time and turns its bundles into node facts; only
// the facts go back to the main thread, the bundle's bytes are dropped here.
import { parentPort, workerData } from 'node:worker_threads';
import { buildNode } from '../facts/node.js';
import { inputSummary, readForPipeline, type PipelineItem } from './inputs.js';
import { KernelOptionsPool } from './shared-facts.js';
import { fromPortable, SignatureMatcher } from './signatures.js';
import { nullPrototypeIndexes } from './detach.js';
import type { BuildResult, BuildWorkerData } from './workers.js';

const { caps, signatures, omit: omitted } = workerData as BuildWorkerData;
const omit = new Set(omitted);
const matcher = new SignatureMatcher(signatures.map(fromPortable));
// kernel options equal to ones already sent go as a reference (workers.ts puts them back)
const sent = new KernelOptionsPool();

async function build(index: number, path: string): Promise<BuildResult> {
  const items: PipelineItem[] = [];
  const kernelOptions: NonNullable<BuildResult['kernelOptions']> = [];
  let mark = performance.now();
  for await (const item of readForPipeline([path], caps)) {
    const t0 = performance.now();
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
parentPort!.on('message', ({ index, path }: { index: number; path: string }) => {
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
