/**
 * The one-shot `sync` as cron runs it (the program's own entry, the SDK against the emulator, Postgres;
 * a real process where a signal is the point):
 * unknown regions are a configuration error (exit 2) recorded on the run; a run syncing nothing is
 * never `succeeded`; throttles and a passing 500 are absorbed with the worker's retry policy;
 * failure reasons are complete and actionable; Ctrl-C closes the run as failed (interrupted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { DatabaseHandle } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/open-database.js';
import { regionSyncs, syncRuns } from '../../src/db/schema.js';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { createTestDatabaseUrl } from '../helpers/databases.js';
import { runCommand } from '../helpers/cli.js';
import { launch, USER_ENV } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

const REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'];
const LIST = 'ListCustomImages';

describe('sync (the one-shot command)', () => {
  let emu: EmulatorHandle;
  let database: { url: string; drop: () => Promise<void> };
  let h: DatabaseHandle;

  beforeAll(async () => {
    emu = await startEmulator({ seed: generateSeed({ accounts: 1, regions: REGIONS, imagesPerRegion: 4, seed: 11 }) });
    database = await createTestDatabaseUrl();
    h = await openDatabase({ databaseUrl: database.url, maxConnections: 2 });
  });
  afterAll(async () => {
    await h?.close();
    await database?.drop();
    await emu?.stop();
  });

  const key = () => emu.accounts[0]!;
  const env = (extra: Record<string, string | undefined> = {}) => ({
    DATABASE_URL: database.url,
    SWAS_ENDPOINT: emu.url,
    SWAS_REGIONS: REGIONS.join(','),
    ALIBABA_CLOUD_ACCESS_KEY_ID: key().accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: key().accessKeySecret,
    ...extra,
  });
  const run = async (runId: string) => (await h.db.select().from(syncRuns).where(eq(syncRuns.id, runId)))[0];
  const rows = (runId: string) => h.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, runId));

  it('a region name ListRegions does not know (--region typo) exits 2 naming it, and the run is failed', async () => {
    const res = await runCommand(['sync', '--region', 'cn-hangzho', '--json'], env());
    expect(res.code, res.stderr).toBe(2);
    const report = JSON.parse(res.stdout) as { runId: string; status: string; error: string; unknownRegions: string[] };
    expect(report.status).toBe('failed');
    expect(report.unknownRegions).toEqual(['cn-hangzho']);
    expect(report.error).toContain('cn-hangzho asked for by --region');
    expect(await run(report.runId)).toMatchObject({ status: 'failed' });
    expect((await run(report.runId))?.error).toContain('cn-hangzho');
    expect((await rows(report.runId)).map((r) => [r.regionId, r.status, r.errorCode])).toEqual([['cn-hangzho', 'failed', 'UnknownRegion']]);
  });

  it('SWAS_REGIONS naming no existing region exits 2 too; the known ones are still synced', async () => {
    const res = await runCommand(['sync', '--json'], env({ SWAS_REGIONS: 'xx-none-1,cn-beijing' }));
    expect(res.code, res.stderr).toBe(2);
    const report = JSON.parse(res.stdout) as { runId: string; status: string; error: string };
    expect(report.status).toBe('failed');
    expect(report.error).toContain('xx-none-1 asked for by SWAS_REGIONS');
    const byRegion = Object.fromEntries((await rows(report.runId)).map((r) => [r.regionId, r.status]));
    expect(byRegion).toEqual({ 'cn-beijing': 'succeeded', 'xx-none-1': 'failed' });
  });

  it('three throttles (x-acs-retry-after 1.5 s) and a passing 500 are absorbed: succeeded, with every image', async () => {
    emu.setFaults([
      { kind: 'throttle', code: 'Throttling.User', retryAfterMs: 1_500, count: 3, match: { action: LIST } },
      { kind: 'error', code: 'InternalError', status: 500, nth: 5, count: 1, match: { action: LIST } },
    ]);
    const before = emu.callLog().length;
    try {
      const res = await runCommand(['sync', '--json'], env());
      expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(0);
      const report = JSON.parse(res.stdout) as { runId: string; status: string; regions: Array<{ status: string; images: number }> };
      expect(report.status).toBe('succeeded');
      expect(report.regions.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      const calls = emu.callLog().slice(before).filter((c) => c.action === LIST);
      expect(calls.filter((c) => c.code.startsWith('Throttling'))).toHaveLength(3);
      expect(calls.filter((c) => c.status === 500)).toHaveLength(1);
      const truth = emu.images().filter((i) => REGIONS.includes(i.regionId)).length;
      expect(report.regions.reduce((n, r) => n + r.images, 0)).toBe(truth);
      expect(await run(report.runId)).toMatchObject({ status: 'succeeded', imagesSeen: truth, error: null });
    } finally {
      emu.clearFaults();
    }
  }, 90_000);

  it('no credentials: the reason says what to set, classified, and nothing is glued or mangled', async () => {
    const res = await runCommand(['sync', '--format', 'table'], env({ ALIBABA_CLOUD_ACCESS_KEY_ID: undefined, ALIBABA_CLOUD_ACCESS_KEY_SECRET: undefined }));
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('NoCredentials');
    expect(res.stdout).toContain('set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET');
    expect(res.stdout).toContain('SWAS_CONFIG');
    expect(res.stdout).not.toMatch(/undefinedGET|https:\/\/undefined/);
    const runId = /run ([0-9a-f-]{36}): failed/.exec(res.stdout)?.[1];
    const [row] = await rows(runId!);
    expect(row).toMatchObject({ account: 'default', regionId: '*', status: 'failed', errorCode: 'NoCredentials' });
    expect(row?.errorMessage).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
  });

  it('a wrong secret: IncompleteSignature with the API\'s own message and what to check, not "IncompleteSignature=[redacted]"', async () => {
    const res = await runCommand(['sync', '--json'], env({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-the-secret' }));
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout) as { regions: Array<{ regionId: string; error: string }> };
    const error = report.regions[0]?.error ?? '';
    // The emulator answers a wrong secret as the gateway does (SignatureDoesNotMatch; IncompleteSignature for a malformed one).
    expect(error).toMatch(/^(IncompleteSignature|SignatureDoesNotMatch): .*HTTP 400: /);
    // The code once (issue 22 #12: `Forbidden.RAM: Forbidden.RAM: code: 403`).
    expect(error.match(/IncompleteSignature|SignatureDoesNotMatch/g)).toHaveLength(1);
    expect(error).not.toContain('[redacted]');
    expect(error).toContain('ALIBABA_CLOUD_ACCESS_KEY_SECRET');
    expect(res.stdout).not.toContain('not-the-secret');
  });

  it('SIGINT mid-run: the run is closed as failed (interrupted) before the process exits, nothing half-written', async () => {
    emu.setFaults([{ kind: 'latency', ms: 1_500, match: { action: LIST } }]);
    try {
      // A real process: the signal is the point.
      // One image a page: every region has a next call to stop at (a region whose only call is in
      // flight commits, and a run all of whose regions committed is not interrupted).
      const proc = launch(['sync', '--json'], { ...USER_ENV, ...env({ SWAS_PAGE_SIZE: '1' }) });
      // A listing held by the latency: the run is mid-flight, its handler installed. (The call log
      // records a call when it is answered; waiting for that raced the run's own end, and a SIGINT
      // after the handler is removed kills the process with no exit code.)
      await waitFor('a listing in flight', () => emu.inFlight() > 0, { until: proc });
      expect(emu.inFlight(), 'a listing in flight').toBeGreaterThan(0);
      proc.child.kill('SIGINT');
      const exit = await proc.exited;
      expect(exit.code, proc.stderr()).toBe(130);
      const report = JSON.parse(proc.stdout()) as { runId: string; status: string; error: string };
      expect(report.status).toBe('failed');
      expect(report.error).toMatch(/^interrupted \(SIGINT\)/);
      expect(await run(report.runId)).toMatchObject({ status: 'failed' });
      expect(await h.db.select().from(syncRuns).where(eq(syncRuns.status, 'running'))).toEqual([]);
      for (const r of await rows(report.runId)) expect(['succeeded', 'skipped']).toContain(r.status);
      expect((await rows(report.runId)).filter((r) => r.status === 'skipped').every((r) => r.errorCode === 'Interrupted')).toBe(true);
    } finally {
      emu.clearFaults();
    }
  }, 90_000);

  it('a run that syncs no region at all is never succeeded (an account allowed none)', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'h-acct-')), 'accounts.json');
    writeFileSync(file, JSON.stringify({ accounts: [{ name: 'only-denied', credentials: { type: 'env' }, regions: { deny: REGIONS } }] }));
    const res = await runCommand(['sync', '--json'], env({ SWAS_CONFIG: file }));
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout) as { runId: string; status: string; error: string };
    expect(report).toMatchObject({ status: 'failed', error: 'no region was synced' });
    expect((await run(report.runId))?.status).toBe('failed');
  });
});
