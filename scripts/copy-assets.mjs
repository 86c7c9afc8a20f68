// tsc copies no non-TS files; the collector script ships inside dist so `flannel-diag collector` can write it.
import { cpSync, existsSync, mkdirSync } from 'node:fs';
const pairs = [['src/collector/flannel-diag-collect.sh', 'dist/src/collector/flannel-diag-collect.sh']];
for (const [from, to] of pairs) {
  if (!existsSync(from)) continue;
  mkdirSync(to.slice(0, to.lastIndexOf('/')), { recursive: true });
  cpSync(from, to);
}
