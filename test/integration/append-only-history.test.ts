import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { backends, createTestDatabase } from '../helpers/databases.js';
import type { DatabaseHandle } from '../../src/db/database.js';

describe.each(backends())('append-only history on %s', (kind) => {
  let h: DatabaseHandle;
  beforeAll(async () => {
    h = await createTestDatabase(kind);
    await h.db.execute(sql`insert into swas.image_events (sync_run_id, observed_at, account, region_id, image_id, kind)
      values ('00000000-0000-0000-0000-000000000001', now(), 'a', 'cn-hangzhou', 'm-1', 'created')`);
    await h.db.execute(sql`insert into swas.custom_image_versions (account, image_id, region_id, content_hash, sync_run_id, valid_from)
      values ('a', 'm-1', 'cn-hangzhou', 'h1', '00000000-0000-0000-0000-000000000001', '2026-01-01T00:00:00Z')`);
  });
  afterAll(async () => h?.close());

  it('refuses UPDATE and DELETE of events', async () => {
    await expect(h.db.execute(sql`update swas.image_events set kind = 'deleted'`)).rejects.toThrow();
    await expect(h.db.execute(sql`delete from swas.image_events`)).rejects.toThrow();
  });

  it('refuses rewriting a version, allows closing it once', async () => {
    await expect(h.db.execute(sql`update swas.custom_image_versions set name = 'forged'`)).rejects.toThrow();
    await expect(h.db.execute(sql`delete from swas.custom_image_versions`)).rejects.toThrow();
    await h.db.execute(sql`update swas.custom_image_versions set valid_to = '2026-02-01T00:00:00Z'`);
    await expect(h.db.execute(sql`update swas.custom_image_versions set valid_to = '2026-03-01T00:00:00Z'`)).rejects.toThrow();
  });
});
