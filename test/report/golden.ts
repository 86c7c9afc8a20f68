// Golden files for rendered reports. UPDATE_GOLDEN=1 rewrites them (review the diff before keeping it).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Report } from '../../src/report/schema.js';
import { repoPath } from '../helpers.js';

export const GOLDEN_DIR = repoPath('test', 'report', 'golden');
export const GENERATED_AT_PLACEHOLDER = '<generated-at>';

/** Replaces the report's generatedAt (the one value that changes between runs) in a rendered report. */
export function normalizeGeneratedAt(rendered: string, report: Pick<Report, 'generatedAt'>): string {
  return report.generatedAt === '' ? rendered : rendered.split(report.generatedAt).join(GENERATED_AT_PLACEHOLDER);
}

/** A copy of a real report with a fixed generatedAt, for rendering it to a golden file. */
export function withFixedGeneratedAt<T extends Pick<Report, 'generatedAt'>>(report: T, generatedAt = '2000-01-01T00:00:00Z'): T {
  return { ...report, generatedAt };
}

export function assertGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.UPDATE_GOLDEN !== '1') assert.fail(`golden file ${file} is missing: run the tests with UPDATE_GOLDEN=1 to create it`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `${name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it)`);
}
