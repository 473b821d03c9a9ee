/**
 * Secrets under faults: a real worker process runs a full sync with an STS credential (a unique
 * AccessKey secret and security token) and a database role with a unique password, while the API
 * throttles, errors, resets and refuses a region. None of the three may appear in the worker's
 * stdout or stderr (its logs, at debug level), any text/jsonb column of schema swas, /metrics,
 * /readyz, Bull Board's API, or any Redis key of the run's prefix. Also: the emulator's admin API
 * refuses non-loopback clients, and SQL-looking names round-trip as data.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Redis } from 'ioredis';
import { eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { inject } from 'vitest';
import { queryRows, type DatabaseHandle } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/open-database.js';
import { customImages, customImageTags } from '../../src/db/schema.js';
import { isLoopback } from '../../src/emulator/admin-routes.js';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { enqueueRun, waitForRun } from '../../src/worker/enqueue-run.js';
import { createTestDatabaseUrl } from '../helpers/databases.js';
import { openTestQueues } from '../helpers/redis.js';
import { killWorker, startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';
import type { World } from '../worker/worker-test-kit.js';
import { SummaryRecorder } from './summary.js';

const rec = new SummaryRecorder(import.meta.filename);
const REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'];
const INJECTION = '\'); DROP TABLE swas.custom_images; --';

/** Every string value of every key under `prefix`, whatever its Redis type. */
async function dumpRedisPrefix(redis: Redis, prefix: string): Promise<string> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      out.push(key);
      const type = await redis.type(key);
      if (type === 'string') out.push((await redis.get(key)) ?? '');
      else if (type === 'hash') out.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'list') out.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'set') out.push(JSON.stringify(await redis.smembers(key)));
      else if (type === 'zset') out.push(JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES')));
      else if (type === 'stream') out.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    }
  } while (cursor !== '0');
  return out.join('\n');
}

/** Every text, varchar, text[] and jsonb value of every table in schema swas, as text (a pg_dump of the data). */
async function dumpSchema(handle: DatabaseHandle): Promise<string> {
  const columns = await queryRows<{ table_name: string; column_name: string }>(handle.db, sql`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema = 'swas' and (c.data_type in ('text', 'character varying', 'jsonb', 'json') or c.udt_name in ('_text', '_varchar'))`);
  const out: string[] = [];
  for (const { table_name: t, column_name: c } of columns) {
    const rows = await queryRows<{ v: string | null }>(handle.db, sql.raw(`select "${c}"::text as v from swas."${t}"`));
    for (const r of rows) if (r.v !== null) out.push(r.v);
  }
  return out.join('\n');
}

describe('security: no secret leaks under faults', () => {
  let emu: EmulatorHandle;
  const secret = `SK${randomBytes(16).toString('hex')}`;
  const token = `CAIS${randomBytes(40).toString('hex')}`;
  const password = `pw${randomBytes(12).toString('hex')}`;
  const role = `swas_sec_${randomBytes(4).toString('hex')}`;
  let admin: postgres.Sql | undefined;
  let database: { url: string; drop: () => Promise<void> } | undefined;

  beforeAll(async () => {
    const seed = generateSeed({ accounts: 1, regions: REGIONS, imagesPerRegion: 5, sts: true, seed: 3 });
    const account = seed.accounts[0];
    if (account === undefined) throw new Error('no account');
    account.accessKeys = [...account.accessKeys.slice(0, 1), { accessKeyId: `STS.${randomBytes(12).toString('hex')}`, accessKeySecret: secret, securityToken: token }];
    emu = await startEmulator({ seed, host: '0.0.0.0' });
    emu.createImage({ ownerUid: account.uid, regionId: 'cn-shanghai', name: INJECTION, description: `Robert${INJECTION}`,
      tags: [{ key: INJECTION.slice(0, 60), value: '" OR 1=1; --' }] });
    admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
    await admin.unsafe(`create role ${role} login superuser password '${password}'`);
    database = await createTestDatabaseUrl();
  });
  afterAll(async () => {
    rec.flush();
    await emu?.stop();
    await database?.drop();
    await admin?.unsafe(`drop role if exists ${role}`);
    await admin?.end();
  });

  rec.scenario('a worker run with faults leaks no AccessKey secret, security token or database password anywhere', async () => {
    const url = new URL(database?.url ?? '');
    url.username = role;
    url.password = password;
    const sts = emu.credentials.find((c) => c.securityToken !== undefined);
    expect(sts?.accessKeySecret).toBe(secret);
    const world: World = {
      emu, regions: REGIONS, uidOf: new Map([['acct0', sts?.uid ?? '']]),
      env: { SEC_AK: sts?.accessKeyId ?? '', SEC_SK: secret, SEC_TOKEN: token },
      accounts: [{ name: 'acct0', credentials: { type: 'access_key', accessKeyIdEnv: 'SEC_AK', accessKeySecretEnv: 'SEC_SK', securityTokenEnv: 'SEC_TOKEN' },
        regions: { allow: null, deny: [] }, callsPerSecond: 50 }],
    };
    const LIST = 'ListCustomImages';
    emu.setFaults([
      { kind: 'throttle', retryAfterMs: 100, nth: 1, count: 2, match: { action: LIST } },
      { kind: 'error', code: 'InternalError', status: 500, nth: 3, count: 2, match: { action: LIST } },
      { kind: 'reset', nth: 6, count: 1, match: { action: LIST } },
      { kind: 'error', code: 'Forbidden.RAM', status: 403, match: { action: LIST, region: 'cn-beijing' } },
    ]);
    const queues = openTestQueues('fsec');
    const { prefix, redis, runs } = queues;
    const reader = await openDatabase({ databaseUrl: database?.url ?? '', maxConnections: 2 });
    let proc: WorkerProcess | undefined;
    try {
      proc = await startWorkerProcess(world, url.toString(), prefix, ['--no-schedule', '--concurrency', '3']);
      const port = Number(/"httpPort":(\d+)/.exec(proc.logs())?.[1]);
      const { runId } = await enqueueRun(runs);
      const run = await waitForRun(reader.db, runId, { timeoutMs: 90_000, pollMs: 200 });
      expect(run.status).toBe('partial'); // cn-beijing refused: the faults really happened
      // The run really signed with the STS pair (its token checked by the emulator on every call).
      expect(emu.callLog().filter((c) => c.accessKeyId === sts?.accessKeyId && c.code === 'OK').length).toBeGreaterThan(0);
      expect(emu.callLog().some((c) => c.code === 'Throttling.User')).toBe(true);

      const http = async (path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).text();
      const surfaces: Record<string, string> = {
        metrics: await http('/metrics'),
        readyz: await http('/readyz'),
        board: await http('/admin/queues/api/queues?page=1&jobsPerPage=100') + await http('/admin/queues'),
        redis: await dumpRedisPrefix(redis, prefix),
        database: await dumpSchema(reader),
      };
      proc.child.kill('SIGTERM');
      await proc.exited;
      surfaces.stderr = proc.logs();
      surfaces.stdout = proc.stdout();

      expect(surfaces.metrics).toContain('swas_api_calls_total');
      expect(surfaces.redis).toContain(runId);
      expect(surfaces.database).toContain(INJECTION);
      expect(surfaces.stderr).toContain('Forbidden.RAM');
      const needles = { secret, token, password, 'secret (prefix)': secret.slice(0, 14), 'token (middle)': token.slice(30, 50), 'password (prefix)': password.slice(0, 12) };
      const leaks: string[] = [];
      for (const [where, text] of Object.entries(surfaces)) {
        for (const [what, needle] of Object.entries(needles)) if (text.includes(needle)) leaks.push(`${what} in ${where}`);
      }
      expect(leaks).toEqual([]);

      // SQL-looking names are data: stored exactly, and the table they name is still there.
      const [img] = await reader.db.select().from(customImages).where(eq(customImages.name, INJECTION));
      expect(img?.description).toBe(`Robert${INJECTION}`);
      const tags = await reader.db.select().from(customImageTags).where(eq(customImageTags.imageId, img?.imageId ?? ''));
      expect(tags.map((t) => [t.key, t.value])).toEqual([[INJECTION.slice(0, 60), '" OR 1=1; --']]);
    } finally {
      await killWorker(proc);
      await queues.close();
      await reader.close();
    }
  }, 150_000);

  rec.scenario('the emulator admin API answers loopback clients only', async () => {
    const path = '/_emulator/state';
    emu.setFaults([{ kind: 'latency', ms: 1, match: { region: 'us-west-1' } }]);
    const viaLoopback = await fetch(`http://127.0.0.1:${emu.port}${path}`);
    expect(viaLoopback.status).toBe(200);
    const state = await viaLoopback.text();
    expect(state).not.toContain(secret);
    expect(state).not.toContain(token);
    // The same server through this machine's own non-loopback address: the remote address is not loopback.
    const { networkInterfaces } = await import('node:os');
    const external = Object.values(networkInterfaces()).flat().find((a) => a?.family === 'IPv4' && !a.internal)?.address;
    if (external !== undefined) {
      for (const method of ['GET', 'DELETE']) {
        const res = await fetch(`http://${external}:${emu.port}${method === 'GET' ? path : '/_emulator/faults'}`, { method });
        expect(res.status, `${method} from ${external}`).toBe(403);
        expect(await res.json()).toMatchObject({ Code: 'Forbidden' });
      }
      expect(emu.faults(), 'the refused DELETE changed nothing').toHaveLength(1);
    }
    // The seam it uses, for addresses this machine cannot originate.
    expect(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['10.0.0.1', '192.0.2.2', '::ffff:192.0.2.2', 'fd00::2', '::', '0.0.0.0', '1127.0.0.1', undefined].map(isLoopback)).toEqual(Array(8).fill(false));
  });
});
