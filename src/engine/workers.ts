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
}

/** What a worker needs from the rules before it builds facts; sent once they are loaded (it reads before). */
export interface BuildInit {
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
 * A worker's short-lived objects (one bundle's text and parse results at a time) need little room, and
 * each MB of young generation is resident in every worker. Measured per worker over 100 nodes: 3 MB spent
 * ~350 ms in scavenges (a node's parse results outlived several), 8 MB ~190 ms, 16 MB ~165 ms but with
 * 8 MB more resident: 8 is both fast and small.
 */
const WORKER_YOUNG_GENERATION_MB = 8;

/** Tasks per worker handed out ahead, so a worker never waits for the main thread between inputs. */
const AHEAD = 2;

/**
 * Worker threads reading the inputs, started before the rules are loaded: the threads start, load their
 * modules and read their first inputs while the main thread compiles the rules (half a second for the
 * built-in ones); they build facts once `items` gives them the rules' part.
 */
export class BuildPool {
  private readonly workers: Worker[];
  private readonly done = new Map<number, PipelineItem[]>();
  private readonly pending = new Map<Worker, number>();
  private next = 0;
  private emitted = 0;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly paths: string[],
    caps: ReadCaps,
    threads: number,
  ) {
    const data: BuildWorkerData = { flannelDiagBuildWorker: true, caps };
    this.workers = Array.from({ length: Math.max(1, Math.min(threads, paths.length)) }, () => new Worker(new URL('./build-worker.js', import.meta.url), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } }));
    const strings: StringPool = new Map();
    for (const w of this.workers) {
      const options = new Map<number, Record<string, string>>(); // the last KEEP option sets this worker sent
      w.on('message', (m: BuildResult) => {
        this.pending.set(w, (this.pending.get(w) ?? 1) - 1);
        if (m.error !== undefined || !m.items) this.failure ??= new Error(m.error ?? 'worker sent no result');
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
          this.done.set(m.index, m.items);
        }
        this.pump();
        this.notify();
      });
      w.on('error', (e) => {
        this.failure ??= e;
        this.notify();
      });
      w.on('exit', (code) => {
        if (this.emitted < paths.length) this.failure ??= new Error(`a worker thread exited (code ${code}) before its inputs were read`);
        this.notify();
      });
    }
    this.pump();
  }

  private notify(): void {
    this.wake?.();
    this.wake = null;
  }

  /**
   * Hands out tasks while the window (inputs read but not yet consumed) has room: finished results wait
   * for a slower earlier input, and must not pile up without bound.
   */
  private pump(): void {
    const { workers, pending, paths } = this;
    for (const w of workers) {
      while ((pending.get(w) ?? 0) < AHEAD && this.next < paths.length && this.next - this.emitted < workers.length * (AHEAD + 1)) {
        w.postMessage({ index: this.next, path: paths[this.next] });
        pending.set(w, (pending.get(w) ?? 0) + 1);
        this.next++;
      }
    }
  }

  /** The items of every input, in input order; the workers stop when this ends. */
  async *items(init: BuildInit): AsyncGenerator<PipelineItem> {
    for (const w of this.workers) w.postMessage({ init });
    try {
      while (this.emitted < this.paths.length) {
        if (this.failure) throw this.failure;
        const items = this.done.get(this.emitted);
        if (items === undefined) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        this.done.delete(this.emitted);
        this.emitted++;
        this.pump();
        yield* items;
      }
    } finally {
      await this.cancel();
    }
  }

  /** Stops the workers (also when the rules could not be loaded and `items` is never asked for). */
  async cancel(): Promise<void> {
    this.emitted = this.paths.length; // a worker stopped from here exits on purpose
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
