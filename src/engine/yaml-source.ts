// Reads a YAML file keeping positions, so every problem in a rule or test file is reported as
// file:line:col: message (one line), pointing at the key or value at fault.
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Document, type Node, Scalar } from 'yaml';
import type { z } from 'zod';

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.message.replace(/\s+/g, ' ').trim()}`;
}

export class YamlSource {
  readonly doc: Document.Parsed;
  readonly lc = new LineCounter();
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lc, uniqueKeys: true, prettyErrors: false, strict: true });
    for (const e of [...this.doc.errors, ...this.doc.warnings]) {
      const pos = this.lc.linePos(e.pos[0]);
      this.diagnostics.push({ file, line: pos.line, col: pos.col, message: e.message.split('\n')[0] });
    }
  }

  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: 50 });
  }

  /** Position of the node at `path` (or of the key `extraKey` in the map at path), falling back to its parent. */
  position(path: (string | number)[], extraKey?: string): { line: number; col: number } {
    let node: unknown = this.doc.contents;
    let last: { line: number; col: number } = { line: 1, col: 1 };
    const at = (n: unknown) => {
      const r = (n as Node | undefined)?.range;
      if (r) last = this.lc.linePos(r[0]);
    };
    at(node);
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        at(pair.key);
        node = pair.value;
        at(node);
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        at(node);
      } else break;
    }
    if (extraKey && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === extraKey);
      if (pair) at(pair.key);
    }
    return last;
  }

  /**
   * Position of character `offset` inside the string scalar at `path` (for CEL errors): exact for plain,
   * quoted and block scalars whose lines appear verbatim in the source.
   */
  positionInScalar(path: (string | number)[], offset: number): { line: number; col: number } {
    const node = this.doc.getIn(path, true) as Scalar | undefined;
    const base = this.position(path);
    if (!node || !isScalar(node) || typeof node.value !== 'string' || !node.range) return base;
    const value = node.value;
    const before = value.slice(0, Math.max(0, Math.min(offset, value.length)));
    const lineIdx = before.split('\n').length - 1;
    const colInLine = before.length - (before.lastIndexOf('\n') + 1);
    const lineText = value.split('\n')[lineIdx] ?? '';
    const start = node.range[0];
    const end = node.range[2];
    const region = this.text.slice(start, end);
    const found = lineText ? region.indexOf(lineText) : -1;
    if (found < 0) return base;
    const pos = this.lc.linePos(start + found + colInLine);
    return { line: pos.line, col: pos.col };
  }

  zodDiagnostics(error: z.ZodError): Diagnostic[] {
    return error.issues.map((issue) => {
      const path = issue.path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number');
      const unknownKeys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : undefined;
      const pos = this.position(path, unknownKeys?.[0]);
      const where = path.length ? `${path.join('.')}: ` : '';
      const message = unknownKeys ? `${where}unknown key ${unknownKeys.map((k) => `"${k}"`).join(', ')}` : `${where}${issue.message}`;
      return { file: this.file, line: pos.line, col: pos.col, message };
    });
  }
}
