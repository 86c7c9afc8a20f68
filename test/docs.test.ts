// The facts reference rule authors read (docs/facts.md) is generated from the schema; this fails when
// the schema changed and the document was not regenerated (npm run docs:facts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderFactsMarkdown } from '../src/cli/rules.js';
import { repoPath } from './helpers.js';

test('docs/facts.md matches the facts schema', () => {
  assert.equal(readFileSync(repoPath('docs/facts.md'), 'utf8'), renderFactsMarkdown(), 'run: npm run docs');
});

test('the README lists every built-in rule', async () => {
  const { rulesTableMarkdown } = await import('../src/cli/rules.js');
  const readme = readFileSync(repoPath('README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('<!-- rules-table:start -->\n') + 27, readme.indexOf('<!-- rules-table:end -->'));
  assert.equal(table, rulesTableMarkdown(repoPath('rules')), 'run: npm run docs');
});
