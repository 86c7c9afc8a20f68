// The bundle-v1 manifest (shared/spec/bundle-v1.md), validated with zod. Unknown keys are tolerated
// (later collectors may add some) but never trusted: every value is checked before use.
import { z } from 'zod';

export const BUNDLE_FORMAT = 'flannel-diag-bundle/1';

/** A relative path inside the bundle: no leading slash, no `..`, no backslash, no NUL. */
const bundlePath = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && !p.includes('\0') && !p.split('/').includes('..'), {
    message: 'path must stay inside the bundle',
  });

export const CommandEntrySchema = z.object({
  id: z.string().min(1).max(200),
  subject: z.string().max(500).optional(),
  argv: z.array(z.string().max(4096)).max(200).optional(),
  source: z.string().max(4096).optional(),
  stdout: bundlePath.optional(),
  stderr: bundlePath.optional(),
  exitCode: z.number().int().nullable().optional(),
  startedAt: z.string().max(64).optional(),
  durationMs: z.number().nonnegative().optional(),
  timedOut: z.boolean().optional(),
  truncated: z.boolean().optional(),
  bytes: z.number().int().nonnegative().optional(),
  skipped: z.string().max(2000).optional(),
});
export type CommandEntry = z.infer<typeof CommandEntrySchema>;

export const ManifestSchema = z.object({
  format: z.string(),
  collector: z.object({ name: z.string().max(200), version: z.string().max(100) }).partial().optional(),
  host: z.object({
    hostname: z.string().min(1).max(253),
    machineId: z.string().max(200).optional(),
    kernelRelease: z.string().max(200).optional(),
    arch: z.string().max(50).optional(),
  }),
  collectedAt: z.string().max(64),
  collectedAtEpoch: z.number().optional(),
  options: z
    .object({
      etcd: z.boolean().optional(),
      etcdEndpoints: z.string().max(4096).optional(),
      etcdPrefix: z.string().max(1024).optional(),
      kube: z.boolean().optional(),
      logSince: z.string().max(100).optional(),
      timeoutSeconds: z.number().optional(),
    })
    .passthrough()
    .optional(),
  commands: z.array(CommandEntrySchema).max(100000),
});
export type Manifest = z.infer<typeof ManifestSchema>;
