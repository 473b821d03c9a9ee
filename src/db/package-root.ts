import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding this package's package.json. Code runs both from `src/` (tsx, vitest) and from
 * `dist/src/` (the built bin), so paths to shipped files (migrations/) are found by walking up.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'migrations'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('swas-inventory: cannot find the package root (package.json + migrations/)');
    dir = parent;
  }
}

export const migrationsFolder = (): string => join(packageRoot(), 'migrations');
