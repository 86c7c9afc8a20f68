// Structural lint of a signature pattern (RE2 syntax) for shapes that backtrack badly.
//
// Why: signatures run on re2js, which is linear whatever the pattern, so nothing here is a safety
// check for flannel-diag itself. But rule authors copy patterns between tools (grep -P, a JS or Python
// script, a log pipeline) where the same pattern can take exponential or polynomial time on one hostile
// log line; `rules lint` says so early. The pattern is parsed into a small tree and three shapes are
// flagged: a quantified group holding another unbounded quantifier (star height 2: `(a+)+`),
// alternatives that can start with the same character under a quantifier (`(a|ab)*`), and two adjacent
// unbounded quantifiers over overlapping characters (`\d+\d+`, `.*.*`). Character sets are compared on a
// sample alphabet (ASCII and a few non-ASCII characters), which is exact enough for a warning.

type Chars = Set<string>;
type Node =
  | { t: 'atom'; chars: Chars }
  | { t: 'empty' }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  | { t: 'rep'; body: Node; min: number; max: number };

const SAMPLE: string[] = [...Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)), 'é', 'ß', 'Ж', '中', '\u00a0'];

/** The sample characters an atom (`a`, `.`, `\d`, `[^a-z]`, …) matches; all of them when unknown. */
function charsOf(src: string): Chars {
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${src})$`, 'u');
  } catch {
    return new Set(SAMPLE); // RE2-only syntax ([[:alpha:]], \pN): assume it overlaps with anything
  }
  return new Set(SAMPLE.filter((c) => re.test(c)));
}

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  alt(): Node {
    const alts = [this.seq()];
    while (this.s[this.i] === '|') {
      this.i++;
      alts.push(this.seq());
    }
    return alts.length === 1 ? alts[0] : { t: 'alt', alts };
  }

  seq(): Node {
    const items: Node[] = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') items.push(this.quantified(this.atom()));
    return items.length === 1 ? items[0] : { t: 'seq', items };
  }

  quantified(body: Node): Node {
    for (;;) {
      const c = this.s[this.i];
      let min: number;
      let max: number;
      if (c === '*' || c === '+' || c === '?') {
        this.i++;
        [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
      } else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i));
        if (!m) return body; // a literal `{`
        this.i += m[0].length;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      } else return body;
      if (this.s[this.i] === '?') this.i++; // lazy: same shapes
      body = { t: 'rep', body, min, max };
    }
  }

  atom(): Node {
    const s = this.s;
    const c = s[this.i];
    if (c === '(') {
      this.i++;
      if (s[this.i] === '?') {
        // (?:…) (?i:…) (?P<name>…) (?<name>…), or a flags-only group (?i)
        const m = /^\?(P?<[^>]*>|[a-zA-Z-]*:|[a-zA-Z-]*\))/.exec(s.slice(this.i));
        if (m) {
          this.i += m[0].length;
          if (m[1].endsWith(')')) return { t: 'empty' };
        }
      }
      const body = this.alt();
      if (s[this.i] === ')') this.i++;
      return body;
    }
    if (c === '[') {
      let j = this.i + 1;
      if (s[j] === '^') j++;
      if (s[j] === ']') j++;
      while (j < s.length && s[j] !== ']') {
        if (s[j] === '[' && s[j + 1] === ':') j = s.indexOf(':]', j + 2) + 1 || s.length;
        else if (s[j] === '\\') j++;
        j++;
      }
      const src = s.slice(this.i, j + 1);
      this.i = j + 1;
      return { t: 'atom', chars: charsOf(src) };
    }
    if (c === '\\') {
      const e = s[this.i + 1] ?? '';
      let len = 2;
      if ((e === 'p' || e === 'P') && s[this.i + 2] === '{') len = s.indexOf('}', this.i) - this.i + 1;
      else if (e === 'p' || e === 'P') len = 3;
      else if (e === 'x' && s[this.i + 2] === '{') len = s.indexOf('}', this.i) - this.i + 1;
      else if (e === 'x') len = 4;
      const src = s.slice(this.i, this.i + Math.max(len, 2));
      this.i += Math.max(len, 2);
      if ('bBAz'.includes(e)) return { t: 'empty' };
      return { t: 'atom', chars: charsOf(src) };
    }
    this.i++;
    if (c === '^' || c === '$') return { t: 'empty' };
    if (c === '.') return { t: 'atom', chars: charsOf('.') };
    return { t: 'atom', chars: new Set([c]) };
  }
}

function overlap(a: Chars, b: Chars): boolean {
  for (const c of a) if (b.has(c)) return true;
  return false;
}

function nullable(n: Node): boolean {
  switch (n.t) {
    case 'empty':
      return true;
    case 'atom':
      return false;
    case 'seq':
      return n.items.every(nullable);
    case 'alt':
      return n.alts.some(nullable);
    case 'rep':
      return n.min === 0 || nullable(n.body);
  }
}

/** Characters a match of `n` can start with. */
function first(n: Node): Chars {
  switch (n.t) {
    case 'empty':
      return new Set();
    case 'atom':
      return n.chars;
    case 'alt':
      return new Set(n.alts.flatMap((a) => [...first(a)]));
    case 'rep':
      return first(n.body);
    case 'seq': {
      const out = new Set<string>();
      for (const it of n.items) {
        for (const c of first(it)) out.add(c);
        if (!nullable(it)) break;
      }
      return out;
    }
  }
}

/** Every character any part of `n` can match. */
function all(n: Node): Chars {
  switch (n.t) {
    case 'empty':
      return new Set();
    case 'atom':
      return n.chars;
    case 'rep':
      return all(n.body);
    case 'alt':
      return new Set(n.alts.flatMap((a) => [...all(a)]));
    case 'seq':
      return new Set(n.items.flatMap((a) => [...all(a)]));
  }
}

function hasRep(n: Node, pred: (r: Extract<Node, { t: 'rep' }>) => boolean): boolean {
  switch (n.t) {
    case 'rep':
      return pred(n) || hasRep(n.body, pred);
    case 'seq':
      return n.items.some((x) => hasRep(x, pred));
    case 'alt':
      return n.alts.some((x) => hasRep(x, pred));
    default:
      return false;
  }
}

export const NESTED = 'nested quantifier (like (a+)+): exponential in backtracking engines; simplify it';
export const OVERLAPPING_ALTS = 'overlapping alternatives under a quantifier (like (a|ab)*): exponential in backtracking engines; make the alternatives start differently';
export const ADJACENT = 'adjacent quantifiers over overlapping characters (like \\d+\\d+ or .*.*): polynomial in backtracking engines; merge them or separate them with a literal';

/** The backtracking shapes found in `pattern` (each warning once); [] when it cannot be parsed. */
export function backtrackingWarnings(pattern: string): string[] {
  let tree: Node;
  try {
    const p = new Parser(pattern);
    tree = p.alt();
  } catch {
    return [];
  }
  const found = new Set<string>();
  const visit = (n: Node): void => {
    if (n.t === 'rep') {
      if (n.max > 1 && hasRep(n.body, (r) => r.max > 1 && (r.max === Infinity || n.max === Infinity))) found.add(NESTED);
      if (n.max > 1 && n.body.t === 'alt') {
        const firsts = n.body.alts.map(first);
        if (firsts.some((f, i) => firsts.some((g, j) => j > i && overlap(f, g)))) found.add(OVERLAPPING_ALTS);
      }
      visit(n.body);
    } else if (n.t === 'seq') {
      for (let k = 0; k + 1 < n.items.length; k++) {
        const a = n.items[k];
        const b = n.items[k + 1];
        if (a.t === 'rep' && b.t === 'rep' && a.max === Infinity && b.max === Infinity && overlap(all(a.body), all(b.body))) found.add(ADJACENT);
      }
      n.items.forEach(visit);
    } else if (n.t === 'alt') n.alts.forEach(visit);
  };
  visit(tree);
  return [...found];
}
