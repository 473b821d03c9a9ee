// @long-running: a private pgbouncer, a worker process
/**
 * Behind Debian's PgBouncer (1.18, no prepared-statement support) in TRANSACTION mode, with the
 * documented client setting `?prepare=false` (docs/DEPLOYMENT.md): two `migrate` at once, the sync
 * (a re-sync still writes nothing), every report command, `history --follow`, `prune` and a worker
 * run. The built binary where processes are the point (two `migrate` at once, `--follow` ended by
 * a signal, the worker); the other commands in-process through the program's own `runCli`
 * (test/helpers/cli.ts), each opening its own connections as a process would. Transaction pooling hands each transaction to any server
 * connection, so anything that relied on session state (a session advisory lock, a named prepared
 * statement) breaks here first.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrationsFolder } from '../../src/db/package-root.js';
import { openDatabase } from '../../src/db/open-database.js';
import { pruneRuns } from '../../src/sync/prune-runs.js';
import { enqueueRun, waitForRun } from '../../src/worker/enqueue-run.js';
import { runCommand } from '../helpers/cli.js';
import { USER_ENV, launch, runProcess, type Launched } from '../helpers/processes.js';
import { createTestDatabaseUrl, requirePostgres } from '../helpers/databases.js';
import { withDatabase } from '../helpers/global-setup.js';
import { startPrivatePgBouncer, type PrivatePgBouncer } from '../helpers/private-services.js';
import { openTestQueues } from '../helpers/redis.js';
import { writeRunHistory } from '../helpers/run-history-fixture.js';
import { writeFingerprint } from '../helpers/write-probe.js';
import { accountsFile, startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';
import { startWorld, type World } from '../worker/worker-test-kit.js';

const REGIONS = ['cn-hangzhou', 'cn-shanghai'];
const migrationCount = () => readdirSync(migrationsFolder()).filter((f) => f.endsWith('.sql')).length;

/** The built program as a real process, as a user's shell starts it. */
const run = (args: string[], env: Record<string, string | undefined>) => runProcess(args, { ...USER_ENV, ...env });

describe('behind PgBouncer in transaction mode', () => {
  let pgb: PrivatePgBouncer;
  let admin: postgres.Sql;
  let world: World;
  const created: string[] = [];
  const live: Launched[] = [];
  const direct = (database: string) => withDatabase(inject('pgAdminUrl'), database);
  /** The URL through the pooler, with the documented setting. */
  const pooled = (database: string) => `${pgb.urlOf(database)}?prepare=false`;
  const cliEnv = (url: string) => ({
    ...world.env, DATABASE_URL: url, SWAS_ENDPOINT: world.emu.url, SWAS_REGIONS: REGIONS.join(','), SWAS_CONFIG: accountsFile(world),
  });
  const freshDatabase = async () => {
    const name = `swas_t_pgb_${randomBytes(5).toString('hex')}`;
    await admin.unsafe(`create database ${name}`);
    created.push(name);
    return name;
  };

  beforeAll(async () => {
    requirePostgres();
    const adminUrl = inject('pgAdminUrl');
    admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    pgb = await startPrivatePgBouncer(Number(new URL(adminUrl).port || 5432));
    world = await startWorld({ accounts: 2, regions: REGIONS, imagesPerRegion: 5 });
  }, 60_000);

  afterAll(async () => {
    for (const r of live) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await world?.emu.stop();
    await pgb?.stop();
    for (const name of created) await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin?.end();
  });

  it('two `migrate` at once on an empty database: both exit 0, every migration applied once, no lock left', async () => {
    const name = await freshDatabase();
    const env = { DATABASE_URL: pooled(name) };
    const [a, b] = await Promise.all([run(['migrate'], env), run(['migrate'], env)]);
    expect(a, `${a.stderr}\n${pgb.log()}`).toMatchObject({ code: 0 });
    expect(b, `${b.stderr}\n${pgb.log()}`).toMatchObject({ code: 0 });
    const db = postgres(direct(name), { max: 1, onnotice: () => {} });
    try {
      const [row] = await db<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
      expect(row?.n).toBe(migrationCount());
      // A session lock taken and released through the pooler can be left held on a server
      // connection the pooler keeps; a transaction-scoped one ends with its transaction.
      const [locks] = await admin<{ n: number }[]>`select count(*)::int as n from pg_locks l join pg_database d on d.oid = l.database where l.locktype = 'advisory' and d.datname = ${name}`;
      expect(locks?.n).toBe(0);
    } finally {
      await db.end();
    }
  }, 180_000);

  it('sync, a re-sync that writes nothing, every report command, history --follow', async () => {
    const name = await freshDatabase();
    const env = cliEnv(pooled(name));
    const first = await runCommand(['sync'], env);
    expect(first, first.stderr).toMatchObject({ code: 0 });
    const probe = await openDatabase({ databaseUrl: direct(name), maxConnections: 1 });
    try {
      const before = await writeFingerprint(probe.db);
      const again = await runCommand(['sync'], env);
      expect(again, again.stderr).toMatchObject({ code: 0 });
      expect(await writeFingerprint(probe.db)).toEqual(before);
    } finally {
      await probe.close();
    }

    for (const args of [['history'], ['images'], ['report'], ['runs'], ['status'], ['history', '--format', 'json'], ['images', '--format', 'csv']]) {
      const out = await runCommand(args, env);
      expect(out, `${args.join(' ')}: ${out.stderr}`).toMatchObject({ code: 0, stderr: '' });
      expect(out.stdout.length, args.join(' ')).toBeGreaterThan(0);
    }

    const follow = launch(['history', '--follow'], { ...USER_ENV, ...env, LOG_LEVEL: 'info' });
    live.push(follow);
    await follow.output('following changes as syncs commit them');
    const uid = world.uidOf.get('acct0') as string;
    const victim = world.emu.images({ accountUid: uid, regionId: 'cn-hangzhou' }).find((i) => i.ownerUid === uid);
    expect(victim).toBeDefined();
    world.emu.deleteImage(victim!.imageId);
    const third = await runCommand(['sync'], env);
    expect(third, third.stderr).toMatchObject({ code: 0 });
    await follow.output(victim!.imageId, 'stdout', 30_000);
    follow.child.kill('SIGINT');
    expect((await follow.exited).code).toBe(130);
    const lines = follow.stdout().split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ imageId: victim!.imageId, kind: 'deleted' });
  }, 300_000);

  it('prune removes what a direct connection says it would', async () => {
    const db = await createTestDatabaseUrl();
    try {
      const h = await openDatabase({ databaseUrl: db.url, maxConnections: 2 });
      let expected;
      try {
        await writeRunHistory(h.db);
        expected = await pruneRuns(h.db, { olderThanDays: 90, dryRun: true });
      } finally {
        await h.close();
      }
      expect(expected.syncRuns).toBeGreaterThan(0);
      const pruned = await runCommand(['prune', '--older-than', '90', '--batch-size', '5'], { DATABASE_URL: pooled(new URL(db.url).pathname.slice(1)) });
      expect(pruned, pruned.stderr).toMatchObject({ code: 0, stderr: '' });
      expect(pruned.stdout).toContain(`removed ${expected.syncRuns} sync_runs and ${expected.regionSyncs} region_syncs`);
    } finally {
      await db.drop();
    }
  }, 180_000);

  it('a worker process migrates and runs a sync to the end', async () => {
    const name = await freshDatabase();
    const queues = openTestQueues('pgb');
    const { prefix, runs } = queues;
    let proc: WorkerProcess | undefined;
    const reader = await openDatabase({ databaseUrl: pooled(name), maxConnections: 2 });
    try {
      proc = await startWorkerProcess(world, pooled(name), prefix, ['--no-schedule', '--concurrency', '4']);
      const run = await waitForRun(reader.db, (await enqueueRun(runs)).runId, { timeoutMs: 90_000, pollMs: 200 });
      expect(run, JSON.stringify(run.error)).toMatchObject({ status: 'succeeded', regionsTotal: 4, regionsSucceeded: 4 });
      expect(proc.logs()).not.toMatch(/prepared statement|uncaught|TypeError/i);
    } finally {
      proc?.child.kill('SIGTERM');
      await proc?.exited;
      await reader.close();
      await queues.close();
    }
  }, 180_000);
});
