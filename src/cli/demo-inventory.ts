/**
 * The demo's scripted world: an emulator inventory (several regions, one over a page) and rounds
 * of changes. Rounds are replayed from the same seed on every run, so run N sees the world after
 * round N-1 and the database records exactly one round of change per run.
 */
import { generateSeed, startEmulator, type EmulatorHandle, type RateLimitSettings } from '../emulator/index.js';

export const DEMO_REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'ap-southeast-1'];
const BIG_REGION = 'cn-hangzhou';
const BIG_REGION_EXTRA = 108; // + 12 generated = 120 images: two pages at PageSize 100

/**
 * The demo meets the gateway's flow control as a real account does, and shows it absorbed: its
 * gateway allows 3 calls per second per AccessKey, under the sync's default budget of 5, so the
 * run's 6 calls (ListRegions + 5 pages, 4 regions at once) draw `Throttling.User` answers that the
 * sync waits out (`x-acs-retry-after`) without failing; the summary counts them.
 */
export const DEMO_RATE_LIMIT: RateLimitSettings = { limit: 3, windowMs: 1000 };

export async function startDemoEmulator(round: number): Promise<EmulatorHandle> {
  const seed = generateSeed({ accounts: 1, regions: DEMO_REGIONS, imagesPerRegion: 12, seed: 2026 });
  const emu = await startEmulator({ seed, rateLimit: DEMO_RATE_LIMIT });
  const owner = emu.accounts[0]?.uid;
  if (!owner) throw new Error('demo seed has no account');
  for (let i = 0; i < BIG_REGION_EXTRA; i++) {
    emu.createImage({
      ownerUid: owner,
      regionId: BIG_REGION,
      imageId: `m-demo${i.toString(16).padStart(4, '0')}`,
      name: i % 2 === 0 ? `批量镜像-${i}` : `batch-image-${i}`,
      status: '1',
      creationTime: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString().replace('.000Z', 'Z'),
      tags: [{ key: 'batch', value: String(i % 5) }],
    });
  }
  let lastDeleted: ReturnType<EmulatorHandle['deleteImage']> | null = null;
  for (let r = 1; r < round; r++) lastDeleted = applyRound(emu, r, lastDeleted);
  return emu;
}

/** What changes in round r (r >= 1): transitions, an edit, a tag change, a deletion, a restore. */
function applyRound(
  emu: EmulatorHandle,
  r: number,
  lastDeleted: ReturnType<EmulatorHandle['deleteImage']> | null,
): ReturnType<EmulatorHandle['deleteImage']> | null {
  const images = emu.images().sort((a, b) => (a.imageId < b.imageId ? -1 : 1));
  const pick = (offset: number) => images[(r * 7 + offset) % images.length];
  const creating = images.find((i) => i.status === '4');
  if (creating) emu.updateImage(creating.imageId, { status: '1' });
  const available = images.find((i) => i.status === '1' && i.imageId !== creating?.imageId);
  if (available) emu.updateImage(available.imageId, { status: '2' });
  const renamed = pick(1);
  if (renamed) emu.updateImage(renamed.imageId, { name: `${renamed.name.replace(/ \(rev \d+\)$/, '')} (rev ${r})`, description: `第 ${r} 轮修改 / edited in round ${r}` });
  const retagged = pick(2);
  if (retagged) emu.updateImage(retagged.imageId, { tags: [...retagged.tags.filter((t) => t.key !== 'round'), { key: 'round', value: String(r) }] });
  if (lastDeleted) {
    const { imageId, ...rest } = lastDeleted;
    emu.createImage({ ...rest, imageId });
  }
  const doomed = pick(3);
  return doomed && doomed.imageId !== renamed?.imageId && doomed.imageId !== retagged?.imageId ? emu.deleteImage(doomed.imageId) : null;
}
