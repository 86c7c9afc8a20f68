// /run/flannel/subnet.env: KEY=value lines written once by flanneld at startup.
import type { Parsed, ParseIssue, SubnetEnv } from './types.js';
import { clip, issue, iterLines, safeRecord } from './util.js';

export function parseSubnetEnv(text: string, file: string): Parsed<SubnetEnv> {
  const issues: ParseIssue[] = [];
  const vars = safeRecord<{ value: string; line: number }>();
  for (const { no, text: raw } of iterLines(text, file, issues)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq === -1 ? '' : line.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      issues.push(issue(file, no, `not a KEY=value line: ${clip(line, 80)}`));
      continue;
    }
    const prev = vars[key];
    if (prev) issues.push(issue(file, no, `${key} repeated (first on line ${prev.line}); the last value is used`));
    vars[key] = { value: line.slice(eq + 1), line: no };
  }
  return { value: { vars }, issues };
}
