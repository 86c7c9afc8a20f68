import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findExcessDepth, locateJsonError, parseJsonDoc, prop, quoteIntegerFields, strMapAt } from '../../src/parsers/json.js';
import { survivesHostile } from './support.js';

test('parseJsonDoc parses valid JSON', () => {
  const doc = parseJsonDoc('{"a":[1,2,{"b":"c"}]}', 'x.json');
  assert.equal(doc.error, null);
  assert.deepEqual(doc.value, { a: [1, 2, { b: 'c' }] });
});

test('parseJsonDoc: error line/column where V8 gives no position', () => {
  const doc = parseJsonDoc('{\n  "a": 1,\n  "b": }\n', 'x.json');
  assert.equal(doc.value, null);
  assert.ok(doc.error);
  assert.equal(doc.error.line, 3);
  assert.equal(doc.error.column, 8);
  assert.match(doc.error.message, /Unexpected token/);
  assert.doesNotMatch(doc.error.message, /is not valid JSON/); // the quoted input is not repeated
});

test('parseJsonDoc: truncated document points at the end', () => {
  const doc = parseJsonDoc('[1,2', 'x.json');
  assert.deepEqual(doc.error && { line: doc.error.line, column: doc.error.column }, { line: 1, column: 5 });
  const trailing = parseJsonDoc('{"a":1}\nx', 'x.json');
  assert.deepEqual(trailing.error && [trailing.error.line, trailing.error.column], [2, 1]);
});

test('parseJsonDoc: empty document and BOM', () => {
  assert.equal(parseJsonDoc('  \n', 'x.json').error?.message, 'empty document');
  assert.deepEqual(parseJsonDoc('\ufeff[1]', 'x.json').value, [1]);
});

test('locateJsonError agrees with JSON.parse on assorted inputs', () => {
  const cases: [string, number][] = [
    ['{"a":1}', -1], ['[]', -1], [' [1, 2.5e-3, "x\\u00e9", true, false, null] ', -1],
    ['[1,]', 3], ['{"a" 1}', 5], ['[01]', 2], ['"a\u0001"', 2], ['[tru]', 4], ['{,}', 1], ['"\\x"', 2], ['[1 2]', 3],
  ];
  for (const [text, at] of cases) {
    assert.equal(locateJsonError(text), at, text);
    let valid = true;
    try {
      JSON.parse(text);
    } catch {
      valid = false;
    }
    assert.equal(valid, at === -1, text);
  }
});

test('depth guard: the count of brackets that skips the walk agrees with the walk', () => {
  // many brackets side by side (more than the limit, so the walk runs) but shallow
  assert.equal(findExcessDepth(`[${'{},'.repeat(400)}[]]`, 3), -1);
  // mixed { and [ exactly one level too deep
  assert.equal(findExcessDepth('{"a":[{"b":[1]}]}', 3), 11);
  assert.equal(findExcessDepth('{"a":[{"b":[1]}]}', 4), -1);
  // random texts of brackets, quotes and escapes: same answer as a plain walk over every character
  const walk = (t: string, max: number): number => {
    let depth = 0;
    let inString = false;
    for (let i = 0; i < t.length; i++) {
      const c = t[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') {
        if (++depth > max) return i;
      } else if ((c === '}' || c === ']') && depth > 0) depth--;
    }
    return -1;
  };
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
  for (let k = 0; k < 2000; k++) {
    const t = Array.from({ length: rnd(40) }, () => '{}[]"\\a,'[rnd(8)]).join('');
    const max = rnd(6);
    assert.equal(findExcessDepth(t, max), walk(t, max), `${JSON.stringify(t)} max ${max}`);
  }
});

test('depth guard rejects nesting beyond 256 before JSON.parse', () => {
  assert.equal(findExcessDepth('['.repeat(256) + ']'.repeat(256)), -1);
  assert.equal(findExcessDepth('['.repeat(257)), 256);
  assert.equal(findExcessDepth('"' + '['.repeat(1000) + '"'), -1, 'brackets inside strings do not count');
  const doc = parseJsonDoc('{"a":\n' + '['.repeat(300), 'x.json');
  assert.equal(doc.value, null);
  assert.equal(doc.error?.line, 2);
  assert.equal(doc.error?.column, 256, 'the object is level 1, so the 256th bracket is level 257');
  assert.match(doc.error?.message ?? '', /deeper than 256/);
});

test('quoteIntegerFields quotes named integer keys only, never inside strings', () => {
  const names = new Set(['lease', 'id']);
  const text = '{"lease":2324035624231962376,"ttl":5,"id": -3,"x":"\\"lease\\":1","lease2":7,"id":1.5,"s":"id","n":{"id":12}}';
  const out = quoteIntegerFields(text, names);
  assert.equal(out, '{"lease":"2324035624231962376","ttl":5,"id": "-3","x":"\\"lease\\":1","lease2":7,"id":1.5,"s":"id","n":{"id":"12"}}');
  assert.equal((JSON.parse(out) as { lease: string }).lease, '2324035624231962376');
});

test('__proto__ keys stay own data and never pollute prototypes', () => {
  const doc = parseJsonDoc('{"__proto__":{"polluted":"yes"},"m":{"__proto__":"v","k":"w"}}', 'x.json');
  assert.deepEqual(prop(doc.value, '__proto__'), { polluted: 'yes' });
  const m = strMapAt(doc.value, 'm');
  assert.equal(Object.getPrototypeOf(m), null);
  assert.equal(m['__proto__'], 'v');
  assert.equal(m.k, 'w');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(prop({}, 'toString'), undefined, 'inherited properties are not read');
});

test('parseJsonDoc survives hostile input', () => {
  const results = survivesHostile((t) => parseJsonDoc(t, 'x.json'));
  for (const r of results) assert.ok(r.error, 'every hostile input is rejected');
});
