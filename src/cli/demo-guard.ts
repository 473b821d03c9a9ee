/**
 * The demo writes a scripted world (account `demo`) and deletes whatever that world no longer has.
 * Pointed at a database with real inventory, a sync under the wrong account would record
 * deletions in an append-only history that cannot be undone. So before anything is written, even
 * the migrations, the database must hold nothing but demo data (or nothing at all).
 */
import { sql } from 'drizzle-orm';
import { queryRows, type DatabaseHandle } from '../db/database.js';
import { regionSyncAccountsOtherThan } from '../db/region-syncs.js';
import { runsNotTriggeredBy } from '../db/sync-runs.js';
import { ConfigurationError } from '../domain/errors.js';

/** Every row the demo writes carries this account; its runs carry the `demo` trigger. */
export const DEMO_ACCOUNT = 'demo';
export const DEMO_TRIGGER = 'demo';

/** Throws a ConfigurationError naming what real data the database holds; resolves when it holds none. */
export async function assertOnlyDemoData(handle: DatabaseHandle): Promise<void> {
  const [tables] = await queryRows<{ present: string | null }>(handle.db, sql`select to_regclass('swas.sync_runs')::text as present`);
  if (tables?.present === null || tables?.present === undefined) return; // a fresh database: nothing to protect
  const [found] = await queryRows<{ accounts: string[] | null; runs: string | number }>(handle.db, sql`
    select (select array_agg(distinct account order by account) from (
              select account from swas.custom_images where account <> ${DEMO_ACCOUNT}
              union all select account from swas.image_events where account <> ${DEMO_ACCOUNT}
              union all select account from swas.region_states where account <> ${DEMO_ACCOUNT}
              union all ${regionSyncAccountsOtherThan(DEMO_ACCOUNT)}) as a) as accounts,
           ${runsNotTriggeredBy(DEMO_TRIGGER)} as runs`);
  const accounts = found?.accounts ?? [];
  const runs = Number(found?.runs ?? 0);
  if (accounts.length === 0 && runs === 0) return;
  const what = [
    ...(accounts.length > 0 ? [`inventory of account(s) ${accounts.slice(0, 5).join(', ')}${accounts.length > 5 ? ', ...' : ''}`] : []),
    ...(runs > 0 ? [`${runs} sync run(s) that are not the demo's`] : []),
  ].join(' and ');
  throw new ConfigurationError(
    `sync --demo refuses to write into the ${handle.kind} database at ${handle.location}: it holds ${what}. ` +
    'The demo only ever writes into a database of its own, so it can never record changes about real images. ' +
    (handle.kind === 'postgres'
      ? 'Unset DATABASE_URL to use the embedded demo database, or point DATABASE_URL at an empty database.'
      : 'Point SWAS_DATA_DIR at an empty folder (e.g. SWAS_DATA_DIR=./.swas-demo) for the demo.'),
  );
}
