/**
 * Webhook subscriptions, declared in the accounts file (SWAS_CONFIG) under `subscriptions`.
 * The minimal form, which must keep working exactly as written:
 *
 *   "subscriptions": [{ "name": "ops", "url": "http://127.0.0.1:8080/hook",
 *                       "secretEnv": "OPS_HOOK_SECRET", "kinds": ["status_changed", "deleted"] }]
 *
 * The signing secret is never in the file: `secretEnv` names the variable holding it, in Standard
 * Webhooks' `whsec_<base64>` form. Every other field is optional; each default is below.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { formatIssues, type Config } from './env.js';
import { EVENT_KINDS, STATUS_CODES } from '../domain/vocabulary.js';
import { AccountsFileError } from './accounts.js';

/** Status names used by transition filters (`* -> creation_failed`): the labels the reports print. */
const STATUS_NAMES = STATUS_CODES;

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the NAME of an environment variable (secrets are never written in this file)');

const statusRef = z.string().refine((s) => s === '*' || s in STATUS_NAMES || /^\d+$/.test(s),
  `must be *, a status code or one of ${Object.keys(STATUS_NAMES).join(', ')}`);

/** `from -> to`, either side `*`: `* -> creation_failed`, `creating -> available`. */
const transitionSchema = z.string().transform((text, ctx) => {
  const parts = text.split('->').map((p) => p.trim());
  const [from, to] = parts;
  if (parts.length !== 2 || from === undefined || to === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must look like "FROM -> TO", e.g. "* -> creation_failed"' });
    return z.NEVER;
  }
  for (const side of [from, to]) {
    const ok = statusRef.safeParse(side);
    if (!ok.success) {
      ctx.addIssue({ code: 'custom', message: `"${side}": ${ok.error.issues[0]?.message ?? 'bad status'}` });
      return z.NEVER;
    }
  }
  const code = (s: string): number | null => (s === '*' ? null : (STATUS_NAMES[s] ?? Number(s)));
  return { from: code(from), to: code(to) };
});

const subscriptionSchema = z.object({
  /** Stored in the database (cursor, deliveries) instead of the URL. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 letters, digits, ".", "_" or "-"'),
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  secretEnv: envVarName,
  /** Event kinds delivered. Default: every kind. */
  kinds: z.array(z.enum(EVENT_KINDS)).min(1).optional(),
  /** Status transitions delivered (status_changed events, plus created/deleted with their one side). Default: no transition filter. */
  transitions: z.array(transitionSchema).min(1).optional(),
  /** Only these accounts / regions. Default: all. */
  accounts: z.array(z.string().min(1)).min(1).optional(),
  regions: z.array(z.string().min(1)).min(1).optional(),
  /** tags_changed events where one of these tag keys appeared or disappeared. */
  tagKeys: z.object({
    appeared: z.array(z.string().min(1)).optional(),
    disappeared: z.array(z.string().min(1)).optional(),
  }).strict().optional(),
  /** `json` (default): the generic event; `slack` ({"text"}) and `dingtalk` ({"msgtype":"text"}): one line for chat. */
  format: z.enum(['json', 'slack', 'dingtalk']).default('json'),
  /** Per-request timeout. Default 10000 ms. */
  timeoutMs: z.number().int().min(10).max(120_000).default(10_000),
  /** Failed attempts after which an event is recorded dead and delivery carries on. Default 10. */
  maxAttempts: z.number().int().min(1).max(100).default(10),
  /** Exponential backoff with full jitter: base * 2^(attempt-1), capped. Defaults 1000 ms / 300000 ms. */
  backoff: z.object({
    baseMs: z.number().int().min(1).default(1_000),
    maxMs: z.number().int().min(1).default(300_000),
  }).strict().default({ baseMs: 1_000, maxMs: 300_000 }),
  /** Requests in flight at once (different images; one image is always sequential). Default 4. */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** Requests per second at most. Default 10. */
  ratePerSecond: z.number().positive().max(10_000).default(10),
}).strict();

export type SubscriptionSpec = z.infer<typeof subscriptionSchema>;

export const subscriptionsSchema = z.array(subscriptionSchema).superRefine((subs, ctx) => {
  const seen = new Set<string>();
  subs.forEach((s, i) => {
    if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate subscription name "${s.name}"` });
    seen.add(s.name);
  });
});

/** A subscription with its secret resolved: lives in memory only, never in logs, jobs or the database. */
export interface Subscription extends SubscriptionSpec {
  secret: string;
}

/** `whsec_` + base64 of 24..64 bytes (Standard Webhooks; the library also accepts the bare base64). */
const WHSEC = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/** Validates the `subscriptions` array of an already-parsed accounts file, secrets not looked at. */
export function parseSubscriptionSpecs(json: unknown, source: string): SubscriptionSpec[] {
  const list = (json as { subscriptions?: unknown } | null)?.subscriptions;
  if (list === undefined) return [];
  const parsed = subscriptionsSchema.safeParse(list);
  if (!parsed.success) throw new AccountsFileError(source, formatIssues(parsed.error, 'subscriptions.'));
  return parsed.data;
}

/** Validates the `subscriptions` array of an already-parsed accounts file and resolves each secret. */
export function parseSubscriptions(json: unknown, source: string, env: NodeJS.ProcessEnv): Subscription[] {
  const issues: string[] = [];
  const subs = parseSubscriptionSpecs(json, source).map((spec, i) => {
    const secret = env[spec.secretEnv]?.trim() ?? '';
    // The message names the variable, never its value.
    if (secret === '') issues.push(`subscriptions.${i}.secretEnv: environment variable ${spec.secretEnv} is not set`);
    else if (!WHSEC.test(secret) || Buffer.from(secret.slice(6), 'base64').length < 16) {
      issues.push(`subscriptions.${i}.secretEnv: ${spec.secretEnv} must hold a Standard Webhooks secret, whsec_<base64 of at least 16 bytes>`);
    }
    return { ...spec, secret };
  });
  if (issues.length > 0) throw new AccountsFileError(source, issues);
  return subs;
}

/** The subscriptions of SWAS_CONFIG's file; none when it is unset. */
export function loadSubscriptions(config: Pick<Config, 'accountsFile'>, env: NodeJS.ProcessEnv = process.env): Subscription[] {
  if (config.accountsFile === null) return [];
  return parseSubscriptions(readAccountsJson(config.accountsFile), config.accountsFile, env);
}

/**
 * The subscriptions of SWAS_CONFIG's file without their secrets: for what only reads delivery
 * state (`notifications status`), so an operator can look at lag without holding the signing keys.
 */
export function loadSubscriptionSpecs(config: Pick<Config, 'accountsFile'>): SubscriptionSpec[] {
  if (config.accountsFile === null) return [];
  return parseSubscriptionSpecs(readAccountsJson(config.accountsFile), config.accountsFile);
}

function readAccountsJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AccountsFileError(file, [`cannot be read as JSON: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
}

/** What may be logged or shown about a subscription: the URL without credentials, query or path. */
export function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '<unparseable url>';
  }
}
