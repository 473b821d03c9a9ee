/**
 * The metrics an operator alerts on, read from a running worker's /metrics (issue 23): a region
 * whose last complete listing ages past twice the schedule, a schedule that Redis lost, a partial
 * run counted by its regions' reasons, queue depth, and promtool's lint of the whole exposition.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.js';
import { queryRows } from '../../src/db/database.js';
import { SCHEDULER_ID } from '../../src/worker/queue-names.js';
import type { WorkerHandle } from '../../src/worker/start-worker.js';
import { createTestDatabase } from '../helpers/databases.js';
import { sample, scrapeMetrics } from '../helpers/metrics-text.js';
import { promtool, skipWithoutPromtool, withoutKnownPromClientLints } from '../helpers/promtool.js';
import { rulesVerdicts } from '../helpers/alert-rules.js';
import { uniquePrefix } from '../helpers/redis.js';
import { deletePrefix, startTestWorker, startWorld, waitFor, workerConfig, type World } from './worker-test-kit.js';

const REGIONS = ['cn-hangzhou', 'cn-beijing', 'cn-shanghai'];
const DENIED = 'cn-shanghai';
const EVERY_MS = 600_000;


describe('operator metrics of a running worker', () => {
  let world: World;
  let db: DatabaseHandle;
  let handle: WorkerHandle;
  let base: string;
  /** Scrapes taken while the region was stale and while the schedule was missing, for the rules below. */
  let staleScrape = '';
  let missingScrape = '';
  const prefix = uniquePrefix('opmetrics');
  const scrape = (): Promise<string> => scrapeMetrics(base);

  beforeAll(async () => {
    // One region's key lacks the RAM permission: the first run is partial, that region failed.
    world = await startWorld({ accounts: 1, regions: REGIONS, imagesPerRegion: 2,
      faults: [{ kind: 'error', code: 'Forbidden.RAM', status: 403, match: { region: DENIED } }] });
    db = await createTestDatabase('postgres');
    // An `every` schedule fires at once: that first scheduled run is the one observed.
    // The schedule keeper's periodic check is pushed out of the test's way, so a removed schedule
    // stays missing until /readyz asks the keeper (which then declares it again).
    handle = await startTestWorker(world, workerConfig(world, db.url!, prefix), {
      database: db, httpPort: 0, schedule: { every: EVERY_MS }, tuning: { scheduleCheckMs: 3_600_000 },
    });
    base = `http://127.0.0.1:${handle.http!.port}`;
    await waitFor('the first scheduled run to finish', async () => {
      const rows = await queryRows<{ status: string }>(db.db, sql`select status from swas.sync_runs where status <> 'running'`);
      return rows.length > 0;
    }, 60_000);
    // The run's metrics are counted by its finish job right after the row is final.
    await waitFor('the run to be counted', async () => sample(await scrape(), 'swas_sync_runs_total{status="partial"}') === 1);
  }, 120_000);
  afterAll(async () => {
    await handle?.close();
    await deletePrefix(prefix);
    await db?.close();
    await world?.emu.stop();
  });

  it.skipIf(skipWithoutPromtool())('passes `promtool check metrics` (only prom-client\'s known nodejs_active_*_total gauges filtered)', async () => {
    const text = await scrape();
    const raw = promtool(['check', 'metrics'], text);
    // The filter is needed, and removes exactly what promtool flags of prom-client's own (client_js#283).
    expect(raw.code).not.toBe(0);
    expect(raw.stdout + raw.stderr).toMatch(/swas_nodejs_active_handles_total non-counter metrics should not have "_total" suffix/);
    const filtered = promtool(['check', 'metrics'], withoutKnownPromClientLints(text));
    expect(filtered.stdout + filtered.stderr).toBe('');
    expect(filtered.code).toBe(0);
  });

  it('counts the partial run, and its region that did not sync by reason', async () => {
    const text = await scrape();
    expect(sample(text, 'swas_sync_runs_total{status="partial"}')).toBe(1);
    expect(sample(text, 'swas_regions_not_synced_total{status="failed",reason="Forbidden.RAM"}')).toBe(1);
    expect(text).toContain('# HELP swas_regions_not_synced_total ');
  });

  it('exports the schedule interval and each region\'s listing age; the two that synced are fresh, the denied one never complete', async () => {
    const text = await scrape();
    expect(sample(text, 'swas_schedule_interval_seconds{schedule="sync"}')).toBe(EVERY_MS / 1000);
    for (const region of REGIONS.filter((r) => r !== DENIED)) {
      const age = sample(text, `swas_region_listing_age_seconds{account="acct0",region="${region}"}`);
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(EVERY_MS / 1000);
    }
    expect(sample(text, `swas_region_listing_age_seconds{account="acct0",region="${DENIED}"}`)).toBeUndefined();
    expect(sample(text, 'swas_regions{freshness="fresh"}')).toBe(2);
    expect(sample(text, 'swas_regions{freshness="never_complete"}')).toBe(1);
    expect(sample(text, 'swas_regions{freshness="stale"}')).toBe(0);
    expect(sample(text, 'swas_last_successful_run_age_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('a region whose last complete listing is older than twice the schedule: its age and the stale count move', async () => {
    const series = 'swas_region_listing_age_seconds{account="acct0",region="cn-beijing"}';
    expect(sample(await scrape(), series)).toBeLessThan(2 * EVERY_MS / 1000);
    // The region's last complete listing, moved back as if three intervals of runs had missed it.
    await db.db.execute(sql`update swas.region_states set last_complete_listing_at = now() - interval '30 minutes'
      where account = 'acct0' and region_id = 'cn-beijing'`);
    const text = await waitFor('the stale region in a scrape', async () => {
      const t = await scrape();
      return sample(t, 'swas_regions{freshness="stale"}') === 1 ? t : null;
    });
    expect(sample(text, series)).toBeGreaterThan(2 * EVERY_MS / 1000);
    expect(sample(text, 'swas_regions{freshness="fresh"}')).toBe(1);
    staleScrape = text;
  });

  it('the sync schedule gone from Redis: swas_schedule_present{schedule="sync"} goes to 0, and back to 1 once the keeper declares it again', async () => {
    const before = await scrape();
    expect(sample(before, 'swas_schedule_present{schedule="sync"}')).toBe(1);
    expect(sample(before, 'swas_schedule_present{schedule="prune"}')).toBe(1);
    expect(before).not.toContain('swas_schedule_present{schedule="notifier"}'); // no subscriptions: not kept
    expect(await handle.runsQueue.removeJobScheduler(SCHEDULER_ID)).toBe(true);
    const after = await waitFor('the missing schedule in a scrape', async () => {
      const t = await scrape();
      return sample(t, 'swas_schedule_present{schedule="sync"}') === 0 ? t : null;
    });
    expect(sample(after, 'swas_schedule_present{schedule="prune"}')).toBe(1);
    missingScrape = after;
    // The gauge and /readyz read the same check: not ready, naming it; asking re-declares it.
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(JSON.stringify(await ready.json())).toContain(SCHEDULER_ID);
    await waitFor('the schedule declared again', async () => sample(await scrape(), 'swas_schedule_present{schedule="sync"}') === 1);
  });

  it('exports queue depth by state, the oldest waiting job, and the Redis eviction policy', async () => {
    // The schedule declared again just before may start a run whose account jobs wait a moment on
    // a loaded machine (a busy-loop run saw one): the figure to check is the drained queue's.
    const text = await waitFor('a scrape after the regions queue drained', async () => {
      const t = await scrape();
      return sample(t, 'swas_queue_jobs{queue="sync-regions",state="waiting"}') === 0 ? t : null;
    });
    expect(sample(text, 'swas_queue_jobs{queue="sync-runs",state="completed"}')).toBeGreaterThanOrEqual(2); // plan + finish
    expect(sample(text, 'swas_queue_oldest_waiting_seconds{queue="sync-regions"}')).toBe(0);
    expect(sample(text, 'swas_redis_eviction_policy_safe{policy="noeviction"}')).toBe(1);
  });

  it.skipIf(skipWithoutPromtool())('the alert rules fire on what the worker exported: SwasRegionStale for the stale region, SwasSyncScheduleMissing for the missing schedule', () => {
    expect(staleScrape).not.toBe('');
    expect(missingScrape).not.toBe('');
    // Each scrape held for 15 minutes, as Prometheus would have stored it (with its instance and job).
    const held = (text: string, names: string[]) => text.split('\n').flatMap((line) => {
      const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (m === null || !names.includes(m[1]!)) return [];
      const labels = [m[2], 'instance="w1:9090"', 'job="swas-inventory"'].filter(Boolean).join(',');
      return [{ series: `${m[1]}{${labels}}`, values: `${m[3]}x15` }];
    });
    const verdicts = rulesVerdicts([
      { series: held(staleScrape, ['swas_region_listing_age_seconds', 'swas_schedule_interval_seconds']), alert: 'SwasRegionStale',
        expect: [{ severity: 'warning', account: 'acct0', region: 'cn-beijing' }] },
      { series: held(missingScrape, ['swas_schedule_present']), alert: 'SwasSyncScheduleMissing', expect: [{ severity: 'critical', schedule: 'sync' }] },
      { series: held(missingScrape, ['swas_schedule_present']), alert: 'SwasScheduleMissing', expect: [] },
    ]);
    expect(verdicts.stdout + verdicts.stderr).toContain('SUCCESS');
    expect(verdicts.code).toBe(0);
  });
});
