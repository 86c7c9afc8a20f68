// The bounded fuzz run of CI: 20,000+ seeded cases in process, through every parser, the built-in log
// signatures, the archive reader and the whole pipeline down to every report format. No case may throw
// (a parser returns issues, the reader returns problems, the pipeline a report or NoUsableInputError).
// A failure prints the seed and the case, and `FUZZ_SEED=… FUZZ_ONLY=target:index` replays it; the run's
// seed is printed as a diagnostic even when everything passes. `npm run fuzz` runs the long version.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeFailures, fuzzTarget, prepare, runSeed, type Prepared, type TargetName } from './fuzzlib.js';

const SEED = runSeed();
// FUZZ_SCALE=0.1 for a quick local run; counts are sized for ~1.5 minutes on a 2-core CI machine
const SCALE = Number(process.env.FUZZ_SCALE ?? '1');

// most cases on parsers (cheap), fewer on archives and the pipeline (each a whole analysis)
const PLAN: { target: TargetName; count: number; slowMs: number; hardMs: number }[] = [
  { target: 'parsers', count: 20_000, slowMs: 250, hardMs: 3_000 },
  { target: 'signatures', count: 3_000, slowMs: 100, hardMs: 1_000 },
  { target: 'archives', count: 1_000, slowMs: 1_000, hardMs: 10_000 },
  { target: 'pipeline', count: 500, slowMs: 2_000, hardMs: 20_000 },
];

describe(`fuzz (seed ${SEED})`, { timeout: 600_000 }, () => {
  let prep: Prepared;
  let total = 0;
  before(async () => {
    prep = await prepare();
  });
  after(() => prep?.scratch.cleanup());

  for (const p of PLAN) {
    const count = Math.max(1, Math.round(p.count * SCALE));
    it(`${p.target}: ${count} cases, none throws`, async (t) => {
      const { stats, failures } = await fuzzTarget(prep, p.target, SEED, count, { slowMs: p.slowMs });
      total += stats.cases;
      t.diagnostic(`seed ${SEED}: ${stats.cases} cases in ${(stats.ms / 1000).toFixed(1)} s; slowest case ${p.target}:${stats.slowest.index} ${stats.slowest.ms.toFixed(0)} ms; ${stats.slow.length} over ${p.slowMs} ms`);
      assert.deepEqual(failures, [], `seed ${SEED}\n${describeFailures(failures)}`);
      const tooSlow = stats.slow.filter((s) => s.ms > p.hardMs);
      assert.deepEqual(tooSlow, [], `seed ${SEED}: cases over ${p.hardMs} ms (replay with FUZZ_SEED=${SEED} FUZZ_ONLY=${p.target}:<index>)`);
    });
  }

  it('ran at least 20,000 cases', { skip: SCALE < 1 || !!process.env.FUZZ_ONLY }, () => {
    assert.ok(total >= 20_000, `only ${total} cases`);
  });
});
