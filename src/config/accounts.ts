/**
 * The accounts file (JSON, path in SWAS_CONFIG): which Alibaba Cloud accounts to inventory and how
 * each one authenticates. Secrets never live in this file: an access key is named by the
 * environment variables that hold it, everything else goes through @alicloud/credentials providers.
 *
 * Example:
 * {
 *   "accounts": [
 *     { "name": "prod", "credentials": { "type": "ram_role_arn", "roleArn": "acs:ram::123:role/inventory" },
 *       "regions": { "deny": ["cn-nanjing"] }, "callsPerSecond": 2 },
 *     { "name": "lab", "credentials": { "type": "access_key", "accessKeyIdEnv": "LAB_AK_ID", "accessKeySecretEnv": "LAB_AK_SECRET" } }
 *   ]
 * }
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigurationError } from '../domain/errors.js';
import { formatIssues, type Config } from './env.js';

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the NAME of an environment variable (secrets are never written in this file)');
const regionList = z.array(z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)+$/, 'must be a region id such as cn-hangzhou'));

/** `.strict()` everywhere: an inline `accessKeySecret` or a typo is an error, not silently ignored. */
const credentialsSchema = z.discriminatedUnion('type', [
  /** The default chain: ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET/_SECURITY_TOKEN, OIDC, CLI profile, profile file, ECS RAM role. */
  z.object({ type: z.literal('env') }).strict(),
  /** A named profile of the Alibaba Cloud CLI config (~/.aliyun/config.json). */
  z.object({ type: z.literal('profile'), profile: z.string().min(1) }).strict(),
  /** AssumeRole; the source identity is `sourceProfile` if given, else the default chain. */
  z.object({
    type: z.literal('ram_role_arn'),
    roleArn: z.string().regex(/^acs:ram::\d+:role\/.+$/, 'must look like acs:ram::<account id>:role/<name>'),
    roleSessionName: z.string().min(1).max(64).optional(),
    sourceProfile: z.string().min(1).optional(),
  }).strict(),
  /** The instance RAM role from the ECS metadata service; `roleName` is discovered when omitted. */
  z.object({ type: z.literal('ecs_ram_role'), roleName: z.string().min(1).optional() }).strict(),
  z.object({
    type: z.literal('access_key'),
    accessKeyIdEnv: envVarName,
    accessKeySecretEnv: envVarName,
    securityTokenEnv: envVarName.optional(),
  }).strict(),
]);

export type CredentialSpec = z.infer<typeof credentialsSchema>;

const accountSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 letters, digits, ".", "_" or "-"'),
  credentials: credentialsSchema,
  regions: z.object({ allow: regionList.optional(), deny: regionList.optional() }).strict().optional(),
  callsPerSecond: z.number().positive().optional(),
}).strict();

const accountsFileSchema = z.object({
  accounts: z.array(accountSchema).min(1, 'must list at least one account'),
  /** Webhook subscriptions: validated by config/subscriptions.ts (they need the environment for their secrets). */
  subscriptions: z.array(z.unknown()).optional(),
}).strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.accounts.forEach((a, i) => {
      if (seen.has(a.name)) ctx.addIssue({ code: 'custom', path: ['accounts', i, 'name'], message: `duplicate account name "${a.name}"` });
      seen.add(a.name);
    });
  });

/** One account as the rest of the program sees it: every default applied. */
export interface Account {
  /** Stored in every row's `account` column. */
  name: string;
  credentials: CredentialSpec;
  /** null = every region; a region must be allowed and not denied. */
  regions: { allow: string[] | null; deny: string[] };
  /** API call budget for this account (the queue's rate limiter). */
  callsPerSecond: number;
}

/** The accounts file (SWAS_CONFIG) cannot be used as written; `issues` say why. Exit 2. */
export class AccountsFileError extends ConfigurationError {
  override name = 'AccountsFileError';
  constructor(readonly source: string, readonly issues: string[]) {
    super(`Invalid accounts file ${source} (SWAS_CONFIG); fix:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
  }
}

/** Validates an already-parsed accounts file. Pure; `source` only labels errors. */
export function parseAccountsFile(json: unknown, source: string, defaultCallsPerSecond: number): Account[] {
  const parsed = accountsFileSchema.safeParse(json);
  if (!parsed.success) throw new AccountsFileError(source, formatIssues(parsed.error));
  return parsed.data.accounts.map((a) => ({
    name: a.name,
    credentials: a.credentials,
    regions: { allow: a.regions?.allow ?? null, deny: a.regions?.deny ?? [] },
    callsPerSecond: a.callsPerSecond ?? defaultCallsPerSecond,
  }));
}

/** The account used when SWAS_CONFIG is unset: the default credentials chain, every region. */
export function defaultAccount(callsPerSecond: number): Account {
  return { name: 'default', credentials: { type: 'env' }, regions: { allow: null, deny: [] }, callsPerSecond };
}

/** Reads SWAS_CONFIG's file if set, else returns the single `default` account. */
export function loadAccounts(config: Pick<Config, 'accountsFile' | 'callsPerSecond'>): Account[] {
  if (config.accountsFile === null) return [defaultAccount(config.callsPerSecond)];
  let text: string;
  try {
    text = readFileSync(config.accountsFile, 'utf8');
  } catch (err) {
    throw new AccountsFileError(config.accountsFile, [`cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AccountsFileError(config.accountsFile, [`is not valid JSON: ${(err as Error).message}`]);
  }
  return parseAccountsFile(json, config.accountsFile, config.callsPerSecond);
}

/** Whether an account may sync a region (its allow/deny lists). */
export function accountAllowsRegion(account: Account, regionId: string): boolean {
  if (account.regions.deny.includes(regionId)) return false;
  return account.regions.allow === null || account.regions.allow.includes(regionId);
}
