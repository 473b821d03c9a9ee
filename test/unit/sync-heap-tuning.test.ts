import { describe, expect, it } from 'vitest';
import { tuneHeapForOneShotSync } from '../../src/cli/sync-heap-tuning.js';

describe('tuneHeapForOneShotSync', () => {
  it('sets the growing factor unless the user chose one, on the command line or in NODE_OPTIONS', () => {
    expect(tuneHeapForOneShotSync([], '')).toBe(true);
    expect(tuneHeapForOneShotSync(['--max-old-space-size=512'], '--trace-gc')).toBe(true);
    expect(tuneHeapForOneShotSync(['--heap-growing-percent=80'], '')).toBe(false);
    expect(tuneHeapForOneShotSync([], '--trace-gc --heap_growing_percent=20')).toBe(false);
    expect(tuneHeapForOneShotSync(['--heap-growing-percent', '80'], '')).toBe(false);
  });
});
