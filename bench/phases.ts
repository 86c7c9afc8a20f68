// Runs one analysis in this process with the pipeline's phase timings and prints them as one JSON
// line: how long each phase took, rule evaluation in particular. Usage: node dist/bench/phases.js FILE...
import path from 'node:path';
import { DEFAULT_CAPS } from '../src/bundle/types.js';
import { loadRuleDirs } from '../src/engine/loader.js';
import { analyzeBundles, readAndBuild, type PhaseTimings } from '../src/engine/pipeline.js';
import { renderReport } from '../src/report/index.js';
import { REPO_ROOT } from './fixture-lib.js';

const inputs = process.argv.slice(2);
const t0 = performance.now();
const rules = loadRuleDirs([path.join(REPO_ROOT, 'rules')], { tests: false }); // as analyze loads them
const load = performance.now() - t0;
const timings: PhaseTimings = { read: 0, facts: 0, inputs: 0, assemble: 0, rules: 0, report: 0 };
const report = await analyzeBundles(readAndBuild(inputs, DEFAULT_CAPS, rules), rules, { toolVersion: 'bench', timings });
const t1 = performance.now();
renderReport(report, 'json');
timings.render = performance.now() - t1;
process.stdout.write(`${JSON.stringify({ loadRules: load, ...timings, findings: report.findings.length })}\n`);
