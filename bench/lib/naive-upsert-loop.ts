/**
 * The "upsert every row" design a re-sync is compared with, run for real: one statement per
 * image (`insert ... on conflict do update set <every column> = excluded.<column>`) and its tags
 * replaced (delete, insert), into scratch tables identical to swas.custom_images and
 * swas.custom_image_tags (`like ... including all`). The images are the ones the real sync stored.
 */
import postgres from 'postgres';

export const NAIVE_SCHEMA = 'bench_naive';
export const NAIVE_TABLES = ['custom_images', 'custom_image_tags'] as const;

export async function createNaiveTables(databaseUrl: string): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`create schema if not exists ${NAIVE_SCHEMA}`);
    for (const t of NAIVE_TABLES) await sql.unsafe(`create table ${NAIVE_SCHEMA}.${t} (like swas.${t} including all)`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** One pass of the naive design over every image the real sync stored. */
export async function naiveUpsertPass(databaseUrl: string): Promise<number> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const columns = (await sql<Array<{ name: string }>>`
      select column_name as name from information_schema.columns
      where table_schema = 'swas' and table_name = 'custom_images' and is_generated = 'NEVER' order by ordinal_position`).map((c) => c.name);
    // Generated columns (raw_digest) are Postgres's to compute: named nowhere in the insert.
    const list = columns.map((c) => `"${c}"`).join(', ');
    const set = columns.filter((c) => !['account', 'image_id', 'first_seen_at'].includes(c)).map((c) => `"${c}" = excluded."${c}"`).join(', ');
    const images = await sql<Array<{ row: unknown; tags: unknown }>>`
      select to_jsonb(i) as row,
             coalesce((select jsonb_agg(to_jsonb(t)) from swas.custom_image_tags t where t.account = i.account and t.image_id = i.image_id), '[]') as tags
      from swas.custom_images i`;
    for (const image of images) {
      const row = image.row as { account: string; image_id: string };
      await sql.unsafe(
        `insert into ${NAIVE_SCHEMA}.custom_images (${list}) select ${list} from jsonb_populate_record(null::${NAIVE_SCHEMA}.custom_images, $1::text::jsonb)
         on conflict (account, image_id) do update set ${set}`, [JSON.stringify(image.row)]);
      await sql.unsafe(`delete from ${NAIVE_SCHEMA}.custom_image_tags where account = $1 and image_id = $2`, [row.account, row.image_id]);
      await sql.unsafe(
        `insert into ${NAIVE_SCHEMA}.custom_image_tags select * from jsonb_populate_recordset(null::${NAIVE_SCHEMA}.custom_image_tags, $1::text::jsonb)`,
        [JSON.stringify(image.tags)]);
    }
    return images.length;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
