// The rule file format, rule-v1 (shared/spec/rule-v1.md), as zod schemas. Strict objects: an unknown
// key is a lint error (most often a typo that would otherwise be silently ignored).
import { z } from 'zod';
import { CATEGORIES, SEVERITIES } from '../report/schema.js';

const cel = z.string().min(1).max(4000);
const template = z.string().max(8000);

export const OutcomeSchema = z
  .object({
    when: cel.optional(),
    status: z.enum(['fail', 'warn', 'pass', 'skipped']),
    message: template,
  })
  .strict();

export const RuleFileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+\.[a-z0-9-]+(?:\.[a-z0-9-]+)*$/, 'rule ids are <category>.<name>, lower case'),
    title: z.string().min(1).max(200),
    category: z.enum(CATEGORIES),
    severity: z.enum(SEVERITIES),
    description: z.string().max(4000).optional(),
    /** flannel versions the rule's judgement depends on, for readers (the condition reads the version itself) */
    versions: z.string().max(200).optional(),
    appliesWhen: cel.optional(),
    requires: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z0-9_.]+$/, 'a data path like etcd.leases or node.timeSync')).max(20).optional(),
    forEach: cel.optional(),
    as: z.string().regex(/^[a-z][A-Za-z0-9_]*$/).optional(),
    outcomes: z.array(OutcomeSchema).min(1).max(20).optional(),
    when: cel.optional(),
    message: template.optional(),
    passMessage: template.optional(),
    emptyMessage: template.optional(),
    /** CEL expressions whose facts' evidence the finding cites */
    evidence: z.array(cel).max(10).optional(),
    /** CEL string expression: the node a finding is about (defaults to the forEach node) */
    node: cel.optional(),
    /** template: what each finding is about (defaults to the forEach element's key, name or hostname) */
    subject: template.optional(),
    remediation: template.optional(),
    references: z.array(z.string().max(500)).max(20).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.outcomes && r.when !== undefined) ctx.addIssue({ code: 'custom', path: ['when'], message: 'use either outcomes or the when shorthand, not both' });
    if (!r.outcomes && r.when === undefined) ctx.addIssue({ code: 'custom', path: ['id'], message: 'a rule needs outcomes or a top-level when' });
    if (r.when !== undefined && r.message === undefined) ctx.addIssue({ code: 'custom', path: ['when'], message: 'the when shorthand needs a message' });
    if (r.forEach !== undefined && r.as === undefined) ctx.addIssue({ code: 'custom', path: ['forEach'], message: 'forEach needs as: the name each element is bound to' });
    if (r.as !== undefined && r.forEach === undefined) ctx.addIssue({ code: 'custom', path: ['as'], message: 'as needs forEach' });
    if (r.outcomes) {
      r.outcomes.forEach((o, i) => {
        if (o.when === undefined && i !== r.outcomes!.length - 1) {
          ctx.addIssue({ code: 'custom', path: ['outcomes', i, 'when'], message: 'only the last outcome may omit when' });
        }
      });
    }
  });
export type RuleFile = z.infer<typeof RuleFileSchema>;

export const SignatureSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'signature ids are lower-case words joined by -'),
    pattern: z.string().min(1).max(2000),
    since: z.string().max(40).optional(),
    until: z.string().max(40).optional(),
    description: z.string().max(1000).optional(),
    /**
     * a literal that every matching line contains, checked before the regex (derived when absent); or a
     * list of literals, one of which every matching line contains (for a pattern that ends in one of
     * several phrases: the longer the shortest literal of all signatures, the faster logs are searched)
     */
    literal: z.union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).min(1).max(20)]).optional(),
    /** sample lines that must match (checked by rules lint) */
    examples: z.array(z.string().max(2000)).max(20).optional(),
  })
  .strict();
export const SignatureFileSchema = z.object({ signatures: z.array(SignatureSchema).min(1) }).strict();
export type SignatureDef = z.infer<typeof SignatureSchema>;

const fileOverride = z.union([
  z.string(),
  z.object({ from: z.string().min(1) }).strict(),
  z.object({ text: z.string() }).strict(),
  z.object({ json: z.unknown() }).strict(),
]);

export const ExpectSchema = z
  .object({
    status: z.enum(['fail', 'warn', 'pass', 'skipped', 'notApplicable']),
    messageMatches: z.string().optional(),
    node: z.string().optional(),
    subject: z.string().optional(),
    /** exactly this many findings match this expectation */
    count: z.number().int().nonnegative().optional(),
  })
  .strict();

export const TestCaseSchema = z
  .object({
    name: z.string().min(1),
    fixture: z.string().min(1),
    files: z.record(z.string(), fileOverride).optional(),
    remove: z.array(z.string()).optional(),
    /** manifest command entries to replace: "node:command-id" -> fields merged over the entry */
    commands: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    expect: z.array(ExpectSchema).min(1),
    /** every finding of the rule must match one expectation */
    exact: z.boolean().optional(),
  })
  .strict();
export const TestFileSchema = z
  .object({
    rule: z.string().optional(),
    cases: z.array(TestCaseSchema).min(1),
  })
  .strict();
export type TestFile = z.infer<typeof TestFileSchema>;
export type TestCase = z.infer<typeof TestCaseSchema>;
