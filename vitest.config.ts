import { defineConfig } from 'vitest/config';
import { LongFirstSequencer } from './test/helpers/long-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Files run in parallel (each owns its database and queue names). Three at a time on this
    // 2-core machine: a third of the suite's file time is waiting on real timeouts (silences,
    // connect bounds, lapsing locks), and a third file uses the cores those waits leave idle. Two
    // clean-clone runs back to back under the same load (7-10): 2 files at a time 512 s, 3 at a
    // time 335 s.
    maxWorkers: 3,
    // Files marked @long-running (real timeouts waited out) start first, so none is left alone at the end.
    sequence: { sequencer: LongFirstSequencer },
  },
});
