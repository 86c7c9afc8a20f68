// `flannel-diag analyze`: pairs -f/-o options, reads inputs, runs the pipeline, writes every output.
import path from 'node:path';
import { DEFAULT_CAPS, type ReadCaps } from '../bundle/types.js';
import { loadRuleDirs, type LoadedRules } from '../engine/loader.js';
import { formatDiagnostic } from '../engine/yaml-source.js';
import { analyzeBundles, NoUsableInputError, startReading } from '../engine/pipeline.js';
import { exitCodeFor } from '../report/build.js';
import type { Report } from '../report/schema.js';
import { renderReportChunks, REPORT_FORMATS, type ReportFormat } from '../report/index.js';
import { collectGarbage, writeAtomic } from './io.js';

interface OutputSpec {
  format: ReportFormat;
  target: string;
  /** the short summary, on stdout when nothing else goes there: bounded, where `-f text` prints every finding */
  summary?: boolean;
}

/** Findings per section in the short summary; the reports written to files hold all of them. */
const SUMMARY_MAX_PER_SECTION = 20;

function usage(message: string): never {
  const e = new Error(message);
  e.name = 'UsageError';
  throw e;
}

function formatFromName(file: string): ReportFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.html' || ext === '.htm') return 'html';
  if (ext === '.md' || ext === '.markdown') return 'md';
  if (ext === '.json') return 'json';
  return 'text';
}

function checkFormat(f: string): ReportFormat {
  if (!(REPORT_FORMATS as readonly string[]).includes(f)) usage(`unknown format "${f}" (one of ${REPORT_FORMATS.join(', ')})`);
  return f as ReportFormat;
}

/** Pairs each -o with the -f given before it (in command-line order); a lone -f goes to stdout. */
export function pairOutputs(argv: string[]): OutputSpec[] {
  const out: OutputSpec[] = [];
  let pending: ReportFormat | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const take = (flag: string, long: string): string | null => {
      if (a === flag || a === long) return argv[++i] ?? null;
      if (a.startsWith(`${long}=`)) return a.slice(long.length + 1);
      if (a.startsWith(flag) && a.length > flag.length && !a.startsWith('--')) return a.slice(flag.length);
      return null;
    };
    const f = take('-f', '--format');
    if (f !== null) {
      if (pending) out.push({ format: pending, target: '-' });
      pending = checkFormat(f);
      continue;
    }
    const o = take('-o', '--output');
    if (o !== null) {
      out.push({ format: pending ?? (o === '-' ? 'text' : formatFromName(o)), target: o });
      pending = null;
    }
  }
  if (pending) out.push({ format: pending, target: '-' });
  const toStdout = out.filter((o) => o.target === '-');
  if (toStdout.length > 1) usage('only one output can go to stdout');
  const targets = out.map((o) => path.resolve(o.target)).filter((t, i) => out[i].target !== '-');
  if (new Set(targets).size !== targets.length) usage('two outputs name the same file');
  // nothing for stdout: the short summary goes there, after the reports are written
  if (toStdout.length === 0) out.push({ format: 'text', target: '-', summary: true });
  return out;
}

/**
 * The report, or the exit code when there is none. Its own function so that the rules are unreachable
 * once it returns: compiled CEL programs keep the values of their last evaluation (the library caches
 * comprehension contexts), which would hold every node's facts in memory while the reports are written.
 */
async function loadRulesAndAnalyze(inputs: string[], caps: ReadCaps, dirs: string[], version: string, progress: ((m: string) => void) | undefined): Promise<Report | number> {
  // the inputs are read (on worker threads) while the rules load
  const reading = await startReading(inputs, caps);
  let rules: LoadedRules;
  try {
    rules = loadRuleDirs(dirs, { tests: false });
  } catch (e) {
    await reading.cancel();
    throw e;
  }
  if (rules.errors.length) {
    await reading.cancel();
    for (const d of rules.errors.slice(0, 50)) process.stderr.write(`${formatDiagnostic(d)}\n`);
    process.stderr.write(`flannel-diag: ${rules.errors.length} error(s) in rule files\n`);
    return 2;
  }
  try {
    // once every input is read, the garbage of reading is collected before the rules add theirs (io.ts)
    return await analyzeBundles(reading.items(rules), rules, { toolVersion: version, onProgress: progress, afterInputs: collectGarbage });
  } catch (e) {
    if (progress) process.stderr.write('\r\x1b[K');
    if (e instanceof NoUsableInputError) {
      process.stderr.write(`flannel-diag: no usable bundle: ${e.message.replace(/(?<!\s)\s*\n\s*/g, ' ')}\n`); // (?<!\s): linear
      return 1;
    }
    throw e;
  }
}

export async function runAnalyze(inputs: string[], opts: Record<string, unknown>, argv: string[], ctx: { version: string; root: string }): Promise<number> {
  const outputs = pairOutputs(argv.slice(argv.indexOf('analyze') + 1));
  const caps: ReadCaps = {
    maxEntries: (opts.maxEntries as number | undefined) ?? DEFAULT_CAPS.maxEntries,
    maxFileBytes: (opts.maxFileBytes as number | undefined) ?? DEFAULT_CAPS.maxFileBytes,
    maxTotalBytes: (opts.maxTotalBytes as number | undefined) ?? DEFAULT_CAPS.maxTotalBytes,
    maxRatio: (opts.maxRatio as number | undefined) ?? DEFAULT_CAPS.maxRatio,
  };
  const dirs = [...(opts.builtinRules === false ? [] : [path.join(ctx.root, 'rules')]), ...((opts.rules as string[] | undefined) ?? [])];
  const progress = process.stderr.isTTY && !outputs.some((o) => o.target === '-' && o.format !== 'text') ? (m: string) => process.stderr.write(`\r\x1b[K${m.slice(0, 100)}`) : undefined;
  const report = await loadRulesAndAnalyze(inputs, caps, dirs, ctx.version, progress);
  if (typeof report === 'number') return report;
  if (progress) process.stderr.write('\r\x1b[K');
  collectGarbage(); // the facts are garbage now: before rendering adds its own (io.ts)
  const color = !process.env.NO_COLOR && process.stdout.isTTY === true;
  // an output asked for on stdout has it alone: no other word goes there
  const stdoutTaken = outputs.some((o) => o.target === '-' && !o.summary);
  for (const o of outputs) {
    const pieces = renderReportChunks(report, o.format, {
      color: o.target === '-' ? color : false,
      mdMaxChars: opts.mdMaxChars as number | undefined,
      maxPerSection: o.summary ? SUMMARY_MAX_PER_SECTION : undefined,
    });
    if (o.target === '-') for (const piece of pieces) process.stdout.write(piece);
    else {
      try {
        writeAtomic(o.target, pieces);
      } catch (e) {
        process.stderr.write(`flannel-diag: cannot write ${o.target}: ${(e as Error).message}\n`);
        return 1;
      }
      if (!stdoutTaken) process.stderr.write(`wrote ${o.format} report to ${o.target}\n`);
    }
  }
  return exitCodeFor(report, (opts.failOn as 'fail' | 'warn' | 'never') ?? 'fail');
}
