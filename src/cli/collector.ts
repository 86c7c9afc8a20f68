// `flannel-diag collector`: writes the collector script for the engineer to send to a customer.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeAtomic } from './io.js';

export function runCollector(output: string | undefined, root: string): number {
  const candidates = [path.join(root, 'dist', 'src', 'collector', 'flannel-diag-collect.sh'), path.join(root, 'src', 'collector', 'flannel-diag-collect.sh')];
  let script: string | null = null;
  for (const c of candidates) {
    try {
      script = readFileSync(c, 'utf8');
      break;
    } catch {
      /* try the next place */
    }
  }
  if (script === null) {
    process.stderr.write('flannel-diag: the collector script is missing from this installation\n');
    return 1;
  }
  if (!output || output === '-') {
    process.stdout.write(script);
    return 0;
  }
  try {
    writeAtomic(output, script, 0o755);
  } catch (e) {
    process.stderr.write(`flannel-diag: cannot write ${output}: ${(e as Error).message}\n`);
    return 1;
  }
  process.stderr.write(`wrote the collector to ${output}: send it to the customer, who runs: sudo sh ${path.basename(output)}\n`);
  return 0;
}
