/**
 * The built program, for the tests where a real process is the point (signals, exit codes, locks,
 * pipes): `dist/` compiled once per test run by global setup, and only when a source is newer than
 * the last build, so one file run on an unchanged tree pays nothing. A process started from it
 * loads plain JavaScript (no tsx transpiling the whole program at each start, which took seconds
 * per process on a loaded machine). Emit only (`--noCheck`): `npm run typecheck` checks the types.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import lockfile from 'proper-lockfile';

const ROOT = resolve(import.meta.dirname, '../..');
const DIST = join(ROOT, 'dist');
/** Its mtime is the start of the last test build: sources older than that are in dist/. */
const STAMP = join(DIST, '.test-build');
/** The program and the test fixtures that run as processes (tsconfig.test-build.json). */
const CONFIG = 'tsconfig.test-build.json';

/** `dist/src/cli/main.js`: the `swas-inventory` binary as installed. */
export const BUILT_MAIN = join(DIST, 'src/cli/main.js');

/** The built form of a test fixture: `test/fixtures/x.ts` -> `dist/test/fixtures/x.js`. */
export function builtFixture(sourcePath: string): string {
  return join(DIST, relative(ROOT, resolve(ROOT, sourcePath)).replace(/\.ts$/, '.js'));
}

/** Builds dist/ unless it is newer than every input; one build at a time per clone. */
export async function buildForTests(): Promise<void> {
  if (!isStale()) return;
  mkdirSync(DIST, { recursive: true });
  const release = await lockfile.lock(DIST, {
    lockfilePath: `${DIST}.test-build.lock`, realpath: false, stale: 120_000,
    retries: { retries: 600, minTimeout: 200, maxTimeout: 500 },
  });
  try {
    if (!isStale()) return; // another run built it while this one waited
    const started = new Date();
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    await promisify(execFile)(process.execPath, [tsc, '-p', CONFIG, '--noCheck'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 })
      .catch((err: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`building dist/ for the process tests failed:\n${err.stdout ?? ''}${err.stderr ?? err.message}`);
      });
    writeFileSync(STAMP, '');
    utimesSync(STAMP, started, started);
  } finally {
    await release();
  }
}

function isStale(): boolean {
  if (!existsSync(STAMP) || !existsSync(BUILT_MAIN)) return true;
  const built = statSync(STAMP).mtimeMs;
  const inputs = ['package.json', 'tsconfig.json', 'tsconfig.build.json', CONFIG].map((f) => join(ROOT, f));
  return [...inputs, ...sourcesUnder(join(ROOT, 'src')), ...sourcesUnder(join(ROOT, 'test'), 'fixtures')]
    .some((path) => statSync(path).mtimeMs > built);
}

/** Every folder (a deleted or moved file changes its folder's mtime) and .ts file under `dir`. */
function sourcesUnder(dir: string, onlyFolder?: string): string[] {
  const out: string[] = [];
  const walk = (d: string, inside: boolean): void => {
    if (inside) out.push(d);
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path, inside || entry.name === onlyFolder);
      else if (inside && entry.name.endsWith('.ts')) out.push(path);
    }
  };
  walk(dir, onlyFolder === undefined);
  return out;
}
