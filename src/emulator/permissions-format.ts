import { z } from 'zod';

/**
 * RAM permissions of one AccessKey, in the seed and the admin API (docs/EMULATOR.md). A key
 * without `permissions` is the account's own (root) key and may do everything; a key with them is
 * a RAM user's (or, for an STS key, an assumed role's) and may do only what a statement allows.
 * The shape is a small subset of a RAM policy: Allow/Deny statements over actions and resources,
 * with `regions` as a shorthand for "resources in these regions".
 */
export const permissionStatementSchema = z.object({
  effect: z.enum(['Allow', 'Deny']).default('Allow'),
  /** RAM actions with `*`/`?` wildcards: `swas-open:ListCustomImages`, `swas-open:List*`, `*`. */
  actions: z.array(z.string().min(1)).min(1),
  /** Only calls in these regions. Default: any region. */
  regions: z.array(z.string().min(1)).optional(),
  /**
   * ARN patterns with `*`/`?` wildcards, as on the API page:
   * `acs:swas-open:{regionId}:{accountId}:customimage/*` or `.../customimage/{CustomImageId}`.
   * Default `*`.
   */
  resources: z.array(z.string().min(1)).optional(),
}).strict();
export type PermissionStatement = z.output<typeof permissionStatementSchema>;

export const PRINCIPAL_TYPES = ['SubUser', 'AssumedRoleUser'] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

export const keyPermissionsSchema = z.object({
  /** Default: `AssumedRoleUser` for an STS key, else `SubUser` (a RAM user's AccessKey). */
  principalType: z.enum(PRINCIPAL_TYPES).optional(),
  /** `AuthPrincipalDisplayName`: a RAM user's name/id, or `RoleName:RoleSessionName` for a role. */
  displayName: z.string().min(1).max(128).optional(),
  /** The Code of a denial: the POP gateway's `Forbidden.RAM` (default) or a service's `NoPermission`. */
  deniedCode: z.enum(['Forbidden.RAM', 'NoPermission']).default('Forbidden.RAM'),
  statements: z.array(permissionStatementSchema).default([]),
}).strict();
export type KeyPermissionsInput = z.input<typeof keyPermissionsSchema>;
export type KeyPermissions = z.output<typeof keyPermissionsSchema>;

export const KEY_STATUSES = ['Active', 'Inactive'] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];

/** What the admin API (and the handle) may change on a key at run time. */
export const keyPatchSchema = z.object({
  status: z.enum(KEY_STATUSES).optional(),
  /** `null` makes the key unrestricted again (a root key). */
  permissions: keyPermissionsSchema.nullable().optional(),
}).strict();
export type KeyPatch = z.input<typeof keyPatchSchema>;
