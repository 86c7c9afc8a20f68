// The one-way flow: bundles -> parsers -> facts -> rules -> findings -> report. Each input is read,
// turned into facts and released before the next (on worker threads when there are several inputs and
// cores), so memory follows the largest input.
import { availableParallelism } from 'node:os';
import type { ReadCaps } from '../bundle/types.js';
import { buildNode, RULE_ONLY_NODE_FIELDS, type NodeBuild, type RuleOnlyNodeField } from '../facts/node.js';
import { assembleFacts } from '../facts/cluster.js';
import { buildReport, type InputSummary } from '../report/build.js';
import type { IntegrityNote, Report } from '../report/schema.js';
import { evaluateRules } from './evaluate.js';
import type { LoadedRules } from './loader.js';
import { detached, type StringPool } from './detach.js';
import { AvailabilityPool, KernelOptionsPool } from './shared-facts.js';
import { inputSummary, readForPipeline, type PipelineItem } from './inputs.js';
import { SignatureMatcher, toPortable } from './signatures.js';

export { inputSummary, readForPipeline, type PipelineItem } from './inputs.js';

export interface PipelineOptions {
  toolVersion: string;
  now?: () => Date;
  onProgress?: (msg: string) => void;
  /** filled with the milliseconds spent in each phase (for the benchmark) */
  timings?: PhaseTimings;
  /** called once every input is read, before the facts are assembled (the CLI collects garbage there) */
  afterInputs?: () => void;
}

/** Milliseconds per phase. `read` and `facts` are summed over inputs, the others are wall time. */
export interface PhaseTimings {
  /** reading inputs into memory (gunzip, tar, caps) */
  read: number;
  /** parsing each bundle into node facts */
  facts: number;
  /** wall time from the first input to the last node's facts (read and facts overlap when parallel) */
  inputs: number;
  /** the cluster model: picks, indexes, cross-node facts */
  assemble: number;
  /** rule evaluation, including the conversion of facts to CEL values */
  rules: number;
  /** the report model */
  report: number;
  /** rendering, when the caller records it */
  render?: number;
}

export class NoUsableInputError extends Error {}

/** The rule-only node fields (facts/node.ts) that no loaded rule reads (loader.ts: CompiledRule.reads): not built. */
export function unnamedNodeFields(rules: LoadedRules): RuleOnlyNodeField[] {
  return RULE_ONLY_NODE_FIELDS.filter((field) => !rules.rules.some((r) => r.reads.has(field)));
}

/** Builds facts from bundles that are already in memory (rule tests) or streamed (analyze). */
export async function analyzeBundles(items: AsyncIterable<PipelineItem>, rules: LoadedRules, opts: PipelineOptions): Promise<Report> {
  // what building facts here needs: made on the first bundle, as workers (which build their own) send none
  let local: { matcher: SignatureMatcher; omit: ReadonlySet<RuleOnlyNodeField> } | null = null;
  const kernelOptions = new KernelOptionsPool();
  const availability = new AvailabilityPool();
  const strings: StringPool = new Map();
  const builds: NodeBuild[] = [];
  const failures: { input: string; message: string }[] = [];
  const inputs: InputSummary[] = [];
  const extraIntegrity: IntegrityNote[] = [];
  const t = opts.timings;
  const started = performance.now();
  let mark = started;
  const lap = (): number => {
    const now = performance.now();
    const ms = now - mark;
    mark = now;
    return ms;
  };
  for await (const item of items) {
    const waited = lap();
    if (item.built) {
      // read and built on a worker thread: its own times, not the wait here
      opts.onProgress?.(`read ${item.built.input.path}`);
      kernelOptions.share(item.built.build);
      availability.share(item.built.build);
      builds.push(item.built.build);
      inputs.push(item.built.input);
      if (t) {
        t.read += item.built.readMs;
        t.facts += item.built.factsMs;
      }
      continue;
    }
    if (t) t.read += waited;
    if (item.bundle) {
      const b = item.bundle;
      opts.onProgress?.(`read ${b.input}`);
      local ??= { matcher: new SignatureMatcher(rules.signatures), omit: new Set(unnamedNodeFields(rules)) };
      const build = detachedBuild(buildNode(b, local.matcher, local.omit), strings);
      kernelOptions.share(build);
      availability.share(build);
      builds.push(build);
      if (t) t.facts += lap();
      inputs.push(inputSummary(b));
    } else if (item.note) {
      extraIntegrity.push(...item.note);
    } else if (item.failure) {
      failures.push({ input: item.failure.input, message: item.failure.message });
      extraIntegrity.push(...item.failure.integrity);
      inputs.push({ path: item.failure.input, hostname: null, collectedAt: null, bundleFormat: null, error: item.failure.message });
    }
  }
  if (builds.length === 0) {
    throw new NoUsableInputError(failures.length ? failures.map((f) => f.message).join('; ') : 'no input given');
  }
  if (t) t.inputs = performance.now() - started;
  opts.afterInputs?.();
  lap();
  const assembled = assembleFacts(builds, failures);
  for (const i of inputs) if (assembled.superseded.has(i.path)) i.supersededBy = assembled.superseded.get(i.path);
  if (t) t.assemble = lap();
  const result = evaluateRules(rules.rules, assembled.facts);
  if (t) t.rules = lap();
  const report = buildReport({
    toolVersion: opts.toolVersion,
    generatedAt: (opts.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    inputs,
    facts: assembled.facts,
    findings: result.findings,
    notApplicable: result.notApplicable,
    integrity: [...extraIntegrity, ...assembled.integrity],
    notes: [...assembled.notes, ...result.errors.map((e) => `rule error: ${e}`)],
  });
  if (t) t.report = lap();
  return report;
}

/**
 * The facts of a node built here, as a copy that holds no slice of the bundle's text (see detach.ts), the
 * way they come back from a worker. The kernel options are left out of the copy: their text is shared by
 * every node with the same config (facts/kernel-cache.ts).
 */
function detachedBuild(build: NodeBuild, strings: StringPool): NodeBuild {
  const kernel = build.node.kernel;
  const options = kernel.options;
  kernel.options = Object.create(null) as Record<string, string>;
  const copy = detached(build, strings);
  kernel.options = options;
  copy.node.kernel.options = options;
  return copy;
}

/** Below this many inputs, starting worker threads (each loads the parsers) costs more than it saves. */
const MIN_INPUTS_FOR_WORKERS = 4;

/** Inputs being read, from before the rules are loaded (see startReading). */
export interface InputReading {
  /** the items of every input, in input order, built with these rules */
  items(rules: LoadedRules): AsyncGenerator<PipelineItem>;
  /** stops reading: the rules could not be loaded */
  cancel(): Promise<void>;
}

/**
 * Starts reading the inputs, turned into node facts once `items` is given the rules: on worker threads
 * (one per core) when there are enough inputs and cores, which start and read while the caller loads
 * the rules; else here, one input at a time. Either way the items come in input order.
 */
export async function startReading(paths: string[], caps: ReadCaps, threads = availableParallelism()): Promise<InputReading> {
  if (threads < 2 || paths.length < MIN_INPUTS_FOR_WORKERS) return { items: () => readForPipeline(paths, caps), cancel: async () => undefined };
  const { BuildPool } = await import('./workers.js');
  const pool = new BuildPool(paths, caps, threads);
  return {
    items: (rules) => pool.items({ signatures: rules.signatures.map(toPortable), omit: unnamedNodeFields(rules) }),
    cancel: () => pool.cancel(),
  };
}

/** startReading with rules already loaded. */
export async function* readAndBuild(paths: string[], caps: ReadCaps, rules: LoadedRules, threads = availableParallelism()): AsyncGenerator<PipelineItem> {
  yield* (await startReading(paths, caps, threads)).items(rules);
}
