// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, top to bottom, and what each folder may import besides itself
 * (docs/ARCHITECTURE.md states the same table). Imports run down only: a folder never imports one
 * above it or a sibling not listed. `cli` (the commands) may import every layer; the emulator
 * imports nothing and only its command file (src/cli/commands/emulator.ts) imports it.
 */
export const LAYERS = {
  worker: ['notify', 'reports', 'sync', 'cloud', 'db', 'domain', 'config', 'ops'],
  console: ['notify', 'reports', 'sync', 'cloud', 'db', 'domain', 'config', 'ops'],
  notify: ['reports', 'sync', 'cloud', 'db', 'domain', 'config', 'ops'],
  reports: ['sync', 'cloud', 'db', 'domain', 'config', 'ops'],
  sync: ['cloud', 'db', 'domain', 'config', 'ops'],
  cloud: ['domain', 'config', 'ops'],
  db: ['domain', 'config', 'ops'],
  ops: ['domain', 'config'],
  config: ['domain'],
  domain: [],
};
const FOLDERS = ['cli', 'emulator', ...Object.keys(LAYERS)];

/** Only the commands parse a command line. */
const COMMANDER = { name: 'commander', message: 'Only src/cli/ imports commander: put the command in src/cli/commands/ and call down into a library function.' };

/** no-restricted-imports for a folder of src/ that may import only `allowed` (and itself). */
function layerRule(/** @type {string} */ folder, /** @type {string[]} */ allowed) {
  const forbidden = FOLDERS.filter((f) => f !== folder && !allowed.includes(f));
  return ['error', {
    paths: [COMMANDER],
    patterns: forbidden.map((f) => ({
      group: [`../${f}/**`, `../../${f}/**`, `../../../${f}/**`],
      message: `src/${folder} may import only ${allowed.length > 0 ? allowed.map((a) => `src/${a}`).join(', ') : 'nothing else in src/'} ` +
        '(imports run down the layers: docs/ARCHITECTURE.md).',
    })),
  }];
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.swas-inventory/**', 'migrations/**', 'coverage/**', '.bench-baseline/**', 'test/lint/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Type-aware rules: a promise nobody awaits loses its rejection (an unhandled rejection ends the process).
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The console's scripts run in the browser as they are (no build step).
    files: ['src/console/assets/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(['window', 'document', 'localStorage', 'EventSource', 'Intl', 'uPlot', 'setTimeout', 'clearTimeout'].map((g) => [g, 'readonly'])),
    },
  },
  ...Object.entries(LAYERS).map(([folder, allowed]) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': layerRule(folder, allowed) },
  })),
  {
    // The emulator must not agree with the sync code by construction: it shares only the wire shape.
    files: ['src/emulator/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [COMMANDER],
        patterns: [{ group: ['../*', '!../emulator/*'], message: 'src/emulator must not import from the rest of src/ (it shares nothing with the sync code but the wire shape).' }],
      }],
    },
  },
  {
    // The commands may import every layer; the emulator only through its own command (and the demo, which runs one).
    files: ['src/cli/**/*.ts'],
    ignores: ['src/cli/commands/emulator.ts', 'src/cli/demo-inventory.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['../emulator/**', '../../emulator/**'], message: 'only src/cli/commands/emulator.ts imports the emulator.' }],
      }],
    },
  },
);
