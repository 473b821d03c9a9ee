/**
 * Database failures keep their cause: the classification looks under drizzle's `Failed query`
 * wrapper (and AggregateError) to the driver's SQLSTATE, the recorded message is the server's
 * one line (never the SQL or its parameters), and the kind follows the SQLSTATE. Every error
 * here is a real one from a real server; the lock timeout happens inside a real region write.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import type { Account } from '../../src/config/accounts.js';
import { loadConfig, type Config } from '../../src/config/env.js';
import { SwasClients } from '../../src/cloud/swas-client.js';
import { classifyError } from '../../src/sync/classify-error.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/open-database.js';
import { regionSyncs } from '../../src/db/schema.js';
import { silentLogger } from '../../src/ops/logger.js';
import { SINGLE_ATTEMPT_POLICY } from '../../src/sync/retry-policy.js';
import { runSync } from '../../src/sync/run-sync.js';
import { createTestDatabaseUrl } from '../helpers/databases.js';

const REGION = 'cn-hangzhou';

describe('database errors keep their cause (Postgres)', () => {
  let url: string;
  let drop: () => Promise<void>;
  let h: DatabaseHandle;
  let other: postgres.Sql;
  let emu: EmulatorHandle;
  let config: Config;
  let clients: SwasClients;
  let account: Account;

  /** What a statement through drizzle throws, caught. */
  const thrown = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (err: unknown) => err);

  beforeAll(async () => {
    ({ url, drop } = await createTestDatabaseUrl());
    other = postgres(url, { max: 2, onnotice: () => {} });
    // Every connection of the handle gives up on a lock after 300 ms (set before it connects).
    const dbName = new URL(url).pathname.slice(1);
    await other.unsafe(`alter database ${dbName} set lock_timeout = '300ms'`);
    h = await openDatabase({ databaseUrl: url, maxConnections: 3 });
    emu = await startEmulator({ seed: generateSeed({ accounts: 1, regions: [REGION], imagesPerRegion: 3, seed: 3 }) });
    config = loadConfig({ SWAS_ENDPOINT: emu.url, SWAS_REGIONS: REGION });
    const key = emu.accounts[0]!;
    clients = new SwasClients({ config, env: { T_AK: key.accessKeyId, T_SK: key.accessKeySecret } });
    account = { name: 'default', credentials: { type: 'access_key', accessKeyIdEnv: 'T_AK', accessKeySecretEnv: 'T_SK' }, regions: { allow: null, deny: [] }, callsPerSecond: 100 };
  });
  afterAll(async () => {
    await emu?.stop();
    await h?.close();
    await other?.end();
    await drop?.();
  });

  it('a lock timeout inside a region write is recorded as 55P03 with the server\'s message, no SQL, and is transient', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => { locked = r; });
    // Another session holds the images table for the whole sync.
    const holder = other.begin(async (tx) => {
      await tx`lock table swas.custom_images in access exclusive mode`;
      locked();
      await held;
    });
    await isLocked;
    try {
      // One attempt: the default policy would retry the transient 55P03 with backoff, which is the
      // worker's and sync's business, not what this test judges.
      const report = await runSync({ db: h.db, clients, config, accounts: [account], log: silentLogger() }, { retry: SINGLE_ATTEMPT_POLICY });
      expect(report.regions).toHaveLength(1);
      expect(report.regions[0]).toMatchObject({ status: 'failed', error: { code: '55P03' } });
      const [row] = await h.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, report.runId));
      expect(row).toMatchObject({ status: 'failed', errorCode: '55P03' });
      expect(row!.errorMessage).toBe('database error 55P03 (lock_not_available): canceling statement due to lock timeout');
    } finally {
      release();
      await holder;
    }
  });

  it.each([
    ['42501 permission denied (permanent)', `set local role swas_reader; select * from swas.custom_images`, '42501', 'permanent', /permission denied for table custom_images/],
    ['42P01 undefined table (permanent)', `select * from swas.no_such_table`, '42P01', 'permanent', /relation "swas.no_such_table" does not exist/],
    ['42703 undefined column (permanent)', `select no_such_column from swas.custom_images`, '42703', 'permanent', /column "no_such_column" does not exist/],
    ['22P02 bad input, its value omitted (permanent)', `select 'not-a-number-SECRETVALUE'::int`, '22P02', 'permanent', /invalid input syntax for type integer: <value omitted>/],
  ])('%s', async (_name, statement, code, kind, message) => {
    const err = await thrown(h.db.transaction(async (tx) => {
      for (const s of statement.split('; ')) await tx.execute(sql.raw(s));
    }));
    expect((err as Error).message).toMatch(/^Failed query/); // drizzle's wrapper, with the SQL
    const c = classifyError(err);
    expect(c).toMatchObject({ kind, code });
    expect(c.message).toMatch(message);
    expect(c.message).not.toMatch(/select|SECRETVALUE|Failed query/i);
  });

  it('a lock timeout through drizzle is transient, its parameters nowhere in the message', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => { locked = r; });
    const holder = other.begin(async (tx) => {
      await tx`lock table swas.custom_images in access exclusive mode`;
      locked();
      await held;
    });
    await isLocked;
    const err = await thrown(h.db.execute(sql`select * from swas.custom_images where image_id = ${'m-SECRETPARAM'}`));
    release();
    await holder;
    expect(String((err as Error).message)).toContain('m-SECRETPARAM'); // drizzle's wrapper has it
    const c = classifyError(err);
    expect(c).toEqual({ kind: 'transient', code: '55P03', message: 'database error 55P03 (lock_not_available): canceling statement due to lock timeout' });
    // Wrapped once more, in an AggregateError: the same answer.
    expect(classifyError(new AggregateError([new Error('other'), err], 'all failed'))).toEqual(c);
  });

  it('a deadlock (40P01) is transient', async () => {
    await other`create table if not exists swas.t_deadlock (id int primary key, v int)`;
    await other`insert into swas.t_deadlock values (1, 0), (2, 0) on conflict do nothing`;
    await other.unsafe(`alter database ${new URL(url).pathname.slice(1)} set lock_timeout = 0`);
    const a = postgres(url, { max: 1, onnotice: () => {} });
    const b = openDatabase({ databaseUrl: url, maxConnections: 1 });
    const hb = await b;
    try {
      let stepA!: () => void;
      const aHasOne = new Promise<void>((r) => { stepA = r; });
      let stepB!: () => void;
      const bHasTwo = new Promise<void>((r) => { stepB = r; });
      const txA = a.begin(async (tx) => {
        await tx`update swas.t_deadlock set v = 1 where id = 1`;
        stepA();
        await bHasTwo;
        await tx`update swas.t_deadlock set v = 1 where id = 2`;
      }).then(() => undefined, (err: unknown) => err);
      const txB = hb.db.transaction(async (tx) => {
        await aHasOne;
        await tx.execute(sql`update swas.t_deadlock set v = 2 where id = 2`);
        stepB();
        await tx.execute(sql`update swas.t_deadlock set v = 2 where id = 1`);
      }).then(() => undefined, (err: unknown) => err);
      const [ea, eb] = await Promise.all([txA, txB]);
      const failure = eb ?? ea;
      expect(failure).toBeDefined();
      expect(classifyError(failure)).toMatchObject({ kind: 'transient', code: '40P01' });
    } finally {
      await a.end();
      await hb.close();
      await other.unsafe(`alter database ${new URL(url).pathname.slice(1)} set lock_timeout = '300ms'`);
    }
  });

  it('a connection that cannot be made (ECONNREFUSED under drizzle\'s wrapper) is transient', async () => {
    // A port in this suite's range with nothing listening: the driver's real connection error.
    // (Killing a live backend instead trips postgres.js 3.4.9's nextWrite defect, docs/RELIABILITY.md.)
    const refused = new URL(url);
    refused.port = '14999';
    const hc = await openDatabase({ databaseUrl: refused.toString(), maxConnections: 1 });
    try {
      const err = await thrown(hc.db.execute(sql`select ${'m-SECRETPARAM'}::text`));
      const c = classifyError(err);
      expect(c).toMatchObject({ kind: 'transient', code: 'ECONNREFUSED' });
      expect(c.message).not.toMatch(/select|SECRETPARAM|Failed query/i);
    } finally {
      await hc.close();
    }
  });
});
