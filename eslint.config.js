// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.swas-inventory/**', 'migrations/**', 'coverage/**', '.bench-baseline/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The emulator must not agree with the sync code by construction: it shares only the wire shape.
    files: ['src/emulator/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['../*', '!../emulator/*'], message: 'src/emulator must not import from the rest of src/ (it shares nothing with the sync code but the wire shape).' }],
      }],
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
  {
    // The console is a runtime like the worker: it may use the reports library, db, domain, config
    // and ops, never the CLI above it.
    files: ['src/console/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/cli/*'], message: 'src/console is a runtime under the CLI: it may import the reports library, db, domain, config and ops, never src/cli.' }],
      }],
    },
  },
);
