/**
 * The postgres.js defects that killed our processes under 3.4.x stay fixed in the driver we ship
 * (docs/RELIABILITY.md, "Postgres driver"): porsager/postgres#1192 (a failed internal type-catalog
 * query became an unhandled rejection). #1208 (`nextWrite` on a closed socket) is proven by the
 * restart scenarios in test/faults/worker-pg-restart.test.ts.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createTestDatabaseUrl } from '../helpers/databases.js';
import { runProcess } from '../helpers/processes.js';

/** A process of its own (built once, test/helpers/built-program.ts): an unhandled rejection would end it. */
const FIXTURE = 'test/db/fixtures/types-read-denied.ts';

describe('postgres.js defects of 3.4.x', () => {
  it('#1192: a connection that cannot read the type catalog fails its own query and the process lives', async () => {
    const db = await createTestDatabaseUrl();
    const role = `swas_t_noread_${randomBytes(4).toString('hex')}`;
    const admin = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create role ${role} login`);
      await admin.unsafe('revoke select on pg_catalog.pg_type from public');
      await admin.unsafe(`create type mood as enum ('sad', 'ok')`);
      const url = new URL(db.url);
      url.username = role;
      const child = await runProcess([url.toString()], {}, { fixture: FIXTURE });
      expect(child.code, child.stderr).toBe(0);
      process.stderr.write(child.stdout);
      expect(child.stdout).toContain('bare: [1,2]');
      // The enum array either comes back (as text, the driver not knowing the type) or the query
      // rejects on its own; never an unhandled rejection.
      expect(child.stdout).toMatch(/^product: (answered|rejected) /m);
      expect(child.stdout).toMatch(/alive\n$/);
      expect(child.stderr).not.toMatch(/permission denied|Unhandled|uncaught/i);
    } finally {
      await admin.unsafe(`drop role if exists ${role}`).catch(() => undefined);
      await admin.end();
      await db.drop();
    }
  }, 120_000);
});
