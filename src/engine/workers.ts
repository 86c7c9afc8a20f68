// Reads inputs and builds their node facts on worker threads (build-worker.ts), one input per task, so
// that decompression and parsing use every core. Results are yielded in input order, so the report is
// the same as a serial run's; at most a few inputs are in flight, so memory still follows the largest
// input (each worker holds one input's bytes at a time; only facts come back).
import { Worker } from 'node:worker_threads';
import type { ReadCaps } from '../bundle/types.js';
import type { PipelineItem } from './inputs.js';
import { restoreNullPrototypes, type StringPool } from './detach.js';
import { KEEP } from './shared-facts.js';
import type { PortableSignature } from './signatures.js';
import type { RuleOnlyNodeField } from '../facts/node.js';

/** What a worker is started with. */
export interface BuildWorkerData {
  flannelDiagBuildWorker: true;
  caps: ReadCaps;
  signatures: PortableSignature[];
  /** rule-only node fields no loaded rule reads (pipeline.ts unnamedNodeFields) */
  omit: RuleOnlyNodeField[];
}

/** One finished input: its items (in reader order), or the internal error that stopped it. */
export interface BuildResult {
  index: number;
  items?: PipelineItem[];
  /** see nullPrototypeIndexes */
  nullProtos?: number[];
  /** the kernel options of each built item, by id: `sent` ones were sent before and are left empty */
  kernelOptions?: { item: number; id: number; sent: boolean }[];
  error?: string;
}

/**
 * A worker's short-lived objects (one bundle's text and parse results at a time) need little room; V8's
 * default young generation let each worker's heap grow by tens of MB. Measured at 5,000 nodes, peak RSS
 * of the whole analysis: 3 MB -> 564 MiB, 8 MB -> 623 MiB, the default -> 615 MiB; no change in speed.
 */
const WORKER_YOUNG_GENERATION_MB = 16;

/** Tasks per worker handed out ahead, so a worker never waits for the main thread between inputs. */
const AHEAD = 2;

export async function* buildOnWorkers(paths: string[], caps: ReadCaps, signatures: PortableSignature[], omit: RuleOnlyNodeField[], threads: number): AsyncGenerator<PipelineItem> {
  const data: BuildWorkerData = { flannelDiagBuildWorker: true, caps, signatures, omit };
  const workers = Array.from({ length: Math.max(1, Math.min(threads, paths.length)) }, () => new Worker(new URL('./build-worker.js', import.meta.url), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } }));
  const done = new Map<number, PipelineItem[]>();
  const strings: StringPool = new Map();
  const pending = new Map<Worker, number>();
  let next = 0;
  let emitted = 0;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  // Hand out tasks while the window (inputs read but not yet consumed) has room: finished results wait
  // for a slower earlier input, and must not pile up without bound.
  const pump = () => {
    for (const w of workers) {
      while ((pending.get(w) ?? 0) < AHEAD && next < paths.length && next - emitted < workers.length * (AHEAD + 1)) {
        w.postMessage({ index: next, path: paths[next] });
        pending.set(w, (pending.get(w) ?? 0) + 1);
        next++;
      }
    }
  };
  for (const w of workers) {
    const options = new Map<number, Record<string, string>>(); // the last KEEP option sets this worker sent
    w.on('message', (m: BuildResult) => {
      pending.set(w, (pending.get(w) ?? 1) - 1);
      if (m.error !== undefined || !m.items) failure ??= new Error(m.error ?? 'worker sent no result');
      else {
        restoreNullPrototypes(m.items, m.nullProtos ?? [], strings);
        for (const k of m.kernelOptions ?? []) {
          const kernel = m.items[k.item].built!.build.node.kernel;
          if (k.sent) kernel.options = options.get(k.id)!;
          else {
            options.set(k.id, kernel.options);
            options.delete(k.id - KEEP);
          }
        }
        done.set(m.index, m.items);
      }
      pump();
      notify();
    });
    w.on('error', (e) => {
      failure ??= e;
      notify();
    });
    w.on('exit', (code) => {
      if (emitted < paths.length) failure ??= new Error(`a worker thread exited (code ${code}) before its inputs were read`);
      notify();
    });
  }
  pump();
  try {
    while (emitted < paths.length) {
      if (failure) throw failure;
      const items = done.get(emitted);
      if (items === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      done.delete(emitted);
      emitted++;
      pump();
      yield* items;
    }
  } finally {
    emitted = paths.length; // a worker stopped from here exits on purpose
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
