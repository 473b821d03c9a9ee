/**
 * Audit integrity on history a real sync wrote (test/integration/append-only-history.test.ts covers
 * the basic UPDATE/DELETE on hand-inserted rows): every way of rewriting image_events or
 * custom_image_versions is refused by the database with SQLSTATE 42501 and the "append-only"
 * reason, TRUNCATE included, and afterwards not one physical row of the history has changed.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows, type DatabaseHandle } from '../../src/db/database.js';
import { createTestDatabase } from '../helpers/databases.js';
import { writeFingerprint } from '../helpers/write-probe.js';
import { mutate, startFaultWorld, type FaultWorld } from './harness.js';
import { SummaryRecorder } from './summary.js';

const rec = new SummaryRecorder(import.meta.filename);

describe('audit integrity of a synced history', () => {
  let world: FaultWorld;
  let h: DatabaseHandle;

  beforeAll(async () => {
    world = await startFaultWorld({ seed: 9 });
    h = await createTestDatabase('postgres');
    expect((await world.sync(h.db)).summary.status).toBe('succeeded');
    mutate(world.emu, world.view.uid, 1);
    expect((await world.sync(h.db)).summary.status).toBe('succeeded'); // closed versions and every event kind but restored
  });
  afterAll(async () => {
    rec.flush();
    await world?.emu.stop();
    await h?.close();
  });

  async function refused(statement: string): Promise<void> {
    await expect(h.db.execute(sql.raw(statement)), statement).rejects.toMatchObject({
      cause: expect.objectContaining({ code: '42501', message: expect.stringMatching(/append-only/) as unknown }) as unknown,
    });
  }

  rec.scenario('no UPDATE, DELETE or TRUNCATE rewrites image_events or custom_image_versions', async () => {
    const [closed] = await queryRows<{ id: string }>(h.db, sql`select id::text from swas.custom_image_versions where valid_to is not null limit 1`);
    const [open] = await queryRows<{ id: string }>(h.db, sql`select id::text from swas.custom_image_versions where valid_to is null limit 1`);
    const [event] = await queryRows<{ id: string }>(h.db, sql`select id::text from swas.image_events where kind = 'deleted' limit 1`);
    expect([closed, open, event].every((r) => r !== undefined)).toBe(true);
    const before = await writeFingerprint(h.db);

    await refused(`update swas.image_events set kind = 'created' where id = ${event?.id}`);
    await refused(`update swas.image_events set changes = '{}'::jsonb`);
    await refused(`delete from swas.image_events where id = ${event?.id}`);
    await refused('truncate swas.image_events');
    await refused(`update swas.custom_image_versions set name = 'forged' where id = ${open?.id}`);
    await refused(`update swas.custom_image_versions set valid_to = now(), tags = '[]'::jsonb where id = ${open?.id}`);
    await refused(`update swas.custom_image_versions set valid_to = null where id = ${closed?.id}`);
    await refused(`update swas.custom_image_versions set valid_to = valid_to + interval '1 day' where id = ${closed?.id}`);
    await refused(`update swas.custom_image_versions set valid_to = valid_from - interval '1 day' where id = ${open?.id}`);
    await refused(`delete from swas.custom_image_versions where id = ${closed?.id}`);
    await refused('truncate swas.custom_image_versions');

    expect(await writeFingerprint(h.db), 'not one physical row of the history changed').toEqual(before);
    // The one permitted change, closing an open version, is what the next sync's changes need.
    mutate(world.emu, world.view.uid, 2);
    expect((await world.sync(h.db)).summary.status).toBe('succeeded');
  });
});
