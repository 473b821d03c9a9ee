/**
 * `--version` and `--help` start without the database drivers, PGlite, the SDK, zod or pino: the
 * program is built from small modules and each command's action imports what it runs (see the
 * note in src/cli/program.ts). Checked by what the built program actually imported, not by timing
 * (the time is `npm run bench -- --only startup`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtFixture } from '../helpers/built-program.js';
import { launch, USER_ENV } from '../helpers/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'swas-startup-imports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The packages (node_modules) the built program imported for `args`, and its exit and output. */
async function importsOf(name: string, args: string[]) {
  const file = join(dir, `${name}.txt`);
  const p = launch(args, { ...USER_ENV, SWAS_RECORD_IMPORTS: file, SWAS_DATA_DIR: join(dir, 'never-opened') },
    { nodeArgs: ['--import', builtFixture('test/fixtures/record-imports.ts')] });
  const exit = await p.exited;
  const urls = readFileSync(file, 'utf8').trim().split('\n');
  const packages = [...new Set(urls.flatMap((u) => {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
    return m ? [m[1]!] : [];
  }))].sort();
  return { code: exit.code, stdout: p.stdout(), stderr: p.stderr(), packages, urls };
}

describe('start-up imports', () => {
  it('--version, --help and a command\'s --help load commander and nothing else from node_modules', async () => {
    for (const [name, args] of [['version', ['--version']], ['help', ['--help']], ['images-help', ['images', '--help']], ['sync-help', ['sync', '--help']]] as const) {
      const r = await importsOf(name, [...args]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toBe('');
      expect(r.packages, `${args.join(' ')} imported`).toEqual(['commander']);
      expect(r.urls.filter((u) => /\/src\/(db|cloud|sync|worker\/start-worker|notify|console)\//.test(u) && !/\/db\/(find-database-error|package-root)\.js$/.test(u))).toEqual([]);
    }
  });

  it('history --follow on the embedded database refuses before PGlite or the follower loads (and the recorder sees what did load)', async () => {
    const r = await importsOf('history-follow', ['history', '--follow']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^swas-inventory: history --follow needs PostgreSQL \(DATABASE_URL\)/);
    expect(r.packages).toContain('zod'); // the configuration was read: the recorder records
    expect(r.packages.filter((p) => /pglite|drizzle|postgres|pino|cli-table3/.test(p))).toEqual([]);
  });
});
