import { z } from 'zod';

/**
 * Fault rules, as the admin API and `startEmulator({ faults })` accept them (docs/EMULATOR.md).
 * A rule matches calls on any subset of account / AccessKey / region / action / page, then
 * fires on a trigger: from the `nth` matching call, for `count` calls, with probability `rate`.
 */
export const ODD_TYPE_VARIANTS = ['numbersAsStrings', 'countsAsNumbers', 'booleansAsStrings', 'missingOptional', 'nulls'] as const;
export type OddTypeVariant = (typeof ODD_TYPE_VARIANTS)[number];

const matchSchema = z.object({
  accountUid: z.string().optional(),
  accessKeyId: z.string().optional(),
  region: z.string().optional(),
  action: z.string().optional(),
  page: z.number().int().min(1).optional(),
}).strict();

const triggerFields = {
  id: z.string().min(1).optional(),
  match: matchSchema.default({}),
  /** Fire from the nth matching call on (1-based). Default 1. */
  nth: z.number().int().min(1).optional(),
  /** Fire for this many matching calls from `nth` ("for N calls"). Default: no end (pageDrift: 1). */
  count: z.number().int().min(1).optional(),
  /** Probability of firing on an eligible call, drawn from the seeded PRNG. Default 1. */
  rate: z.number().min(0).max(1).optional(),
};

export const faultRuleSchema = z.discriminatedUnion('kind', [
  z.object({ ...triggerFields, kind: z.literal('latency'), ms: z.number().int().min(0).optional(), minMs: z.number().int().min(0).optional(), maxMs: z.number().int().min(0).optional() }).strict(),
  z.object({ ...triggerFields, kind: z.literal('rateLimit'), limit: z.number().int().min(1), windowMs: z.number().int().min(1).default(1000), code: z.string().default('Throttling.User') }).strict(),
  z.object({ ...triggerFields, kind: z.literal('throttle'), code: z.string().default('Throttling.User'), retryAfterMs: z.number().int().min(0).default(1000) }).strict(),
  z.object({ ...triggerFields, kind: z.literal('error'), code: z.string().default('InternalError'), status: z.number().int().min(400).max(599).optional(), message: z.string().optional() }).strict(),
  z.object({ ...triggerFields, kind: z.literal('hang'), ms: z.number().int().min(1).default(600_000) }).strict(),
  z.object({ ...triggerFields, kind: z.literal('reset') }).strict(),
  z.object({ ...triggerFields, kind: z.literal('truncate') }).strict(),
  z.object({ ...triggerFields, kind: z.literal('malformed'), body: z.string().optional() }).strict(),
  z.object({ ...triggerFields, kind: z.literal('pageDrift'), afterPage: z.number().int().min(1).default(1), mode: z.enum(['insert', 'remove']) }).strict(),
  z.object({ ...triggerFields, kind: z.literal('oddTypes'), variants: z.array(z.enum(ODD_TYPE_VARIANTS)).min(1).default([...ODD_TYPE_VARIANTS]) }).strict(),
  z.object({
    ...triggerFields,
    kind: z.literal('badItem'),
    mode: z.enum(['missingImageId', 'wrongType']),
    /** Which item of the page to break (default 0). */
    index: z.number().int().min(0).default(0),
    /**
     * For wrongType: the field to replace and its wrongly typed value. Default `Status: true`,
     * which the SDK stringifies to "true" (not a status); an object value makes the SDK itself
     * throw "type of status is mismatch" (docs/EMULATOR.md).
     */
    field: z.string().default('Status'),
    value: z.unknown().optional(),
  }).strict(),
]);

export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type FaultRule = z.output<typeof faultRuleSchema> & { id: string };

export function parseFaultRule(input: unknown, fallbackId: string): FaultRule {
  const rule = faultRuleSchema.parse(input);
  return { ...rule, id: rule.id ?? fallbackId };
}
