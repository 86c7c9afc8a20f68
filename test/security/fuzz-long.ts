// `npm run fuzz`: the long fuzz run, on demand. Same targets and mutators as the CI run (fuzz.test.ts),
// for as long as asked: `npm run fuzz -- --minutes 60 --seed 123 --targets parsers,pipeline`.
// Prints progress, then every failure with the line that replays it (FUZZ_SEED=… FUZZ_ONLY=target:index
// node --test dist/test/security/fuzz.test.js); exit 1 when a case failed.
//
// A script, not a test file; but `node --test dist/test/` runs every .js file under a directory named
// `test` (Node 20), this one included. Under the test runner (NODE_TEST_CONTEXT is set) it exits at once.
import { describeFailures, fuzzTarget, prepare, runSeed, TARGETS, type FuzzFailure, type TargetName } from './fuzzlib.js';

// cases per round, per target: the proportions of the CI run
const BATCH: Record<TargetName, number> = { parsers: 4000, signatures: 800, archives: 250, pipeline: 100 };
const SLOW_MS: Record<TargetName, number> = { parsers: 250, signatures: 100, archives: 1000, pipeline: 2000 };

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const minutes = Number(arg('minutes') ?? process.env.FUZZ_MINUTES ?? '10');
  if (!Number.isFinite(minutes) || minutes <= 0) throw new Error('--minutes takes a positive number');
  const seedArg = arg('seed');
  if (seedArg !== undefined) process.env.FUZZ_SEED = seedArg;
  const seed = runSeed();
  const targets = (arg('targets')?.split(',') ?? [...TARGETS]) as TargetName[];
  for (const t of targets) if (!TARGETS.includes(t)) throw new Error(`unknown target ${t} (one of ${TARGETS.join(', ')})`);
  const deadline = Date.now() + minutes * 60_000;
  process.stdout.write(`fuzz: seed ${seed}, ${minutes} min, targets ${targets.join(', ')}\n`);
  const prep = await prepare();
  const failures: FuzzFailure[] = [];
  const next: Record<string, number> = {};
  const totals: Record<string, number> = {};
  const slow: string[] = [];
  try {
    for (let round = 1; Date.now() < deadline && failures.length === 0; round++) {
      for (const t of targets) {
        const first = next[t] ?? 0;
        const r = await fuzzTarget(prep, t, seed, BATCH[t], { slowMs: SLOW_MS[t], firstIndex: first, deadline });
        next[t] = first + r.stats.cases;
        totals[t] = (totals[t] ?? 0) + r.stats.cases;
        failures.push(...r.failures);
        for (const s of r.stats.slow) if (slow.length < 20) slow.push(`${t}:${s.index} ${s.ms.toFixed(0)} ms`);
        if (failures.length || Date.now() > deadline) break;
      }
      const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      process.stdout.write(`round ${round}: ${Object.entries(totals).map(([t, n]) => `${t} ${n}`).join(', ')} (${left} s left)\n`);
    }
  } finally {
    prep.scratch.cleanup();
  }
  const total = Object.values(totals).reduce((a, b) => a + b, 0);
  if (slow.length) process.stdout.write(`slow cases (replay with FUZZ_SEED=${seed} FUZZ_ONLY=<case>): ${slow.join(', ')}\n`);
  if (failures.length) {
    process.stdout.write(`\n${failures.length} failing case(s) after ${total} cases, seed ${seed}:\n\n${describeFailures(failures)}\n`);
    return 1;
  }
  process.stdout.write(`fuzz: ${total} cases, no failure (seed ${seed})\n`);
  return 0;
}

if (process.env.NODE_TEST_CONTEXT) {
  // picked up by `node --test dist/test/`: not a test, nothing to do
} else {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`fuzz: ${(e as Error)?.message ?? String(e)}\n`);
      process.exit(2);
    },
  );
}
