// Regenerates the rules table in README.md (between the rules-table markers) from the built-in rules,
// so the README always lists what is checked. Run after `npm run build`.
import { readFileSync, writeFileSync } from 'node:fs';
import { rulesTableMarkdown } from '../dist/src/cli/rules.js';

const readme = readFileSync('README.md', 'utf8');
const start = '<!-- rules-table:start -->\n';
const end = '<!-- rules-table:end -->';
const a = readme.indexOf(start);
const b = readme.indexOf(end);
if (a < 0 || b < 0) throw new Error('README.md has no rules-table markers');
writeFileSync('README.md', `${readme.slice(0, a + start.length)}${rulesTableMarkdown('rules')}${readme.slice(b)}`);
