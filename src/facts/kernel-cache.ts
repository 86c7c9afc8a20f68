// The nodes of a cluster nearly always share one kernel config (thousands of lines). The last config
// parsed is kept: identical bytes (one memcmp) get the same parse and the same options object instead
// of being decoded and parsed again, and equal nodes share their options (see engine/shared-facts.ts).
import { decodeText } from '../bundle/commands.js';
import { parseKernelConfig } from '../parsers/kernel.js';
import type { KernelConfig, Parsed } from '../parsers/types.js';

let last: { bytes: Buffer; file: string; parsed: Parsed<KernelConfig> } | null = null;
const optionsByConfig = new WeakMap<KernelConfig, Record<string, string>>();

/** parseKernelConfig of the decoded bytes, answered from the last call when bytes and file are the same. Callers must not change it. */
export function parseKernelConfigOnce(bytes: Buffer, file: string): Parsed<KernelConfig> {
  // a copy: the bytes given are a slice of a whole archive, which the cache must not keep alive
  if (last === null || last.file !== file || !last.bytes.equals(bytes)) last = { bytes: Buffer.from(bytes), file, parsed: parseKernelConfig(decodeText(bytes), file) };
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
