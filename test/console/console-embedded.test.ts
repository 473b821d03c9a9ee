/**
 * The console on the embedded PGlite database never keeps a sync out: the folder lock is held per
 * request (and a short linger), not for the server's life; a request made while a sync holds the
 * database waits briefly, then answers 503 saying why (issue 21).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleServerHandle } from '../../src/console/console-server.js';
import { consoleDatabase } from '../../src/console/database-access.js';
import { openDatabase } from '../../src/db/open-database.js';
import { createMigratedDataDir } from '../helpers/databases.js';
import { writeScriptedHistory } from '../reports/helpers/scripted-history.js';
import { startTestConsole } from './console-kit.js';

describe('console on the embedded database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'swas-console-'));
  const dataDir = join(dir, 'pgdata');
  let server: ConsoleServerHandle;

  beforeAll(async () => {
    createMigratedDataDir(dataDir);
    const h = await openDatabase({ dataDir });
    await writeScriptedHistory(h.db);
    await h.close();
    server = await startTestConsole(null, {
      database: consoleDatabase({ kind: 'pglite', open: () => openDatabase({ dataDir, dataDirWaitMs: 1_500 }) }),
    });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves pages, lets a writer in between requests, and says why while the writer holds the database', async () => {
    const first = await fetch(`${server.url}/images`, { headers: { Accept: 'application/json' } });
    expect(first.status).toBe(200);
    expect((await first.json() as unknown[]).length).toBe(3);

    // A /changes page left open keeps a stream that polls: it must leave gaps a sync can take.
    const stream = new AbortController();
    const live = await fetch(`${server.url}/changes/stream`, { signal: stream.signal });
    expect(live.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = live.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain(': connected');

    // What a sync does: take the folder. It gets it once the console's request (and linger) is over.
    const writer = await openDatabase({ dataDir, dataDirWaitMs: 30_000 });
    try {
      const busy = await fetch(`${server.url}/images`);
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('5');
      const text = await busy.text();
      expect(text).toContain('The embedded database is in use by another command');
      expect(text).toContain('a sync holds it while it writes');
      const json = await fetch(`${server.url}/runs`, { headers: { Accept: 'application/json' } });
      expect(json.status).toBe(503);
      expect(JSON.stringify(await json.json())).toMatch(/in use by another command/);
    } finally {
      await writer.close();
      stream.abort();
    }

    const again = await fetch(`${server.url}/`, { headers: { Accept: 'application/json' } });
    expect(again.status).toBe(200);
    expect((await again.json() as { runs: unknown[] }).runs).toHaveLength(5);
  }, 120_000);
});
