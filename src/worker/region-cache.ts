/**
 * Regions per account change rarely (a new SWAS region a year), and ListRegions spends the
 * account's call budget, so a run reuses the last answer for a while. Cached in Redis so every
 * worker shares it; keyed by the filters too, so a changed allow/deny list takes effect at once.
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-connection.js';
import type { RegionTarget } from './job-data.js';
import { ownKey } from './queue-names.js';

export async function cachedRegions(
  redis: RedisClient,
  prefix: string,
  account: string,
  filters: unknown,
  ttlMs: number,
  load: () => Promise<RegionTarget[]>,
): Promise<RegionTarget[]> {
  const key = ownKey(prefix, 'regions', account, createHash('sha1').update(JSON.stringify(filters)).digest('hex').slice(0, 16));
  if (ttlMs > 0) {
    const hit = await redis.get(key);
    if (hit !== null) return JSON.parse(hit) as RegionTarget[];
  }
  // Only a successful answer is cached: a failure must be retried, never remembered as "no regions".
  const regions = await load();
  if (ttlMs > 0) await redis.set(key, JSON.stringify(regions), 'PX', ttlMs);
  return regions;
}
