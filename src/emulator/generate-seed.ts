import { createRandom, pick, randomHex, randomInt, type Random } from './prng.js';
import type { KeyPermissionsInput } from './permissions-format.js';
import { DEFAULT_REGIONS } from './regions.js';
import type { SeedDocument, ImageFieldsInput } from './seed-format.js';

export interface GenerateSeedOptions {
  /** Number of accounts (default 1). */
  accounts?: number;
  /** Regions that get images (default cn-hangzhou, cn-shanghai, cn-beijing, ap-southeast-1). */
  regions?: readonly string[];
  /** Images per account per region (default 12; the real quota is 15, the generator does not cap it). */
  imagesPerRegion?: number;
  /** PRNG seed: the same seed gives the same document (default 1). */
  seed?: number;
  /** Also give every account an STS credential (AccessKeyId `STS.…` + security token). Default false. */
  sts?: boolean;
  /**
   * Make one account's keys RAM identities whose policy lacks these regions: ListCustomImages is
   * allowed in every other region of the catalogue and implicitly denied (403 Forbidden.RAM) in
   * these. `account` is the index of the account (default 0). Default: every key is a root key.
   */
  keyLacksRegions?: { account?: number; regions: readonly string[]; deniedCode?: 'Forbidden.RAM' | 'NoPermission' };
}

/** A RAM policy allowing ListCustomImages everywhere in the catalogue but in `lacking`. */
export function policyLackingRegions(lacking: readonly string[], deniedCode: 'Forbidden.RAM' | 'NoPermission' = 'Forbidden.RAM'): KeyPermissionsInput {
  return {
    deniedCode,
    statements: [{
      effect: 'Allow',
      actions: ['swas-open:ListCustomImages'],
      regions: DEFAULT_REGIONS.map((r) => r.regionId).filter((id) => !lacking.includes(id)),
    }],
  };
}

export const DEFAULT_SAMPLE_REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'ap-southeast-1'] as const;

// Real consoles hold both: Chinese names and descriptions are common, so encoding bugs show up early.
const NAME_STEMS = ['web-server', 'wordpress 建站', '数据库备份', 'api_gateway', '生产环境镜像', 'test image (copy)', 'Docker基础环境', 'gitlab-runner', '官网-前端', 'LAMP stack'];
const DESCRIPTIONS = ['', '自定义镜像-1', 'nightly backup', '从生产实例创建', 'golden image, do not delete', '测试用 / for testing'];
const TAG_POOL: ReadonlyArray<readonly [string, string]> = [
  ['env', 'prod'], ['env', 'test'], ['env', 'dev'], ['team', 'platform'], ['team', 'web'], ['项目', '官网'], ['owner', 'ops@example.com'], ['cost-center', '42'],
];
const SOURCES: ReadonlyArray<readonly [string, string, string]> = [
  ['Linux', 'CentOS', '7.9'], ['Linux', 'Ubuntu', '22.04'], ['Linux', 'Alibaba Cloud Linux', '3.2104'], ['Linux', 'Debian', '12'], ['Windows', 'Windows Server', '2022'],
];
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// Strings are built as arrays and joined (flat), never grown by `+=` a character at a time: that
// makes a chain of cons-string nodes (about 32 bytes per character) that every stored field keeps,
// and a 5,000-account seed no longer fitted in V8's 4 GB heap (prng.ts, randomHex).
function alnum(random: Random, length: number): string {
  const chars = new Array<string>(length);
  // Indexing the string draws exactly as pick() over its characters did (same documents).
  for (let i = 0; i < length; i += 1) chars[i] = ALNUM[Math.floor(random() * ALNUM.length)] as string;
  return chars.join('');
}

function accountUid(random: Random): string {
  // 16 digits starting with 1: always below 2^53, like the ids in the API examples.
  const digits = ['1'];
  for (let i = 0; i < 15; i += 1) digits.push(String(randomInt(random, 0, 9)));
  return digits.join('');
}

function creationTime(random: Random): string {
  const from = Date.UTC(2023, 0, 1);
  const to = Date.UTC(2026, 10, 1);
  return `${new Date(from + Math.floor(random() * (to - from))).toISOString().slice(0, 19)}Z`;
}

function image(random: Random, ownerUid: string, regionId: string, index: number, statusOffset: number): ImageFieldsInput {
  const [osType, sourceImageName, sourceImageVersion] = pick(random, SOURCES);
  const tagCount = randomInt(random, 0, 3);
  const tags = new Map<string, string>();
  for (let i = 0; i < tagCount; i += 1) {
    const [key, value] = pick(random, TAG_POOL);
    tags.set(key, value);
  }
  const instanceId = randomHex(random, 32);
  const hasData = random() < 0.4;
  return {
    imageId: `m-${randomHex(random, 20)}`,
    ownerUid,
    regionId,
    name: `${pick(random, NAME_STEMS)}-${String(index + 1).padStart(2, '0')}`,
    description: pick(random, DESCRIPTIONS),
    // Round-robin from a random offset: every region with >= 5 images shows every status.
    status: String((index + statusOffset) % 5) as '0' | '1' | '2' | '3' | '4',
    creationTime: creationTime(random),
    tags: [...tags].map(([key, value]) => ({ key, value })),
    resourceGroupId: random() < 0.5 ? `rg-acfm${alnum(random, 11).toLowerCase()}` : '',
    instanceId,
    instanceName: `swas-${alnum(random, 6).toLowerCase()}`,
    systemSnapshotId: `s-${alnum(random, 17).toLowerCase()}`,
    systemSnapshotName: random() < 0.5 ? '系统盘快照' : `system-snapshot-${index}`,
    dataSnapshotId: hasData ? `s-${alnum(random, 17).toLowerCase()}` : '',
    dataSnapshotName: hasData ? '数据盘快照' : '',
    inShare: random() < 0.1,
    osType,
    requiredSystemDiskSize: pick(random, [20, 40, 50, 80]),
    requiredDataDiskSize: hasData ? pick(random, [20, 40, 100]) : 0,
    sourceImageName,
    sourceImageVersion,
    createInstances: Array.from({ length: randomInt(random, 0, 3) }, () => randomHex(random, 32)),
    sharedWith: [],
  };
}

/** A deterministic seed document: N accounts x R regions x M images, shares between neighbours. */
export function generateSeed(options: GenerateSeedOptions = {}): SeedDocument {
  const random = createRandom(options.seed ?? 1);
  const accountCount = options.accounts ?? 1;
  const regions = options.regions ?? DEFAULT_SAMPLE_REGIONS;
  const perRegion = options.imagesPerRegion ?? 12;
  const uids = new Set<string>();
  while (uids.size < accountCount) uids.add(accountUid(random));
  const lacking = options.keyLacksRegions;
  const accounts = [...uids].map((uid, index) => {
    const permissions = lacking !== undefined && (lacking.account ?? 0) === index
      ? { permissions: policyLackingRegions(lacking.regions, lacking.deniedCode) }
      : {};
    return {
      uid,
      accessKeys: [
        { accessKeyId: `LTAI5t${alnum(random, 18)}`, accessKeySecret: alnum(random, 30), ...permissions },
        ...(options.sts
          ? [{ accessKeyId: `STS.${alnum(random, 24)}`, accessKeySecret: alnum(random, 40), securityToken: `CAIS${alnum(random, 120)}`, ...permissions }]
          : []),
      ],
    };
  });
  const images: ImageFieldsInput[] = [];
  accounts.forEach((account, a) => {
    for (const regionId of regions) {
      const statusOffset = randomInt(random, 0, 4);
      for (let i = 0; i < perRegion; i += 1) {
        const img = image(random, account.uid, regionId, i, statusOffset);
        // Every fourth image is shared with the next account, so shared listings are never empty.
        const neighbour = accounts[(a + 1) % accounts.length];
        if (accounts.length > 1 && neighbour && i % 4 === 3) img.sharedWith = [neighbour.uid];
        images.push(img);
      }
    }
  });
  return { accounts, images };
}
