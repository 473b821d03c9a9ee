/**
 * The worker on a Redis Cluster (issue 20): a private cluster of 3 masters with one replica each
 * (`redis-server --cluster-enabled yes`, `redis-cli --cluster create`). With REDIS_CLUSTER_NODES
 * every connection is a cluster client and the prefix is hash-tagged; the schedule, `enqueue
 * --wait`, the notifier and the eviction-policy check (every master) work, and a failover of the
 * master holding the prefix's slot in the middle of a run loses nothing and records nothing twice.
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { Command } from 'commander';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { registerWorkerCommands } from '../../src/cli/commands/worker.js';
import type { Config } from '../../src/config/env.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { syncRuns } from '../../src/db/schema.js';
import type { WorkerHandle } from '../../src/worker/start-worker.js';
import { createTestDatabase } from '../helpers/databases.js';
import { startPrivateRedisCluster, type PrivateRedisCluster } from '../helpers/private-services.js';
import { startWebhookReceiver, testSecret, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { subscription } from '../notify/notify-fixtures.js';
import { eventCounts, startTestWorker, startWorld, waitFor, workerConfig, type World } from '../worker/worker-test-kit.js';
import { SummaryRecorder } from './summary.js';
import { WorldLedger } from './worker-scenario.js';

const rec = new SummaryRecorder(import.meta.filename);
const LIST = 'ListCustomImages';

describe('fault matrix: the worker on a Redis Cluster', () => {
  let cluster: PrivateRedisCluster;
  let world: World;
  let receiver: WebhookReceiver;
  let db: DatabaseHandle;
  let handle: WorkerHandle | undefined;
  const secret = testSecret();

  beforeAll(async () => {
    cluster = await startPrivateRedisCluster({ masters: 3, replicas: 1 });
    world = await startWorld({ accounts: 2, regions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'], imagesPerRegion: 3 });
    receiver = await startWebhookReceiver(secret);
    db = await createTestDatabase('postgres');
  }, 60_000);
  afterAll(async () => {
    rec.flush();
    await handle?.close();
    await receiver?.close();
    await db?.close();
    await world?.emu.stop();
    await cluster?.stop();
  });

  async function enqueueWait(config: Config): Promise<{ status: string; regionsTotal: number; error: string | null }> {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
    const program = new Command().exitOverride();
    registerWorkerCommands(program, { loadConfig: () => config, stdout: out });
    await program.parseAsync(['node', 'swas-inventory', 'enqueue', '--wait', '--json', '--timeout', '90000']);
    return JSON.parse(text) as { status: string; regionsTotal: number; error: string | null };
  }

  rec.scenario('schedule, enqueue --wait and the notifier on a 3-master cluster; a failover of the prefix\'s master mid-run loses nothing, doubles nothing', async () => {
    const config = workerConfig(world, db.url!, 'swas', { REDIS_CLUSTER_NODES: cluster.seeds });
    expect(config.queuePrefix).toBe('{swas}');
    const sub = subscription('all', receiver.url, secret, { backoff: { baseMs: 50, maxMs: 500 } });
    const started = Date.now();
    handle = await startTestWorker(world, config, {
      database: db, httpPort: 0, subscriptions: [sub],
      // One iteration now, the next in 10 minutes: this test's runs do not overlap.
      schedule: { every: 600_000 },
      tuning: { notifyPollMs: 500, concurrency: 2 },
    });
    const readyz = async () => {
      const res = await fetch(`http://127.0.0.1:${handle!.http!.port}/readyz`);
      return { status: res.status, body: await res.json() as { checks: Array<{ name: string; ok: boolean; error?: string }> } };
    };
    expect((await readyz()).status).toBe(200);
    const ledger = new WorldLedger(world, rec.eventStats);

    // The schedule fires on the cluster.
    const scheduled = await waitFor('the scheduled run to end', async () => {
      const [row] = await db.db.select().from(syncRuns).where(eq(syncRuns.trigger, 'schedule'));
      return row !== undefined && row.status !== 'running' ? row : undefined;
    }, 60_000, 100);
    expect(scheduled.startedAt.getTime()).toBeGreaterThanOrEqual(started - 1_000);
    expect(scheduled).toMatchObject({ status: 'succeeded', regionsTotal: 6 });
    await ledger.checkpoint(db.db);

    // A run through `enqueue --wait` while the master holding {swas}'s slot fails over to its replica.
    ledger.change(1);
    world.emu.setFaults([{ kind: 'latency', ms: 800, match: { action: LIST } }]);
    const before = world.emu.callLog().length;
    const owner = await cluster.ownerOf('{swas}');
    const result = enqueueWait(config);
    await waitFor('regions of the run in flight', async () => world.emu.callLog().slice(before).filter((c) => c.action === LIST).length >= 2, 30_000, 10);
    await cluster.failover(owner.replica);
    expect((await cluster.ownerOf('{swas}')).master).toBe(owner.replica);
    world.emu.clearFaults();
    const run = await result;
    expect(run, JSON.stringify(run.error)).toMatchObject({ status: 'succeeded', regionsTotal: 6 });
    await ledger.checkpoint(db.db);

    // The notifier delivered every event recorded, each once (webhook ids are per event).
    const recorded = Object.values(await eventCounts(db.db)).reduce((a, b) => a + b, 0);
    await waitFor('every event delivered', async () => receiver.accepted().length >= recorded, 60_000, 100);
    const ids = receiver.accepted().map((r) => r.webhookId);
    expect(new Set(ids).size).toBe(recorded);
    expect(ids).toHaveLength(recorded);

    // The eviction policy is read on every master, not only the one holding our slot.
    const other = cluster.ports.find((p) => p !== owner.replica && p !== owner.master) as number;
    const admin = new Redis(other, '127.0.0.1');
    try {
      const role = await admin.info('replication');
      const master = /role:master/.test(role) ? other : Number(/master_port:(\d+)/.exec(role)?.[1]);
      const m = new Redis(master, '127.0.0.1');
      try {
        await m.config('SET', 'maxmemory-policy', 'allkeys-lru');
        const bad = await readyz();
        expect(bad.status).toBe(503);
        expect(bad.body.checks.find((c) => c.name === 'redis-eviction-policy')).toMatchObject({ ok: false, error: expect.stringContaining('"allkeys-lru"') });
        await m.config('SET', 'maxmemory-policy', 'noeviction');
        // Ready again once every check passes; on a loaded machine (load 7-10, three test files at
        // once) another check was once still failing on the first read just after the failover.
        let last: Awaited<ReturnType<typeof readyz>> | undefined;
        const ready = await waitFor('/readyz to answer 200 again', async () => {
          last = await readyz();
          return last.status === 200;
        }, 30_000, 250).catch(() => false);
        expect(ready, JSON.stringify(last?.body)).toBe(true);
      } finally {
        m.disconnect();
      }
    } finally {
      admin.disconnect();
    }
  }, 240_000);
});
