// Kernel features: the kernel config, loaded modules (/proc/modules or lsmod), modules.builtin,
// `ls /sys/module` and sysctl. Absence from one list proves nothing: callers combine them.
import type { KernelConfig, ModuleRow, Parsed, ParseIssue, SysctlValues } from './types.js';
import { basename, clip, fields, issue, iterLines, safeRecord } from './util.js';

/** `CONFIG_X=y|m|"str"|123` and `# CONFIG_X is not set` (→ 'n'); later lines win, as in Kconfig. */
export function parseKernelConfig(text: string, file: string): Parsed<KernelConfig> {
  const issues: ParseIssue[] = [];
  const config: KernelConfig = new Map();
  const set = (name: string, value: string, no: number): void => {
    if (config.has(name)) issues.push(issue(file, no, `${name} set again (line ${config.get(name)?.line}); the later value wins`));
    config.set(name, { value, line: no });
  };
  for (const { no, text: raw } of iterLines(text, file, issues)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/.exec(line);
      if (m) set(m[1], 'n', no);
      continue;
    }
    const eq = line.indexOf('=');
    const name = eq === -1 ? '' : line.slice(0, eq);
    if (!/^CONFIG_[A-Za-z0-9_]+$/.test(name)) {
      issues.push(issue(file, no, `not a kernel config line: ${clip(line, 80)}`));
      continue;
    }
    set(name, line.slice(eq + 1), no);
  }
  return { value: config, issues };
}

/** Module names use `_` in /proc and /sys while file names often use `-`. */
export function normaliseModuleName(name: string): string {
  return name.replaceAll('-', '_');
}

const MODULE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** `/proc/modules` (`bridge 307200 1 br_netfilter, Live 0x…`) or `lsmod` (with its `Module Size Used by` header). */
export function parseProcModules(text: string, file: string): Parsed<ModuleRow[]> {
  const issues: ParseIssue[] = [];
  const rows: ModuleRow[] = [];
  for (const { no, text: line } of iterLines(text, file, issues)) {
    const f = fields(line);
    if (f.length === 0) continue;
    if (f[0] === 'Module' && f[1] === 'Size') continue; // lsmod header
    if (!MODULE_NAME.test(f[0]) || !/^\d+$/.test(f[1] ?? '')) {
      issues.push(issue(file, no, `not a module line: ${clip(line, 120)}`));
      continue;
    }
    rows.push({ name: normaliseModuleName(f[0]), line: no });
  }
  return { value: rows, issues };
}

/** `modules.builtin`: `kernel/drivers/net/vxlan.ko` → `vxlan` (compressed suffixes too). */
export function parseModulesBuiltin(text: string, file: string): Parsed<ModuleRow[]> {
  const issues: ParseIssue[] = [];
  const rows: ModuleRow[] = [];
  for (const { no, text: raw } of iterLines(text, file, issues)) {
    const line = raw.trim();
    if (line === '') continue;
    const base = basename(line);
    const ko = base.indexOf('.ko');
    const name = ko === -1 ? '' : base.slice(0, ko);
    const suffix = ko === -1 ? '' : base.slice(ko);
    if (!MODULE_NAME.test(name) || !(suffix === '.ko' || suffix === '.ko.xz' || suffix === '.ko.zst' || suffix === '.ko.gz')) {
      issues.push(issue(file, no, `not a module path: ${clip(line, 120)}`));
      continue;
    }
    rows.push({ name: normaliseModuleName(name), line: no });
  }
  return { value: rows, issues };
}

/** `ls /sys/module`: names one per line or whitespace-separated; `ls:` error lines become issues. */
export function parseSysModule(text: string, file: string): Parsed<ModuleRow[]> {
  const issues: ParseIssue[] = [];
  const rows: ModuleRow[] = [];
  for (const { no, text: line } of iterLines(text, file, issues)) {
    if (line.startsWith('ls:')) {
      issues.push(issue(file, no, clip(line, 160)));
      continue;
    }
    for (const name of fields(line)) {
      if (MODULE_NAME.test(name)) rows.push({ name: normaliseModuleName(name), line: no });
      else issues.push(issue(file, no, `not a module name: ${clip(name, 80)}`));
    }
  }
  return { value: rows, issues };
}

/** `/proc/sys/net/ipv4/conf/flannel.1/rp_filter` → `net.ipv4.conf.flannel/1.rp_filter` (sysctl swaps `.` and `/`). */
function sysctlKeyFromPath(path: string): string {
  const rel = path.startsWith('/proc/sys/') ? path.slice('/proc/sys/'.length) : path;
  let out = '';
  for (const ch of rel) out += ch === '/' ? '.' : ch === '.' ? '/' : ch;
  return out;
}

/**
 * `key = value` lines. Unknown keys: procps `sysctl: cannot stat /proc/sys/KEY/PATH: No such file or
 * directory`, busybox `sysctl: error: 'KEY' is an unknown key`; both record the key as missing.
 */
export function parseSysctl(text: string, file: string): Parsed<SysctlValues> {
  const issues: ParseIssue[] = [];
  const value: SysctlValues = { values: safeRecord(), missing: safeRecord() };
  for (const { no, text: line } of iterLines(text, file, issues)) {
    if (line.trim() === '') continue;
    if (line.startsWith('sysctl:')) {
      const stat = line.indexOf('cannot stat ');
      const quote = line.indexOf("'");
      let key: string | null = null;
      if (stat !== -1) {
        const path = line.slice(stat + 'cannot stat '.length);
        const colon = path.indexOf(':');
        key = sysctlKeyFromPath(colon === -1 ? path : path.slice(0, colon));
      } else if (quote !== -1 && line.indexOf("' is an unknown key") > quote) {
        key = line.slice(quote + 1, line.indexOf("' is an unknown key"));
      }
      if (key !== null && key !== '') value.missing[key] = { line: no };
      else issues.push(issue(file, no, `sysctl error: ${clip(line, 160)}`));
      continue;
    }
    const eq = line.indexOf(' = ');
    if (eq <= 0) {
      issues.push(issue(file, no, `not a sysctl line: ${clip(line, 120)}`));
      continue;
    }
    value.values[line.slice(0, eq).trim()] = { value: line.slice(eq + 3).trim(), line: no };
  }
  return { value, issues };
}
