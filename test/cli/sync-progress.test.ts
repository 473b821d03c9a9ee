/**
 * `sync` on a terminal (a real pseudo-terminal from util-linux `script`): a progress line on
 * stderr that updates as regions finish, then the summary, and nothing after it (the built
 * program under `script`: a real terminal is the point). Piped (in-process, stderr a pipe): no
 * progress, JSON on stdout.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.js';
import { progressLine } from '../../src/cli/sync-progress.js';
import { BUILT_MAIN } from '../helpers/built-program.js';
import { runCommand } from '../helpers/cli.js';
import { createTestDatabase } from '../helpers/databases.js';

const run = promisify(execFile);

function env(databaseUrl: string): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TERM: 'xterm', COLUMNS: '100', NO_COLOR: '1',
    DATABASE_URL: databaseUrl, SWAS_DATA_DIR: mkdtempSync(join(tmpdir(), 'swas-progress-')) };
}

describe('sync progress', () => {
  it('the line (pure)', () => {
    expect(progressLine({ total: null, done: 0, images: 0, failed: 0, incomplete: 0, elapsedMs: 400 })).toBe('sync: listing regions, 0 images, 0s');
    expect(progressLine({ total: 12, done: 3, images: 340, failed: 1, incomplete: 2, elapsedMs: 75_000 }))
      .toBe('sync: 3/12 regions, 340 images, 1 failed, 2 incomplete, 1m');
  });

  let tty: DatabaseHandle;
  let piped: DatabaseHandle;
  beforeAll(async () => {
    [tty, piped] = await Promise.all([createTestDatabase('postgres'), createTestDatabase('postgres')]);
  });
  afterAll(async () => {
    await tty?.close();
    await piped?.close();
  });

  it('on a terminal: the progress line updates, then the summary comes last; piped: no progress, JSON', async () => {
    const command = `${process.execPath} ${BUILT_MAIN} sync --demo`;
    const [terminal, pipe] = await Promise.all([
      // -q quiet, -f flush as written, -e the child's exit code, -c the command; the typescript goes to /dev/null.
      run('script', ['-qfec', command, '/dev/null'], { env: env(tty.location), maxBuffer: 16 << 20 }),
      runCommand(['sync', '--demo'], { ...env(piped.location), LOG_LEVEL: undefined }),
    ]);
    const screen = terminal.stdout;
    const states = [...screen.matchAll(/sync: (listing regions|(\d+)\/4 regions)/g)].map((m) => m[1]);
    // Seen at least at the start and after every region.
    expect(states).toContain('0/4 regions');
    expect(states).toContain('4/4 regions');
    expect(new Set(states).size).toBeGreaterThanOrEqual(3);
    expect(screen).toContain('\r\u001b[2K'); // redrawn in place
    const lastProgress = screen.lastIndexOf('sync: ');
    const summary = screen.indexOf('ACCOUNT');
    expect(summary).toBeGreaterThan(lastProgress);
    const afterSummary = screen.slice(summary);
    expect(afterSummary).toMatch(/run [0-9a-f-]{36}: succeeded/);
    // Nothing but the summary and the demo's closing hint after it: no log lines, no progress.
    expect(afterSummary).not.toMatch(/INFO|WARN|sync: /);

    expect(pipe.code, pipe.stderr).toBe(0);
    expect(pipe.stderr).not.toContain('sync: ');
    expect(JSON.parse(pipe.stdout)).toMatchObject({ status: 'succeeded', regions: expect.any(Array) as unknown });
  }, 300_000); // two demo syncs (one in a child process) on a loaded machine
});
