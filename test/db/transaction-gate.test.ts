/**
 * A Postgres pool keeps three connections from held transactions (transaction-gate.ts): with every
 * other connection in a region's transaction, a listing's clock statement still runs at once
 * instead of waiting for a commit (issue 24), and the next transaction waits for its turn.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { HeldTransaction } from '../../src/db/held-transaction.js';
import { openDatabase } from '../../src/db/open-database.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { heldTransactionTurn, heldTransactionUsage } from '../../src/db/transaction-gate.js';
import { listingClock } from '../../src/sync/record-unchanged-region.js';
import { createTestDatabaseUrl } from '../helpers/databases.js';

describe('held transactions leave the hot path its connections', () => {
  let database: { url: string; drop: () => Promise<void> };
  let h: DatabaseHandle;

  beforeAll(async () => {
    database = await createTestDatabaseUrl();
    h = await openDatabase({ databaseUrl: database.url, maxConnections: 6 });
  });
  afterAll(async () => {
    await h?.close();
    await database?.drop();
  });

  it('with a pool of 6, three transactions are held at once, the fourth waits, and a clock is read meanwhile', async () => {
    const first = await HeldTransaction.open(h.db);
    const second = await HeldTransaction.open(h.db);
    const extra = await HeldTransaction.open(h.db);
    await first.tx.execute(sql`select 1`);
    await second.tx.execute(sql`select 1`);
    let thirdOpened = false;
    const third = HeldTransaction.open(h.db).then((t) => { thirdOpened = true; return t; });
    // The clock statement (the batched hot path) runs on a connection the transactions left.
    const stamp = listingClock(h.db, { account: 'acct-0', regionId: 'cn-hangzhou' });
    expect(await stamp.at).toBeInstanceOf(Date);
    expect(await stamp.regionKnown).toBe(false);
    expect(thirdOpened).toBe(false);
    expect(heldTransactionUsage(h.db)).toEqual({ active: 3, waiting: 1, limit: 3 });

    await first.commit();
    const t3 = await third;
    expect(heldTransactionUsage(h.db)).toEqual({ active: 3, waiting: 0, limit: 3 });
    await t3.tx.execute(sql`select 1`);
    await t3.rollback(new Error('test'));
    await second.commit();
    await extra.commit();
    expect(heldTransactionUsage(h.db)).toEqual({ active: 0, waiting: 0, limit: 3 });
  });

  it('a turn waited for past its bound fails as a lost connection (QUEUE_TIMEOUT), and the gate is left as it was', async () => {
    const held = [await HeldTransaction.open(h.db), await HeldTransaction.open(h.db), await HeldTransaction.open(h.db)];
    await expect(heldTransactionTurn(h.db, 50)).rejects.toMatchObject({ code: 'QUEUE_TIMEOUT' });
    expect(heldTransactionUsage(h.db)).toEqual({ active: 3, waiting: 0, limit: 3 });
    for (const t of held) await t.commit();
    expect(heldTransactionUsage(h.db)).toEqual({ active: 0, waiting: 0, limit: 3 });
  });
});
