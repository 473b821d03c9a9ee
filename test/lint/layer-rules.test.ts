/**
 * The layer rules are the lint config's (eslint.config.js): these lint real source paths with a
 * changed text, so a back-up import, commander outside src/cli/, an import into the emulator and a
 * promise nobody awaits each fail `npm run lint`, and an import down the layers passes.
 */
import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('lint: imports run down the layers', () => {
  // The first lint starts TypeScript's project service (seconds, a minute on a busy machine).
  beforeAll(async () => { await problems('src/domain/vocabulary.ts', 'export {};\n'); }, 300_000);

  it.each([
    ['src/cloud/list-regions.ts', "import { runSync } from '../sync/run-sync.js';\nexport const x = runSync;\n", 'src/cloud may import only'],
    ['src/reports/run-reports.ts', "import { EXIT } from '../cli/exit-codes.js';\nexport const x = EXIT;\n", 'src/reports may import only'],
    ['src/reports/format/format-json.ts', "import { RUNS_QUEUE } from '../../worker/queue-names.js';\nexport const x = RUNS_QUEUE;\n", 'src/reports may import only'],
    ['src/ops/metrics.ts', "import { queryRows } from '../db/database.js';\nexport const x = queryRows;\n", 'src/ops may import only'],
    ['src/domain/vocabulary.ts', "import { loadConfig } from '../config/env.js';\nexport const x = loadConfig;\n", 'src/domain may import only nothing else'],
    ['src/notify/notifier.ts', "import { RUNS_QUEUE } from '../worker/queue-names.js';\nexport const x = RUNS_QUEUE;\n", 'src/notify may import only'],
    ['src/db/database.ts', "import { Command } from 'commander';\nexport const x = Command;\n", 'Only src/cli/ imports commander'],
    ['src/emulator/prng.ts', "import { loadConfig } from '../config/env.js';\nexport const x = loadConfig;\n", 'src/emulator must not import'],
    ['src/cli/program.ts', "import { startEmulator } from '../emulator/index.js';\nexport const x = startEmulator;\n", 'only src/cli/commands/emulator.ts imports the emulator'],
  ])('%s: a back-up import fails', async (file, code, message) => {
    const found = await problems(file, code);
    expect(found.filter((p) => p.startsWith('no-restricted-imports'))).toEqual([expect.stringContaining(message)]);
  });

  it('imports down the layers pass', async () => {
    expect(await problems('src/sync/run-sync.ts',
      "import { classifyApiError } from '../cloud/classify-api-error.js';\nimport { EVENT_KINDS } from '../domain/vocabulary.js';\nexport const x = [classifyApiError, EVENT_KINDS];\n")).toEqual([]);
    expect(await problems('src/worker/overlap.ts',
      "import { listRuns } from '../reports/run-reports.js';\nimport { ensureCursor } from '../notify/scan-events.js';\nexport const x = [listRuns, ensureCursor];\n")).toEqual([]);
  });

  it('a promise nobody awaits fails (type-aware no-floating-promises)', async () => {
    const code = 'async function work(): Promise<void> {}\nexport function start(): void {\n  work();\n}\n';
    expect(await problems('src/sync/run-sync.ts', code)).toEqual([expect.stringMatching(/^@typescript-eslint\/no-floating-promises: /)]);
    expect(await problems('src/sync/run-sync.ts', code.replace('  work();', '  // fire and forget: a test of the rule\n  void work();'))).toEqual([]);
  });
});

describe('docs/ARCHITECTURE.md states the lint config\'s layers', () => {
  it('its Layers table lists, for every layer, exactly what LAYERS lets it import', async () => {
    const config: string = '../../eslint.config.js';
    const { LAYERS } = await import(config) as { LAYERS: Record<string, string[]> };
    const doc = readFileSync(new URL('../../docs/ARCHITECTURE.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## Layers'), doc.indexOf('## Commands'));
    const table: Record<string, string[]> = {};
    for (const line of section.split('\n')) {
      const cells = line.split('|').map((c) => c.trim());
      const folder = /^`(\w+)`$/.exec(cells[1] ?? '')?.[1];
      if (folder === undefined || folder === 'cli' || folder === 'emulator') continue;
      table[folder] = [...(cells[3] ?? '').matchAll(/`(\w+)`/g)].map((m) => m[1] ?? '');
    }
    expect(table).toEqual(LAYERS);
  });
});
