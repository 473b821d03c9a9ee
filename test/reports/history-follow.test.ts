/**
 * `history --follow` as a real process (the built binary) against real Postgres: it prints an event committed
 * after it started, and the events of a region transaction forced to commit AFTER a later id's
 * (as in test/notify/out-of-order-commit.test.ts) instead of skipping them, as a follower over
 * "id > last id" would. Piped, one line per event; SIGINT ends it with 130.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/open-database.js';
import { HISTORY_LAYOUT } from '../../src/reports/layouts.js';
import { runCommand } from '../helpers/cli.js';
import { createTestDatabaseUrl } from '../helpers/databases.js';
import { launch, USER_ENV, type Launched } from '../helpers/processes.js';
import { commitOutOfOrder, image, listing, syncListings } from '../notify/notify-fixtures.js';

/** The follower runs as a real process: it ends only on a signal, and its exit code is the point. */
const startCli = (args: string[], env: Record<string, string>) => launch(args, { ...USER_ENV, ...env });
const lines = (run: Launched) => run.stdout().split('\n').filter((l) => l !== '');
const polls = (run: Launched) => run.stderr().split('\n').filter((l) => l.includes('history --follow: polled')).length;

describe('history --follow (CLI, postgres)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let h: DatabaseHandle;
  const runs: Launched[] = [];
  beforeAll(async () => {
    db = await createTestDatabaseUrl();
    h = await openDatabase({ databaseUrl: db.url, maxConnections: 4 });
  });
  afterAll(async () => {
    for (const r of runs) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await h?.close();
    await db?.drop();
  });

  it('prints changes as they commit, the out-of-order transaction\'s too, one JSON line each; SIGINT exits 130', { timeout: 180_000 }, async () => {
    const env = { DATABASE_URL: db.url, LOG_LEVEL: 'debug' };
    const json = startCli(['history', '--follow'], env);
    const table = startCli(['history', '--follow', '--format', 'table', '--kind', 'created', '--region', 'cn-hangzhou'], { ...env, COLUMNS: '80' });
    runs.push(json, table);
    await Promise.all([json, table].map((r) => r.output('following changes as syncs commit them')));

    await syncListings(h.db, listing('eu-central-1', [image('f-1', 'eu-central-1', { name: 'first' })]));
    await json.when(() => lines(json).length === 1, 'the first event');

    // Region A takes its event ids, then stays uncommitted while region B takes later ids and commits.
    const { release, regionA } = await commitOutOfOrder(h.db,
      listing('cn-hangzhou', [image('a-1', 'cn-hangzhou'), image('a-2', 'cn-hangzhou')]),
      listing('ap-southeast-1', [image('b-1', 'ap-southeast-1')]));
    // Both followers poll (at least twice) while B is committed and A is not: a follower over
    // "id > last id" would print b-1 now and never a-1, a-2.
    const seen = [polls(json), polls(table)];
    await Promise.all([json.when(() => polls(json) >= (seen[0] ?? 0) + 2, 'two polls while A is open'),
      table.when(() => polls(table) >= (seen[1] ?? 0) + 2, 'two polls while A is open')]);
    const whileOpen = lines(json).length;
    release();
    await regionA;
    await json.when(() => lines(json).length === 4, 'the out-of-order events');
    await table.when(() => lines(table).length === 2, 'the table lines');

    expect(whileOpen).toBe(1);
    const rows = lines(json).map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of rows) expect(Object.keys(r)).toEqual(HISTORY_LAYOUT.fields);
    expect(rows.map((r) => `${String(r.imageId)} ${String(r.kind)}`)).toEqual(['f-1 created', 'a-1 created', 'a-2 created', 'b-1 created']);
    // The forced order really happened: A's ids are below B's, and A committed last.
    const id = (image: string) => Number(rows.find((r) => r.imageId === image)?.eventId);
    expect(id('a-1')).toBeLessThan(id('b-1'));
    expect(id('a-2')).toBeLessThan(id('b-1'));

    // The table follower: only its filter's events, one line each, within 80 columns.
    // Kind first, then the change (a created image's status), the image, its name, account and region.
    expect(lines(table).map((l) => l.split(/\s{2,}/)).map((p) => [p[1], p[3], p.at(-1)])).toEqual([
      ['created', 'a-1', 'cn-hangzhou'], ['created', 'a-2', 'cn-hangzhou'],
    ]);
    for (const l of lines(table)) expect(l.length).toBeLessThanOrEqual(80);

    json.child.kill('SIGINT');
    table.child.kill('SIGINT');
    const [jsonExit, tableExit] = await Promise.all([json.exited, table.exited]);
    expect(jsonExit.code, json.stderr()).toBe(130);
    expect(tableExit.code).toBe(130);
    expect(json.stdout().endsWith('\n')).toBe(true);
  });

  it('refuses --since/--limit with --follow (exit 2); the read-only role follows; a role without the commit order gets one line (exit 2)', { timeout: 120_000 }, async () => {
    const suffix = randomBytes(4).toString('hex');
    const reader = `swas_follow_${suffix}`;
    const partial = `swas_nofollow_${suffix}`;
    const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
    await admin.unsafe(`create role ${reader} login in role swas_reader`);
    // Granted by hand the way a BI login might be: the history view and the schema journal, not the commit order.
    await admin.unsafe(`create role ${partial} login`);
    const own = postgres(db.url, { max: 1, onnotice: () => {} });
    await own.unsafe(`grant usage on schema swas, drizzle to ${partial}; grant select on swas.image_history, drizzle.__drizzle_migrations to ${partial}`);
    const urlOf = (role: string) => { const u = new URL(db.url); u.username = role; return u.toString(); };
    try {
      const follower = startCli(['history', '--follow'], { DATABASE_URL: urlOf(reader), LOG_LEVEL: 'info' });
      runs.push(follower);
      const [since, refused] = await Promise.all([
        runCommand(['history', '--follow', '--since', '1h'], { DATABASE_URL: db.url }),
        runCommand(['history', '--follow'], { DATABASE_URL: urlOf(partial), LOG_LEVEL: 'silent' }),
      ]);
      expect(since.code).toBe(2);
      expect(since.stderr).toMatch(/--follow prints changes committed from now on, oldest first: --since cannot go with it/);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toBe('swas-inventory: history --follow reads the commit order from swas.event_commit_order, which this role may not: GRANT SELECT ON swas.event_commit_order TO it (swas_reader has it)\n');

      // swas_reader follows: the commit order comes from swas.event_commit_order (0008), the rows from image_history.
      await follower.output('following changes as syncs commit them');
      await syncListings(h.db, listing('us-west-1', [image('r-1', 'us-west-1', { name: 'for the reader' })]));
      await follower.when(() => lines(follower).length === 1, 'the reader to print the event');
      expect(JSON.parse(lines(follower)[0] ?? '{}')).toMatchObject({ imageId: 'r-1', kind: 'created' });
      expect(follower.stderr()).not.toMatch(/permission denied/);
      follower.child.kill('SIGINT');
      expect((await follower.exited).code, follower.stderr()).toBe(130);
    } finally {
      await own.unsafe(`revoke all on all tables in schema swas, drizzle from ${partial}; revoke usage on schema swas, drizzle from ${partial}`).catch(() => undefined);
      await own.end();
      await admin.unsafe(`drop role if exists ${reader}`);
      await admin.unsafe(`drop role if exists ${partial}`);
      await admin.end();
    }
  });
});
