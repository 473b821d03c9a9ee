import { ApiError } from './api-error.js';
import { createRandom, randomHex, type Random } from './prng.js';
import { DEFAULT_REGIONS, type RegionInfo } from './regions.js';
import {
  accountUidSchema, imageFieldsSchema, imagePatchSchema,
  type AccountSeed, type ImageFieldsInput, type ParsedSeed,
} from './seed-format.js';
import { keyPatchSchema, type KeyPermissions, type KeyStatus } from './permissions-format.js';
import { prettifyError, type z } from 'zod';

export type StoredImage = Omit<z.output<typeof imageFieldsSchema>, 'imageId' | 'creationTime'> & {
  imageId: string;
  creationTime: string;
};

export interface Credential {
  accountUid: string;
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  expiresAt?: string;
  status: KeyStatus;
  permissions?: KeyPermissions;
}

/** `yyyy-MM-ddTHH:mm:ssZ`, the only CreationTime shape the API returns. */
export function formatCreationTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

const notFound = (imageId: string): ApiError => new ApiError('ImageNotFound', 404, `No image ${imageId} in the emulator.`);

/**
 * The emulator's state: accounts, credentials and images. Images are indexed by (account, region)
 * (owned or shared with), so a listing reads only its own images however large the fleet; a
 * mutation drops the cached sorted listings of the (account, region) pairs the image touches.
 * `version` counts mutations (drift names its images after it).
 */
export class ImageStore {
  readonly accounts: AccountSeed[];
  readonly regions: readonly RegionInfo[];
  private readonly credentials = new Map<string, Credential>();
  private readonly images = new Map<string, StoredImage>();
  /** `uid|regionId` -> ids of the images owned by or shared with uid in that region. */
  private readonly visible = new Map<string, Set<string>>();
  /** `uid|regionId|own` or `|all` -> that listing, sorted; dropped when one of its images changes. */
  private readonly listings = new Map<string, StoredImage[]>();
  private readonly accountUids: ReadonlySet<string>;
  private readonly random: Random;
  version = 0;

  constructor(seed: ParsedSeed, private readonly now: () => Date, idSeed = 1) {
    this.random = createRandom(idSeed ^ 0x5eed);
    this.accounts = seed.accounts;
    this.accountUids = new Set(seed.accounts.map((a) => a.uid));
    this.regions = seed.regions ?? DEFAULT_REGIONS;
    for (const account of seed.accounts) {
      // A copy: run-time key changes must not leak into the seed that reset() goes back to.
      for (const key of account.accessKeys) this.credentials.set(key.accessKeyId, structuredClone({ accountUid: account.uid, ...key }));
    }
    for (const image of seed.images) this.insert(image);
  }

  credential(accessKeyId: string): Credential | undefined {
    return this.credentials.get(accessKeyId);
  }

  /**
   * Changes a key's status or permissions at run time (until the next reset). Returns the key's
   * public view: never the secret or the token.
   */
  updateKey(accessKeyId: string, patch: unknown): PublicKey {
    const credential = this.credentials.get(accessKeyId);
    if (!credential) throw new ApiError('AccessKeyNotFound', 404, `No AccessKey ${accessKeyId} in the emulator.`);
    const parsed = keyPatchSchema.safeParse(patch);
    if (!parsed.success) throw new ApiError('InvalidKeyPatch', 400, prettifyError(parsed.error));
    if (parsed.data.status !== undefined) credential.status = parsed.data.status;
    if (parsed.data.permissions === null) delete credential.permissions;
    else if (parsed.data.permissions !== undefined) credential.permissions = parsed.data.permissions;
    return publicKey(credential);
  }

  keys(): PublicKey[] {
    return [...this.credentials.values()].map(publicKey);
  }

  hasRegion(regionId: string): boolean {
    return this.regions.some((r) => r.regionId === regionId);
  }

  get(imageId: string): StoredImage | undefined {
    return this.images.get(imageId);
  }

  all(): StoredImage[] {
    return [...this.images.values()];
  }

  createImage(input: ImageFieldsInput | unknown): StoredImage {
    const parsed = imageFieldsSchema.safeParse(input);
    if (!parsed.success) throw new ApiError('InvalidImage', 400, prettifyError(parsed.error));
    if (!this.accountUids.has(parsed.data.ownerUid)) {
      throw new ApiError('AccountNotFound', 404, `No account ${parsed.data.ownerUid} in the emulator.`);
    }
    if (parsed.data.imageId !== undefined && this.images.has(parsed.data.imageId)) {
      throw new ApiError('ImageAlreadyExists', 409, `Image ${parsed.data.imageId} already exists.`);
    }
    return this.insert(parsed.data);
  }

  updateImage(imageId: string, patch: unknown): StoredImage {
    const image = this.images.get(imageId);
    if (!image) throw notFound(imageId);
    const parsed = imagePatchSchema.safeParse(patch);
    if (!parsed.success) throw new ApiError('InvalidImagePatch', 400, prettifyError(parsed.error));
    // Only the keys the caller sent: the schema's defaults must not reset untouched fields.
    const sent = new Set(Object.keys(patch as object));
    const defined = Object.fromEntries(Object.entries(parsed.data).filter(([k, v]) => sent.has(k) && v !== undefined));
    const updated: StoredImage = { ...image, ...defined };
    this.unindex(image);
    this.images.set(imageId, updated);
    this.index(updated);
    this.version += 1;
    return updated;
  }

  deleteImage(imageId: string): StoredImage {
    const image = this.images.get(imageId);
    if (!image) throw notFound(imageId);
    this.images.delete(imageId);
    this.unindex(image);
    this.version += 1;
    return image;
  }

  shareImage(imageId: string, accountUid: string): StoredImage {
    const uid = accountUidSchema.safeParse(accountUid);
    if (!uid.success) throw new ApiError('InvalidAccountUid', 400, prettifyError(uid.error));
    const image = this.images.get(imageId);
    if (!image) throw notFound(imageId);
    if (image.sharedWith.includes(uid.data) || uid.data === image.ownerUid) return image;
    return this.updateImage(imageId, { sharedWith: [...image.sharedWith, uid.data] });
  }

  unshareImage(imageId: string, accountUid: string): StoredImage {
    const image = this.images.get(imageId);
    if (!image) throw notFound(imageId);
    return this.updateImage(imageId, { sharedWith: image.sharedWith.filter((u) => u !== accountUid) });
  }

  /**
   * What one account can see in one region, in the emulator's stable order: newest CreationTime
   * first (a fresh image lands on page 1, which is what makes page drift real), then ImageId.
   * `share`: false = own only; true or undefined = own plus images shared with the account.
   */
  visibleImages(accountUid: string, regionId: string, share: boolean | undefined): StoredImage[] {
    const pair = `${accountUid}|${regionId}`;
    const key = `${pair}|${share === false ? 'own' : 'all'}`;
    const cached = this.listings.get(key);
    if (cached) return cached;
    const images: StoredImage[] = [];
    for (const id of this.visible.get(pair) ?? []) {
      const img = this.images.get(id) as StoredImage;
      if (share !== false || img.ownerUid === accountUid) images.push(img);
    }
    images.sort(compareListingOrder);
    this.listings.set(key, images);
    return images;
  }

  private index(image: StoredImage): void {
    for (const pair of pairsOf(image)) {
      let ids = this.visible.get(pair);
      if (ids === undefined) this.visible.set(pair, ids = new Set());
      ids.add(image.imageId);
      this.dropListings(pair);
    }
  }

  private unindex(image: StoredImage): void {
    for (const pair of pairsOf(image)) {
      const ids = this.visible.get(pair);
      ids?.delete(image.imageId);
      if (ids?.size === 0) this.visible.delete(pair);
      this.dropListings(pair);
    }
  }

  private dropListings(pair: string): void {
    this.listings.delete(`${pair}|own`);
    this.listings.delete(`${pair}|all`);
  }

  private insert(fields: z.output<typeof imageFieldsSchema>): StoredImage {
    const image: StoredImage = {
      ...fields,
      imageId: fields.imageId ?? this.newImageId(),
      creationTime: fields.creationTime ?? formatCreationTime(this.now()),
    };
    if (this.images.has(image.imageId)) throw new ApiError('ImageAlreadyExists', 409, `Image ${image.imageId} already exists.`);
    this.images.set(image.imageId, image);
    this.index(image);
    this.version += 1;
    return image;
  }

  private newImageId(): string {
    for (;;) {
      const id = `m-${randomHex(this.random, 20)}`;
      if (!this.images.has(id)) return id;
    }
  }
}

/** A key as the admin API shows it: no secret, no token. */
export interface PublicKey {
  accessKeyId: string;
  accountUid: string;
  sts: boolean;
  status: KeyStatus;
  permissions: KeyPermissions | null;
}

function publicKey(c: Credential): PublicKey {
  return { accessKeyId: c.accessKeyId, accountUid: c.accountUid, sts: c.securityToken !== undefined, status: c.status, permissions: c.permissions ?? null };
}

/** The (account, region) pairs whose listings show this image: its owner's and each account it is shared with. */
function pairsOf(image: StoredImage): string[] {
  return [image.ownerUid, ...image.sharedWith].map((uid) => `${uid}|${image.regionId}`);
}

export function compareListingOrder(a: StoredImage, b: StoredImage): number {
  if (a.creationTime !== b.creationTime) return a.creationTime > b.creationTime ? -1 : 1;
  return a.imageId < b.imageId ? -1 : a.imageId > b.imageId ? 1 : 0;
}
