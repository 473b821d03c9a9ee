import { defineConfig } from 'vitest/config';

/**
 * `npm run soak`: the long fault soaks (test/soak/*.soak.ts), excluded from `npm test`. Same
 * service discovery as the main suite (DATABASE_URL / REDIS_URL, or testcontainers). Rounds:
 * SWAS_SOAK_ROUNDS (default 40); the fault PRNG seed: SWAS_SOAK_SEED (default: random, printed).
 */
export default defineConfig({
  test: {
    include: ['test/soak/**/*.soak.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
  },
});
