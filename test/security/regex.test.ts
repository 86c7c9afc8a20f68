// Regular expressions over bundle content are linear-time.
// - Every regex literal in src/ (parsers, facts, bundle reader, engine, report escaping: all of them see
//   bundle text) is found with the TypeScript parser and run against adversarial inputs built from its
//   own characters (runs and alternations of them, ended by a character that makes the match fail, the
//   classic way to make a backtracking engine try every split). A linear regex answers a 20,000-character
//   input in well under a millisecond; a quadratic one takes a large part of a second; an exponential
//   one is caught at 30 characters. Every `new RegExp` is listed and must be known.
// - The built-in log signatures are compiled with re2js (linear by construction) and run on 64 KiB lines.
// - `rules lint` warns rule authors about patterns that backtrack badly elsewhere (lintPattern).
// Why: a bundle's author picks the text; one catastrophic regex turns a 64 KiB log line into a hang.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import ts from 'typescript';
import { RE2JS } from 're2js';
import { compileSignature, lintPattern } from '../../src/engine/signatures.js';
import { MAX_LINE_LENGTH } from '../../src/parsers/util.js';
import { repoPath } from '../helpers.js';
import { builtinRules } from './fuzzlib.js';

interface Found {
  where: string;
  re: RegExp;
}

/** `new RegExp(...)` calls in src/, by file:line: each is built from text we trust (reviewed here). */
const DYNAMIC_OK: Record<string, string> = {
  'src/engine/rule-tests.ts': 'globToRegExp: a host glob from a rule test file (rule authors, not bundles), fully escaped',
  'src/engine/pattern-lint.ts': "charsOf: one class or escape of a rule author's pattern, only ever run on single characters",
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir)) {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) {
      if (n !== 'collector') out.push(...sourceFiles(p));
    } else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function findRegexes(): { literals: Found[]; dynamic: string[] } {
  const literals: Found[] = [];
  const dynamic: string[] = [];
  for (const f of sourceFiles(repoPath('src'))) {
    const rel = path.relative(repoPath(), f);
    const sf = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = node.getText(sf);
        const cut = text.lastIndexOf('/');
        const where = `${rel}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
        literals.push({ where, re: new RegExp(text.slice(1, cut), text.slice(cut + 1)) });
      }
      if (ts.isNewExpression(node) && node.expression.getText(sf) === 'RegExp') dynamic.push(rel);
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { literals, dynamic };
}

/** Characters a pattern is about: its literals, and a member of each class or escape it uses. */
function alphabet(re: RegExp): string[] {
  const set = new Set<string>([' ', 'a', '1', '\t', '\n', '.', ':', '"', '\\', '/', '-', '=', '\u00e9']);
  const src = re.source;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\' && i + 1 < src.length) {
      const e = src[++i];
      const rep: Record<string, string> = { d: '7', D: 'x', w: 'k', W: '#', s: ' ', S: 'q', b: '', B: '', n: '\n', t: '\t', r: '\r' };
      if (e in rep) {
        if (rep[e]) set.add(rep[e]);
      } else if (e === 'u' || e === 'x') i += e === 'u' ? 4 : 2;
      else set.add(e);
    } else if (!'()[]{}|?*+^$'.includes(c)) set.add(c);
  }
  return [...set].slice(0, 40);
}

/** Adversarial inputs of about `n` characters built from a pattern's own alphabet. */
function families(alpha: string[]): ((n: number) => string)[] {
  const out: ((n: number) => string)[] = [];
  for (const a of alpha) {
    out.push((n) => a.repeat(n), (n) => a.repeat(n) + '\u0000', (n) => '\u0000' + a.repeat(n));
    for (const b of alpha) if (a !== b) out.push((n) => (a + b).repeat(n >> 1) + '\u0000');
  }
  return out;
}

/** Fastest of `reps` runs: a GC pause or a busy neighbour on a shared CI core only ever adds time. */
function timeOf(re: RegExp, s: string, reps: number): number {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    re.lastIndex = 0;
    re.exec(s);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** The input family on which `re` is slowest at about `n` characters. */
function worst(re: RegExp, alpha: string[], n: number): { ms: number; family: (n: number) => string } {
  let best = { ms: -1, family: (k: number) => 'a'.repeat(k) };
  for (const family of families(alpha)) {
    const ms = timeOf(re, family(n), 1);
    if (ms > best.ms) best = { ms, family };
  }
  return best;
}

describe('regular expressions over bundle content', () => {
  const { literals, dynamic } = findRegexes();

  it('finds the regexes of src/ (the audit looks at every one of them)', () => {
    assert.ok(literals.length > 80, `only ${literals.length} regex literals found`);
    for (const d of dynamic) assert.ok(d in DYNAMIC_OK, `new RegExp in ${d}: review it and list it in DYNAMIC_OK`);
  });

  it('every regex literal in src/ is linear on adversarial inputs', { timeout: 600_000 }, () => {
    // Judged by growth, not by a time limit: from 5,000 to 20,000 characters a linear regex takes about
    // 4 times as long, a quadratic one about 16 times. Exponential blow-up shows at a few dozen characters.
    const slow: string[] = [];
    for (const { where, re } of literals) {
      const alpha = alphabet(re);
      const tiny = worst(re, alpha, 30);
      if (timeOf(re, tiny.family(30), 3) > 50) {
        slow.push(`${where} /${re.source}/ exponential: ${tiny.ms.toFixed(0)} ms on ${JSON.stringify(tiny.family(30).slice(0, 60))}`);
        continue;
      }
      const big = worst(re, alpha, 20_000);
      const t20k = timeOf(re, big.family(20_000), 5);
      if (t20k < 20) continue; // too fast to be anything but linear
      const t5k = Math.max(timeOf(re, big.family(5_000), 5), 0.05);
      const growth = t20k / t5k;
      if (growth > 9) slow.push(`${where} /${re.source}/ super-linear: ${t5k.toFixed(1)} ms at 5,000 chars, ${t20k.toFixed(1)} ms at 20,000 (x${growth.toFixed(1)}) on ${JSON.stringify(big.family(20_000).slice(0, 60))}…`);
    }
    assert.deepEqual(slow, []);
  });

  it('built-in log signatures run on re2js (linear) and stay fast on 64 KiB adversarial lines', () => {
    const sigs = builtinRules().signatures;
    assert.ok(sigs.length > 20);
    const lines = [' ', 'a', '"', '\\', ':', '0', 'x ', 'a"', '\\"', ' (', 'dial tcp ', '"logger":"etcd-client"'].map((u) => u.repeat(Math.floor(MAX_LINE_LENGTH / u.length)));
    for (const s of sigs) {
      assert.ok(s.pattern instanceof RE2JS, `${s.id}: not an re2js pattern`);
      for (const line of lines) {
        const t0 = performance.now();
        s.pattern.matcher(line).find();
        const ms = performance.now() - t0;
        assert.ok(ms < 500, `${s.id}: ${ms.toFixed(0)} ms on a 64 KiB line of ${JSON.stringify(line.slice(0, 12))}`);
      }
    }
  });
});

describe('rules lint warns about patterns that backtrack badly', () => {
  const warns = (p: string): string[] => lintPattern(p);
  const has = (p: string, re: RegExp): boolean => warns(p).some((w) => re.test(w));

  it('nested quantifiers, at any depth and in any quantifier form', () => {
    for (const p of ['(a+)+', '(a*)*', '(\\w+\\s?)+x', '(?:a+){2,}', '((ab)+)+', '(x(a+)y)*', '(?:(?:\\d+)\\.)+', '([a-z]+)*$', '(a+){1,100}']) {
      assert.ok(has(p, /nested quantifier/), `${p}: ${JSON.stringify(warns(p))}`);
    }
  });

  it('alternatives that can match the same text, under a quantifier', () => {
    for (const p of ['(a|a)*', '(a|ab)+c', '(\\d|\\w)+!', '(?:x|x)*y', '(foo|foobar)*z']) {
      assert.ok(has(p, /overlapping alternatives/), `${p}: ${JSON.stringify(warns(p))}`);
    }
  });

  it('adjacent quantifiers over overlapping characters', () => {
    for (const p of ['.*.*=x', '\\d+\\d+x', '\\s*\\s+x', '\\w+\\d*!', 'a+a+b', '[a-z]+[aeiou]+1']) {
      assert.ok(has(p, /adjacent quantifiers/), `${p}: ${JSON.stringify(warns(p))}`);
    }
  });

  it('a pattern that matches the empty line matches every line', () => {
    assert.ok(has('(x)?', /matches an empty line/));
    assert.ok(has('a*', /matches an empty line/));
  });

  it('no warning for the linear shapes real signatures use', () => {
    for (const p of [
      'Lease renewed, new expiration: (.+)$',
      'dial tcp (\\S+): (i/o timeout|connect: connection refused)',
      'is forbidden: User "([^"]+)" cannot (\\S+) resource "([^"]+)"',
      'failed to find IPv4 address for interface (\\S+)',
      '(?i:ignoring non-)(\\S+?) (?:v4Subnet\\((\\S+)\\)|subnet: type=(\\S*))',
      'Created subnet manager: (.*)$',
      '(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+) found',
      '\\s+(\\S+)\\s+(\\S+) literal',
    ]) {
      assert.deepEqual(warns(p).filter((w) => !/no literal/.test(w)), [], p);
    }
  });

  it('`rules lint` prints the warning at the pattern, and keeps exit 0 (RE2 runs it in linear time anyway)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fd-lint-sec-'));
    try {
      mkdirSync(path.join(dir, 'signatures'));
      writeFileSync(path.join(dir, 'signatures', 'x.yaml'), "signatures:\n  - id: nested\n    pattern: 'lease (\\w+\\s?)+ lost'\n    examples: ['lease ab cd lost']\n");
      const r = spawnSync(process.execPath, [repoPath('dist/src/cli/main.js'), 'rules', 'lint', dir], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /x\.yaml:3:\d+: warning: signature nested: nested quantifier/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every built-in signature lints without a backtracking warning', () => {
    const loaded = builtinRules();
    const bad = loaded.warnings.filter((w) => /nested quantifier|overlapping alternatives|adjacent quantifiers|empty line/.test(w.message));
    assert.deepEqual(bad.map((w) => `${w.file}:${w.line}: ${w.message}`), []);
    assert.ok(compileSignature({ id: 'x', pattern: 'abcd' }).pattern instanceof RE2JS);
  });
});
