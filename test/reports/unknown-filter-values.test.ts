/**
 * A read-side filter naming a region, account or status the database has never recorded is a
 * typo, not an empty answer (issue 22 #7): one line naming the closest known values, exit 2, for
 * every command that filters. Before, `images --region cn-hangzou` printed `(none)` (exit 0) and
 * `status --region cn-hangzou` said `no region has been synced yet` (exit 1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../src/db/open-database.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { createTestDatabaseUrl } from '../helpers/databases.js';
import { runCommand } from '../helpers/cli.js';
import { writeScriptedHistory } from './helpers/scripted-history.js';

describe('read-side filters the database has never seen', () => {
  let database: { url: string; drop: () => Promise<void> };
  let h: DatabaseHandle;

  beforeAll(async () => {
    database = await createTestDatabaseUrl();
    h = await openDatabase({ databaseUrl: database.url, maxConnections: 1 });
    await writeScriptedHistory(h.db);
    // The regions whose listings were recorded (what a sync writes beside the history).
    await h.db.execute(sql`insert into swas.region_states (account, region_id, last_status, updated_at, last_complete_listing_at)
      values ('prod', 'cn-hangzhou', 'succeeded', now(), now()), ('prod', 'ap-southeast-1', 'succeeded', now(), now()),
             ('dev', 'cn-hangzhou', 'succeeded', now(), now())`);
  });
  afterAll(async () => {
    await h?.close();
    await database?.drop();
  });

  const run = (...args: string[]) => runCommand(args, { DATABASE_URL: database.url });

  it.each([
    [['images', '--region', 'cn-hangzou'], "unknown region 'cn-hangzou': the database has never recorded it (did you mean cn-hangzhou?)"],
    [['images', '--account', 'prd'], "unknown account 'prd': the database has never recorded it (did you mean prod?)"],
    [['images', '--status', '9'], 'unknown status code 9: no image has ever had it (known: 0, 1, 2, 3, 4)'],
    [['history', '--region', 'ap-southeast-2'], "unknown region 'ap-southeast-2': the database has never recorded it (did you mean ap-southeast-1?)"],
    [['report', '--account', 'zzz'], "unknown account 'zzz': the database has never recorded it (known: dev, prod)"],
    [['status', '--region', 'cn-hangzou'], "unknown region 'cn-hangzou': the database has never recorded it (did you mean cn-hangzhou?)"],
    [['images', '--account', 'prod', '--account', 'dve', '--region', 'xx'],
      "unknown account 'dve': the database has never recorded it (did you mean dev?); unknown region 'xx': the database has never recorded it (known: cn-hangzhou, ap-southeast-1)"],
  ])('%j: one line naming the closest known values, exit 2', async (args, message) => {
    const res = await run(...args);
    expect(res).toEqual({ code: 2, stdout: '', stderr: `swas-inventory: ${message}\n` });
  });

  it('known values still answer, an empty answer included', async () => {
    const images = await run('images', '--account', 'dev', '--region', 'cn-hangzhou', '--status', 'creation_failed', '--format', 'json');
    expect({ code: images.code, ids: (JSON.parse(images.stdout) as Array<{ imageId: string }>).map((r) => r.imageId) }).toEqual({ code: 0, ids: ['m-3'] });
    const none = await run('images', '--account', 'prod', '--region', 'cn-hangzhou', '--status', 'creating', '--format', 'json');
    expect({ code: none.code, out: none.stdout.trim() }).toEqual({ code: 0, out: '[]' });
  });

  it('a value with images but no recorded outcome (rows from another writer) is known: it answers, exit 0', async () => {
    await h.db.execute(sql`insert into swas.custom_images (account, image_id, region_id, name, status, os_type, creation_time,
        create_instances, raw, content_hash, first_seen_at, changed_at, deleted_at)
      values ('legacy', 'm-legacy', 'eu-west-1', 'imported', 1::smallint, 'Linux', now(), '{}'::text[], '{}'::jsonb, 'h', now(), now(), null)`);
    for (const args of [['--region', 'eu-west-1'], ['--account', 'legacy']]) {
      const res = await run('images', ...args, '--format', 'json');
      expect({ code: res.code, ids: (JSON.parse(res.stdout || '[]') as Array<{ imageId: string }>).map((r) => r.imageId) }, res.stderr).toEqual({ code: 0, ids: ['m-legacy'] });
    }
    // A typo is still one: the fallback looks for the exact value only.
    expect((await run('images', '--region', 'eu-west-l')).code).toBe(2);
  });
});
