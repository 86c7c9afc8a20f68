#!/usr/bin/env node
// flannel-diag's command line: commander wiring only. Heavy modules load when a command needs them,
// so --version and --help start fast. Every error is one line on stderr with report-v1's exit codes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
export const PACKAGE_ROOT = path.resolve(here, '..', '..', '..');
const VERSION = (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

// `--version` alone is answered before commander loads: it is what scripts call to probe the tool
const only = process.argv.slice(2);
if (only.length === 1 && (only[0] === '--version' || only[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
  process.exit(0);
}
const { Command, CommanderError, Option } = await import('commander');

export class UsageError extends Error {}

function fail(message: string, code: number): never {
  process.stderr.write(`flannel-diag: ${message.replace(/(?<!\s)\s*\n\s*/g, ' ')}\n`); // (?<!\s): linear
  process.exit(code);
}

process.on('uncaughtException', (e) => fail(`internal error: ${(e as Error)?.message ?? String(e)}`, 1));
process.on('unhandledRejection', (e) => fail(`internal error: ${(e as Error)?.message ?? String(e)}`, 1));

const intArg = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw new UsageError(`${name} takes a positive whole number, not "${v}"`);
  return Number(v);
};
const collect = (v: string, prev: string[] = []) => [...prev, v];

const program = new Command();
program
  .name('flannel-diag')
  .description('Offline support-bundle analyzer for flannel overlay networks')
  .version(VERSION, '-V, --version')
  .showSuggestionAfterError(true)
  .exitOverride();

program
  .command('analyze')
  .description('analyze node bundles (archives, directories or bundle sets) and write a report')
  .argument('<input...>', 'bundle archives (.tar.gz, .tgz, .tar), bundle directories, or bundle sets')
  .addOption(new Option('-f, --format <format>', 'report format (repeatable, each paired with the next -o)').argParser(collect))
  .addOption(new Option('-o, --output <file>', 'where to write the report; - for stdout (repeatable)').argParser(collect))
  .addOption(new Option('-r, --rules <dir>', 'a directory of extra rules (repeatable)').argParser(collect))
  .option('--no-builtin-rules', 'do not load the built-in rules')
  .addOption(new Option('--fail-on <level>', 'exit non-zero on findings at or above this status').choices(['fail', 'warn', 'never']).default('fail'))
  .option('--max-entries <n>', 'cap: archive entries per input', intArg('--max-entries'))
  .option('--max-file-bytes <n>', 'cap: bytes of one file', intArg('--max-file-bytes'))
  .option('--max-total-bytes <n>', 'cap: decompressed bytes per input', intArg('--max-total-bytes'))
  .option('--max-ratio <n>', 'cap: gzip decompression ratio', intArg('--max-ratio'))
  .option('--md-max-chars <n>', 'Markdown size limit in characters', intArg('--md-max-chars'))
  .action(async (inputs: string[], opts: Record<string, unknown>) => {
    const { runAnalyze } = await import('./analyze.js');
    process.exitCode = await runAnalyze(inputs, opts, process.argv.slice(2), { version: VERSION, root: PACKAGE_ROOT });
  });

const rules = program.command('rules').description('list, lint and test rules; print the facts schema');
rules
  .command('list')
  .argument('[dir...]', 'rule directories (default: the built-in rules)')
  .description('every rule: id, category, severity, title')
  .action(async (dirs: string[]) => {
    const { runRulesList } = await import('./rules.js');
    process.exitCode = runRulesList(dirs, PACKAGE_ROOT);
  });
rules
  .command('lint')
  .argument('[dir...]', 'rule directories (default: the built-in rules)')
  .description('validate rule and test files; errors as file:line:col')
  .action(async (dirs: string[]) => {
    const { runRulesLint } = await import('./rules.js');
    process.exitCode = runRulesLint(dirs, PACKAGE_ROOT);
  });
rules
  .command('test')
  .argument('[dir...]', 'rule directories (default: the built-in rules)')
  .description("run the rules' test cases")
  .action(async (dirs: string[]) => {
    const { runRulesTest } = await import('./rules.js');
    process.exitCode = await runRulesTest(dirs, PACKAGE_ROOT, VERSION);
  });
rules
  .command('facts')
  .description('the facts schema that rules are written against')
  .option('--json', 'as JSON')
  .action(async (opts: { json?: boolean }) => {
    const { runRulesFacts } = await import('./rules.js');
    process.exitCode = runRulesFacts(!!opts.json);
  });

program
  .command('collector')
  .description('write the collector script (to send to a customer)')
  .option('-o, --output <file>', 'where to write it (default: stdout)')
  .action(async (opts: { output?: string }) => {
    const { runCollector } = await import('./collector.js');
    process.exitCode = runCollector(opts.output, PACKAGE_ROOT);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.version' || e.code === 'commander.helpDisplayed' || e.code === 'commander.help') process.exit(0);
    process.exit(2);
  }
  if (e instanceof UsageError || (e as Error)?.name === 'UsageError') fail((e as Error).message, 2);
  fail((e as Error)?.message ?? String(e), 1);
}
