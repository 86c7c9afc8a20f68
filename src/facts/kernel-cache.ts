// The nodes of a cluster nearly always share one kernel config (thousands of lines). The last config
// parsed is kept: an identical text (one memcmp) gets the same parse and the same options object
// instead of being parsed again, and equal nodes share their options (see engine/shared-facts.ts).
import { parseKernelConfig } from '../parsers/kernel.js';
import type { KernelConfig, Parsed } from '../parsers/types.js';

let last: { text: string; file: string; parsed: Parsed<KernelConfig> } | null = null;
const optionsByConfig = new WeakMap<KernelConfig, Record<string, string>>();

/** parseKernelConfig, answered from the last call when text and file are the same. Callers must not change it. */
export function parseKernelConfigOnce(text: string, file: string): Parsed<KernelConfig> {
  if (last === null || last.text !== text || last.file !== file) last = { text, file, parsed: parseKernelConfig(text, file) };
  return last.parsed;
}

/** Option -> value of a parsed config (null prototype: names come from the bundle); one object per config. */
export function kernelOptions(config: KernelConfig | undefined): Record<string, string> {
  if (config === undefined) return Object.create(null) as Record<string, string>;
  let options = optionsByConfig.get(config);
  if (options === undefined) {
    options = Object.create(null) as Record<string, string>;
    for (const [k, v] of config) options[k] = v.value;
    optionsByConfig.set(config, options);
  }
  return options;
}
