/**
 * Counts physical row writes between two moments from each row's (ctid, xmin): any INSERT,
 * UPDATE (even to identical values) or DELETE changes it, so this sees writes that the data
 * itself hides. Keyed by primary key, so an update counts once, not as a delete plus an insert.
 */
import postgres from 'postgres';

/** Primary-key expression of each table the re-sync must leave alone. */
export const WRITE_TRACKED_TABLES: Record<string, string> = {
  custom_images: `account || '/' || image_id`,
  custom_image_tags: `account || '/' || image_id || '/' || key || '=' || value`,
  custom_image_versions: 'id::text',
  image_events: 'id::text',
};

export type WriteSnapshot = Map<string, Map<string, string>>;

export interface TableWrites {
  inserted: number;
  updated: number;
  deleted: number;
  total: number;
}

export async function snapshotRows(databaseUrl: string, schema: string, tables: readonly string[]): Promise<WriteSnapshot> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const out: WriteSnapshot = new Map();
    for (const table of tables) {
      const key = WRITE_TRACKED_TABLES[table];
      if (key === undefined) throw new Error(`no key expression for ${table}`);
      const rows = await sql.unsafe<Array<{ k: string; v: string }>>(`select ${key} as k, ctid::text || '@' || xmin::text as v from ${schema}.${table}`);
      out.set(table, new Map(rows.map((r) => [r.k, r.v])));
    }
    return out;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export function countWrites(before: WriteSnapshot, after: WriteSnapshot): Record<string, TableWrites> {
  const out: Record<string, TableWrites> = {};
  for (const [table, was] of before) {
    const now = after.get(table) ?? new Map<string, string>();
    let inserted = 0;
    let updated = 0;
    let deleted = 0;
    for (const [k, v] of now) {
      const old = was.get(k);
      if (old === undefined) inserted += 1;
      else if (old !== v) updated += 1;
    }
    for (const k of was.keys()) if (!now.has(k)) deleted += 1;
    out[table] = { inserted, updated, deleted, total: inserted + updated + deleted };
  }
  return out;
}
