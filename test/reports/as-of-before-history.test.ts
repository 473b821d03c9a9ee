/**
 * `images --as-of` before the first sync (issue 22 #8) asks about a time the inventory was not yet
 * known: it fails with the resolved time and when history starts, exit 2, instead of `(none)`
 * with exit 0, which read as "there were no images then".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/databases.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { UsageError } from '../../src/domain/errors.js';
import { runReportCommand } from './helpers/run-command.js';
import { NOW, T, writeScriptedHistory } from './helpers/scripted-history.js';

describe('images --as-of before the history starts', () => {
  let h: DatabaseHandle;
  beforeAll(async () => {
    h = await createTestDatabase('pglite');
    await writeScriptedHistory(h.db);
  });
  afterAll(async () => h?.close());

  const images = (...args: string[]) => runReportCommand(h, ['images', ...args, '--format', 'json'], { now: NOW });

  it('says when history starts and what the time resolved to', async () => {
    const refused = images('--as-of', '2025-12-31T23:00:00Z');
    await expect(refused).rejects.toThrow(UsageError);
    await expect(refused).rejects.toThrow(
      `--as-of 2025-12-31T23:00:00.000Z is before the history starts (the first sync, ${T.T1}): the inventory is only known from then`);
  });

  it('from the start on, it answers', async () => {
    const res = await images('--as-of', T.T1);
    expect({ code: res.exitCode, ids: (JSON.parse(res.out) as Array<{ imageId: string }>).map((r) => r.imageId).sort() })
      .toEqual({ code: 0, ids: ['m-1', 'm-3', 'm-4'] });
  });
});
