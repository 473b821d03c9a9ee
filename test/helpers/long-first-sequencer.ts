/**
 * Runs the suite's long files first. Vitest orders files by the durations it cached on the last
 * run, and on a clean clone (CI, a newcomer's first `npm test`), with no cache, by discovery order:
 * there a 60 s silent-path scenario could start last and leave one worker busy for a minute after
 * the other finished (372 s measured, of which the last 65 s was one file). A file says it is long
 * with a `@long-running` comment in its first lines (with why: the real timeouts it waits out), and
 * those start first; the rest keep vitest's own order.
 */
import { openSync, readSync, closeSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const MARK = '@long-running';
const HEAD_BYTES = 2_048;

function head(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    return buffer.toString('utf8', 0, readSync(fd, buffer, 0, HEAD_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

export function isLongRunning(path: string): boolean {
  return head(path).includes(MARK);
}

export class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const long = sorted.filter((f) => isLongRunning(f.moduleId));
    return [...long, ...sorted.filter((f) => !long.includes(f))];
  }
}
