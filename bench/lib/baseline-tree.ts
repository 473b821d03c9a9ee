/**
 * The code a figure is compared with, side by side in the same run: `src/` of an earlier commit,
 * extracted with `git archive` under `.bench-baseline/<commit>/` inside the repository (so its
 * imports resolve to this checkout's node_modules). The children load it through tsx like the
 * current tree. Null, with the reason, when git or that commit is not available (a shallow clone).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CURRENT_SRC = join(REPO_ROOT, 'src');

/** The last commit before issue 12 (per-region cost) changed src/: "today's" code of that issue. */
export const ISSUE_12_BASELINE = '3879844';

export function baselineSrc(commit: string): { src: string } | { unavailable: string } {
  const dir = join(REPO_ROOT, '.bench-baseline', commit);
  const src = join(dir, 'src');
  if (existsSync(join(src, 'sync', 'run-sync.ts'))) return { src };
  try {
    mkdirSync(dir, { recursive: true });
    // src/ has outgrown execFileSync's default 1 MB buffer (ENOBUFS): allow the whole tar.
    const tar = execFileSync('git', ['-C', REPO_ROOT, 'archive', '--format=tar', commit, 'src', 'migrations', 'package.json'], { maxBuffer: 256 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    return { src };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { unavailable: `commit ${commit} could not be extracted (${(error as Error).message.split('\n')[0]})` };
  }
}
