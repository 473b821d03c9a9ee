import { defineConfig } from 'vitest/config';
import { LongFirstSequencer } from './test/helpers/long-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2 cores here; integration tests each own their database and queue names, so files run in parallel.
    maxWorkers: 2,
    // Files marked @long-running (real timeouts waited out) start first, so none is left alone at the end.
    sequence: { sequencer: LongFirstSequencer },
  },
});
