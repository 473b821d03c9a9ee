import { z } from 'zod';
import { KEY_STATUSES, keyPermissionsSchema } from './permissions-format.js';

/**
 * The documented JSON seed format (docs/EMULATOR.md). It is the emulator's own format, in
 * camelCase; the wire shape (PascalCase) is produced only by list-custom-images.ts.
 * Validated once when loaded, so the hot path can trust the store.
 */

/** 16-digit account ids are below 2^53, so UserId can be a JSON number without losing digits. */
export const accountUidSchema = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, 'an account UID is a decimal number of up to 16 digits')
  .refine((uid) => Number.isSafeInteger(Number(uid)), 'an account UID must be below 2^53');

const creationTimeSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'CreationTime is yyyy-MM-ddTHH:mm:ssZ (UTC, no fraction)');

/** "0" copying, "1" available, "2" unavailable, "3" creation failed, "4" creating. */
export const imageStatusSchema = z.union([z.enum(['0', '1', '2', '3', '4']), z.number().int().min(0).max(4)])
  .transform((s) => String(s) as ImageStatus);
export type ImageStatus = '0' | '1' | '2' | '3' | '4';

export const tagSchema = z.object({ key: z.string().min(1).max(64), value: z.string().max(64).default('') });

export const accessKeySchema = z.object({
  accessKeyId: z.string().min(1),
  accessKeySecret: z.string().min(1),
  /** Present for STS credentials: the request must carry it in `x-acs-security-token`. */
  securityToken: z.string().min(1).optional(),
  /** STS expiry (ISO 8601); after it the token is refused with InvalidSecurityToken.Expired. */
  expiresAt: z.string().datetime().optional(),
  /** `Inactive`: refused with InvalidAccessKeyId.Inactive (a key disabled in the console). Default `Active`. */
  status: z.enum(KEY_STATUSES).default('Active'),
  /** RAM permissions (permissions-format.ts). Absent: the account's own key, allowed everything. */
  permissions: keyPermissionsSchema.optional(),
});

export const accountSchema = z.object({
  uid: accountUidSchema,
  name: z.string().optional(),
  accessKeys: z.array(accessKeySchema).min(1),
});

/** Every field of an image; `imageId`/`creationTime` are generated when omitted. */
export const imageFieldsSchema = z.object({
  imageId: z.string().regex(/^m-[0-9a-z]+$/, 'an image id looks like m-<hex>').optional(),
  ownerUid: accountUidSchema,
  regionId: z.string().min(1),
  name: z.string().min(1).max(128),
  description: z.string().max(256).default(''),
  status: imageStatusSchema.default('1'),
  creationTime: creationTimeSchema.optional(),
  tags: z.array(tagSchema).max(20).default([]),
  resourceGroupId: z.string().default(''),
  instanceId: z.string().default(''),
  instanceName: z.string().default(''),
  systemSnapshotId: z.string().default(''),
  systemSnapshotName: z.string().default(''),
  dataSnapshotId: z.string().default(''),
  dataSnapshotName: z.string().default(''),
  inShare: z.boolean().default(false),
  osType: z.string().default('Linux'),
  requiredSystemDiskSize: z.number().int().nonnegative().default(20),
  requiredDataDiskSize: z.number().int().nonnegative().default(0),
  sourceImageName: z.string().default(''),
  sourceImageVersion: z.string().default(''),
  createInstances: z.array(z.string()).default([]),
  /** Account UIDs this image is shared with (cross-account share: InShareUser=true). */
  sharedWith: z.array(accountUidSchema).default([]),
});
export type ImageFieldsInput = z.input<typeof imageFieldsSchema>;

/** A partial update: any field but the id and the owner. */
export const imagePatchSchema = imageFieldsSchema
  .omit({ imageId: true, ownerUid: true })
  .partial()
  .extend({ creationTime: creationTimeSchema.optional() })
  .strict();
export type ImagePatch = z.output<typeof imagePatchSchema>;

export const seedDocumentSchema = z.object({
  accounts: z.array(accountSchema).min(1),
  images: z.array(imageFieldsSchema).default([]),
  /** Region catalogue for ListRegions; defaults to the 26 regions in the reference. */
  regions: z.array(z.object({ regionId: z.string().min(1), nameZh: z.string(), nameEn: z.string() })).optional(),
});
export type SeedDocument = z.input<typeof seedDocumentSchema>;
export type ParsedSeed = z.output<typeof seedDocumentSchema>;
export type AccountSeed = z.output<typeof accountSchema>;

export function parseSeed(input: unknown): ParsedSeed {
  const seed = seedDocumentSchema.parse(input);
  const uids = new Set<string>();
  const keyIds = new Set<string>();
  for (const account of seed.accounts) {
    if (uids.has(account.uid)) throw new Error(`seed: account ${account.uid} is declared twice`);
    uids.add(account.uid);
    for (const key of account.accessKeys) {
      if (keyIds.has(key.accessKeyId)) throw new Error(`seed: AccessKeyId ${key.accessKeyId} is declared twice`);
      keyIds.add(key.accessKeyId);
    }
  }
  for (const image of seed.images) {
    if (!uids.has(image.ownerUid)) throw new Error(`seed: image ${image.name} belongs to unknown account ${image.ownerUid}`);
  }
  return seed;
}
