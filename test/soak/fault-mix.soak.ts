/**
 * The long soak (`npm run soak`, not part of `npm test`): many rounds, each a random mix of API
 * faults over a changing inventory, judged exactly like the fault matrix: after each faulted pass
 * nothing false is recorded; after the faults clear, exact convergence and exactly the expected
 * events. A second soak does the same through two workers with overlapping runs.
 * SWAS_SOAK_ROUNDS (default 40) and SWAS_SOAK_SEED (default random; printed so a failure replays).
 */
import { afterAll, describe, expect } from 'vitest';
import type { FaultRuleInput } from '../../src/emulator/index.js';
// The emulator's seeded PRNG (mulberry32): a failing soak replays from its printed seed.
import { createRandom as prng } from '../../src/emulator/prng.js';
import { enqueueRun, waitForRun } from '../../src/worker/enqueue-run.js';
import { createTestDatabase } from '../helpers/databases.js';
import { uniquePrefix } from '../helpers/redis.js';
import { deletePrefix, startTestWorker, startWorld, workerConfig } from '../worker/worker-test-kit.js';
import { expectCheckpoint, expectEventsTrueSoFar } from '../faults/convergence.js';
import { BIG, mutate, startFaultWorld } from '../faults/harness.js';
import { SummaryRecorder } from '../faults/summary.js';
import { Ledger } from '../faults/truth.js';
import { WorldLedger, expectCleanRun } from '../faults/worker-scenario.js';

const ROUNDS = Number(process.env.SWAS_SOAK_ROUNDS ?? 40);
const SEED = Number(process.env.SWAS_SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31));
const rec = new SummaryRecorder(import.meta.filename);
const LIST = 'ListCustomImages';
const ODD_ALL = ['numbersAsStrings', 'countsAsNumbers', 'booleansAsStrings', 'missingOptional', 'nulls'] as const;

/** A random mix of 1..4 fault rules on ListCustomImages (never page drift: see scenario.ts's `changes`). */
function faultMix(random: () => number): FaultRuleInput[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const rate = () => Math.round((0.05 + random() * 0.45) * 100) / 100;
  const makers: Array<() => FaultRuleInput> = [
    () => ({ kind: 'throttle', rate: rate(), retryAfterMs: 50, match: { action: LIST } }),
    () => ({ kind: 'error', code: pick(['InternalError', 'ServiceUnavailable']), status: pick([500, 503]), rate: rate(), match: { action: LIST } }),
    () => ({ kind: 'reset', rate: rate(), match: { action: LIST } }),
    () => ({ kind: 'truncate', rate: rate(), match: { action: LIST } }),
    () => ({ kind: 'malformed', rate: rate(), match: { action: LIST, page: 1 + Math.floor(random() * 3) } }),
    () => ({ kind: 'hang', ms: 3_000, rate: rate() / 3, match: { action: LIST } }),
    () => ({ kind: 'latency', minMs: 0, maxMs: 300, match: { action: LIST } }),
    () => ({ kind: 'oddTypes', rate: rate(), match: { action: LIST }, variants: [...ODD_ALL] }),
    () => ({ kind: 'error', code: 'Forbidden.RAM', status: 403, match: { action: LIST, region: pick(['cn-shanghai', 'cn-beijing', BIG]) } }),
  ];
  return Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(makers)());
}

describe(`soak: ${ROUNDS} rounds of random fault mixes (seed ${SEED})`, () => {
  afterAll(() => { rec.flush(); });

  rec.scenario('in-process syncs (the CLI path)', async () => {
    process.stdout.write(`[soak] seed ${SEED}, ${ROUNDS} rounds\n`);
    const random = prng(SEED);
    const world = await startFaultWorld({ emulator: { faultSeed: SEED } });
    const h = await createTestDatabase('postgres');
    try {
      const ledger = new Ledger();
      expect((await world.sync(h.db)).summary.status).toBe('succeeded');
      let mark = await expectCheckpoint(h.db, world.emu, world.view, ledger, 0, rec.eventStats);
      let gone = mutate(world.emu, world.view.uid, 1);
      for (let round = 1; round <= ROUNDS; round += 1) {
        const mix = faultMix(random);
        world.emu.setFaults(mix);
        const passes = 1 + Math.floor(random() * 3);
        for (let p = 0; p < passes; p += 1) {
          await world.sync(h.db);
          await expectEventsTrueSoFar(h.db, world.emu, world.view, ledger, mark, rec.eventStats);
        }
        world.emu.clearFaults();
        const clean = await world.sync(h.db);
        expect(clean.summary.status, `round ${round}: ${JSON.stringify(mix)}`).toBe('succeeded');
        mark = await expectCheckpoint(h.db, world.emu, world.view, ledger, mark, rec.eventStats);
        gone = mutate(world.emu, world.view.uid, round + 1, random() < 0.5 ? gone : []);
      }
    } finally {
      await world.emu.stop();
      await h.close();
    }
  });

  rec.scenario('two workers, overlapping runs', async () => {
    const random = prng(SEED ^ 0x5a5a);
    const world = await startWorld({ accounts: 2, regions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'], imagesPerRegion: 5 });
    const db = await createTestDatabase('postgres');
    const prefix = uniquePrefix('soak');
    const config = workerConfig(world, db.url as string, prefix);
    const tuning = { concurrency: 3, lockDurationMs: 3_000, stalledIntervalMs: 1_000 };
    const a = await startTestWorker(world, config, { database: db, tuning });
    const b = await startTestWorker(world, config, { database: db, tuning });
    try {
      const ledger = new WorldLedger(world, rec.eventStats);
      await expectCleanRun(a.runsQueue, db.db, 6);
      await ledger.checkpoint(db.db);
      for (let round = 1; round <= Math.ceil(ROUNDS / 4); round += 1) {
        ledger.change(round);
        world.emu.setFaults(faultMix(random).filter((f) => f.kind !== 'hang'));
        const runs = [await enqueueRun(a.runsQueue), await enqueueRun(b.runsQueue)];
        await Promise.all(runs.map((r) => waitForRun(db.db, r.runId, { timeoutMs: 180_000, pollMs: 200 })));
        await ledger.trueSoFar(db.db);
        world.emu.clearFaults();
        await expectCleanRun(b.runsQueue, db.db, 6);
        await ledger.checkpoint(db.db);
      }
    } finally {
      await a.close();
      await b.close();
      await world.emu.stop();
      await deletePrefix(prefix);
      await db.close();
    }
  });
});
