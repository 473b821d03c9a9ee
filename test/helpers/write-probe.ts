import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../src/db/database.js';

/** The tables an unchanged re-sync must not touch. */
export const HISTORY_TABLES = ['custom_images', 'custom_image_tags', 'custom_image_versions', 'image_events'] as const;

/**
 * A fingerprint of every physical row version in the image tables: (ctid, xmin) changes on any
 * INSERT, UPDATE (even one writing identical values) or DELETE, on Postgres and PGlite alike, so
 * equal fingerprints prove that no row was written in between.
 */
export async function writeFingerprint(db: Db): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of HISTORY_TABLES) {
    const [row] = await queryRows<{ fp: string | null; n: number | string }>(db, sql.raw(
      `select count(*) as n, string_agg(ctid::text || '@' || xmin::text, ',' order by ctid) as fp from swas.${table}`,
    ));
    out[table] = `${row?.n}:${row?.fp ?? ''}`;
  }
  return out;
}
