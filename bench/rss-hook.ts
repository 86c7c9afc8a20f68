// Preloaded (node --import) into a measured process: at exit, writes the process's peak resident set
// size in KiB to $FLANNEL_DIAG_BENCH_RSS. Node has no way to read a child's rusage, so the child reports it.
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const out = process.env.FLANNEL_DIAG_BENCH_RSS;
if (isMainThread && out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
