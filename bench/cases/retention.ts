/**
 * Run bookkeeping growth and retention (issue 14): an unchanged run writes no inventory row, but
 * one sync_runs row and one region_syncs row per region. Measured, not estimated: the
 * pg_total_relation_size (heap + indexes + TOAST) of both tables before and after N unchanged runs
 * of a fleet from the emulator, divided per run and per region row, then extrapolated to a year
 * at the default SYNC_CRON for 1, 10 and 50 accounts of 26 regions, without retention and with the
 * default 90 days. Then half of the runs are aged past the retention, pruned, the tables VACUUMed,
 * and as many runs again are synced: their rows must fit in the space the prune freed.
 */
import postgres from 'postgres';
import { CronExpressionParser } from 'cron-parser';
import { loadConfig } from '../../src/config/env.js';
import { DEFAULT_REGIONS } from '../../src/emulator/index.js';
import { pruneRuns } from '../../src/sync/prune-runs.js';
import { createBenchDatabase } from '../lib/bench-database.js';
import { judge, round, type CaseResult } from '../lib/case-result.js';
import { startEmulatorProcess } from '../lib/emulator-process.js';
import { runSyncChild } from '../lib/sync-child.js';
import { timed } from '../lib/timing.js';

export interface RetentionOptions {
  accounts: number;
  /** Unchanged runs measured (after one seeding run). */
  runs: number;
  imagesPerRegion: number;
}

const TABLES = ['sync_runs', 'region_syncs'] as const;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Runs a year at a cron pattern: its fires in 2025 (UTC), counted one by one. */
export function runsPerYear(pattern: string, tz = 'UTC'): number {
  const start = new Date('2025-01-01T00:00:00Z');
  const end = new Date('2026-01-01T00:00:00Z');
  const it = CronExpressionParser.parse(pattern, { currentDate: new Date(start.getTime() - 1), endDate: end, tz });
  let n = 0;
  while (it.hasNext()) {
    if (it.next().getTime() >= end.getTime()) break;
    n++;
  }
  return n;
}

async function sizes(sql: postgres.Sql): Promise<Record<string, { bytes: number; rows: number }>> {
  const out: Record<string, { bytes: number; rows: number }> = {};
  for (const t of TABLES) {
    const [row] = await sql.unsafe<Array<{ bytes: string; rows: string }>>(
      `select pg_total_relation_size('swas.${t}')::text as bytes, (select count(*) from swas.${t})::text as rows`);
    out[t] = { bytes: Number(row?.bytes), rows: Number(row?.rows) };
  }
  return out;
}

export async function retentionCase(opts: RetentionOptions): Promise<CaseResult> {
  const regions = DEFAULT_REGIONS.map((r) => r.regionId);
  const emu = await startEmulatorProcess({ accounts: opts.accounts, regions, imagesPerRegion: opts.imagesPerRegion, latencyMs: 0 });
  const db = await createBenchDatabase();
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    const input = { databaseUrl: db.url, emulatorUrl: emu.url, keys: emu.accounts, regions, concurrency: 8 };
    await runSyncChild(input);
    // Autovacuum must not free space in the middle of the measurement.
    await sql.unsafe('alter table swas.region_syncs set (autovacuum_enabled = false); alter table swas.sync_runs set (autovacuum_enabled = false)');
    const before = await sizes(sql);
    const measured = await runSyncChild({ ...input, runs: opts.runs });
    const bad = measured.runs.filter((r) => r.status !== 'succeeded');
    if (bad.length > 0) throw new Error(`unchanged runs did not succeed: ${JSON.stringify(bad[0])}`);
    const after = await sizes(sql);
    const regionRows = after.region_syncs!.rows - before.region_syncs!.rows;
    const runRows = after.sync_runs!.rows - before.sync_runs!.rows;
    if (runRows !== opts.runs || regionRows !== opts.runs * opts.accounts * regions.length) {
      throw new Error(`expected ${opts.runs} runs and ${opts.runs * opts.accounts * regions.length} region rows, got ${runRows} and ${regionRows}`);
    }
    const bytesPerRun = (after.sync_runs!.bytes - before.sync_runs!.bytes) / runRows;
    const bytesPerRegionRow = (after.region_syncs!.bytes - before.region_syncs!.bytes) / regionRows;

    const cron = loadConfig({}).syncCron;
    const perYear = runsPerYear(cron);
    const retentionDays = loadConfig({}).retentionDays;
    const fleets = [1, 10, 50].map((accounts) => {
      const rowsPerRun = 1 + accounts * regions.length;
      const bytesPerYear = perYear * (bytesPerRun + accounts * regions.length * bytesPerRegionRow);
      return {
        accounts, rowsPerYear: perYear * rowsPerRun, bytesPerYear,
        // Steady state with retention: the last retentionDays of runs (the newest row per region
        // and the runs that recorded changes are kept too: a few rows, and the history's own growth).
        bytesRetained: bytesPerYear * (retentionDays / 365),
        rowsRetained: Math.round(perYear * rowsPerRun * (retentionDays / 365)),
      };
    });

    // Prune half the runs (aged past the retention), VACUUM, and sync as many again: the new rows
    // must land in the freed space, so the files stop growing.
    const half = Math.floor(opts.runs / 2);
    await sql.unsafe(`update swas.sync_runs set started_at = started_at - interval '${retentionDays + 10} days'
      where id in (select id from swas.sync_runs order by started_at limit ${half + 1})`);
    const pruned = await timed(() => pruneRuns(db.handle.db, { olderThanDays: retentionDays }));
    await sql.unsafe('vacuum swas.region_syncs');
    await sql.unsafe('vacuum swas.sync_runs');
    const afterPrune = await sizes(sql);
    if (pruned.value.syncRuns === 0) throw new Error('the prune removed no run');
    const refill = await runSyncChild({ ...input, runs: pruned.value.syncRuns });
    if (refill.runs.some((r) => r.status !== 'succeeded')) throw new Error('refill runs did not succeed');
    const afterRefill = await sizes(sql);
    const totalBytes = (s: Record<string, { bytes: number }>) => s.sync_runs!.bytes + s.region_syncs!.bytes;
    const growth = (totalBytes(afterRefill) - totalBytes(afterPrune)) / Math.max(1, totalBytes(after) - totalBytes(before));

    const fleet50 = fleets[2]!;
    return {
      id: 'retention',
      title: `Run bookkeeping: ${opts.runs} unchanged runs of ${opts.accounts} account(s) x ${regions.length} regions, extrapolated to a year of '${cron}' (${perYear.toLocaleString('en-US')} runs)`,
      figures: [
        { metric: 'bytes per unchanged run: sync_runs row (heap + indexes)', value: round(bytesPerRun, 0), unit: 'B' },
        { metric: 'bytes per region of an unchanged run: region_syncs row (heap + indexes)', value: round(bytesPerRegionRow, 0), unit: 'B' },
        ...fleets.map((f) => ({
          metric: `${f.accounts} account(s): a year without retention vs ${retentionDays}-day retention`,
          value: round(f.bytesRetained / MiB, 1), unit: 'MiB',
          baseline: { label: 'no retention, one year', value: round(f.bytesPerYear / MiB, 1), unit: 'MiB' },
          ratio: round(f.bytesRetained / f.bytesPerYear, 3),
        })),
        judge({
          metric: 'growth of both tables when as many runs as were pruned are synced again (after VACUUM), vs the first runs\' growth',
          value: round(growth, 3), unit: 'x', ratio: round(growth, 3), goal: { op: '<=', target: 0.25 },
        }),
      ],
      details: {
        accounts: opts.accounts, regions: regions.length, runs: opts.runs, imagesPerRegion: opts.imagesPerRegion,
        before, after, afterPrune, afterRefill, runsPerYear: perYear, cron, retentionDays,
        bytesPerRun: round(bytesPerRun, 1), bytesPerRegionRow: round(bytesPerRegionRow, 1),
        fleets: fleets.map((f) => ({ ...f, GiBPerYear: round(f.bytesPerYear / GiB, 3), GiBRetained: round(f.bytesRetained / GiB, 3) })),
        prune: { ...pruned.value, cutoff: pruned.value.cutoff.toISOString(), ms: round(pruned.ms, 1) },
      },
      notes: [
        `Sizes are pg_total_relation_size deltas (heap, indexes, TOAST) with autovacuum off for the two tables; a 50-account fleet writes ${(fleet50.rowsPerYear / 1e6).toFixed(1)} M rows (${round(fleet50.bytesPerYear / GiB, 2)} GiB) a year without retention.`,
        'Retained = the last SWAS_RETENTION_DAYS of runs; the newest row per region and the runs that recorded changes stay too (a handful of rows, and the history\'s own growth).',
        'Postgres does not give freed pages back to the OS: after a prune the space is reused (plain VACUUM, or autovacuum), which the refill figure checks.',
      ],
    };
  } finally {
    await sql.end({ timeout: 5 });
    await db.drop();
    await emu.stop();
  }
}
