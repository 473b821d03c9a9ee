/**
 * The compiled CLI (`dist/`, what README's "Running it for real" and the Dockerfile run), built
 * with the project's own build and run as `node dist/src/cli/main.js`, never through tsx: the
 * memory figures are those of what ships.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { REPO_ROOT } from './baseline-tree.js';

const run = promisify(execFile);
let built: Promise<void> | undefined;

/** `tsc -p tsconfig.build.json`, once per bench run. */
export function buildCli(): Promise<void> {
  built ??= run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT }).then(() => undefined);
  return built;
}

export interface CliRun {
  stdout: string;
  maxRssBytes: number;
  startRssBytes: number;
}

/** Runs the compiled CLI with `args` and `env`; returns its output and its peak RSS. */
export async function runCompiledCli(args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<CliRun> {
  await buildCli();
  const dir = mkdtempSync(join(tmpdir(), 'swas-bench-rss-'));
  const rssFile = join(dir, 'rss.json');
  try {
    const preload = fileURLToPath(new URL('./report-max-rss.mjs', import.meta.url));
    const { stdout } = await run(process.execPath, [...nodeArgs, '--import', preload, join(REPO_ROOT, 'dist/src/cli/main.js'), ...args], {
      cwd: REPO_ROOT, env: { ...process.env, ...env, SWAS_BENCH_RSS_FILE: rssFile }, maxBuffer: 64 * 2 ** 20,
    });
    const rss = JSON.parse(readFileSync(rssFile, 'utf8')) as { maxRssBytes: number; startRssBytes: number };
    return { stdout, ...rss };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
