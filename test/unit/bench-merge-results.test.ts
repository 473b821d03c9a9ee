/** bench/results.json keeps the latest result of every case: a run of some cases replaces only theirs. */
import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../../bench/lib/case-result.js';
import { mergeResults, type ResultsFile } from '../../bench/lib/merge-results.js';

const result = (id: string, value: number): CaseResult => ({ id, title: id, figures: [{ metric: 'm', value, unit: 'x' }], details: {}, notes: [] });
const ORDER = ['region-cost', 'fan-out', 'resync', 'ingest'];
const run = (mode: 'quick' | 'full', at: string, results: CaseResult[], errors: ResultsFile['errors'] = []) =>
  ({ mode, startedAt: at, finishedAt: at, machine: { nproc: 2 }, results, errors });

describe('bench results file', () => {
  it('a case run alone replaces its own result and keeps every other case, in the runner order', () => {
    const full = mergeResults(null, run('full', 'T1', [result('region-cost', 1), result('fan-out', 2), result('ingest', 3)]), ORDER);
    const alone = mergeResults(full, run('full', 'T2', [result('fan-out', 20)]), ORDER);
    expect(alone.results.map((r) => [r.id, r.figures[0]?.value, r.measured?.startedAt])).toEqual([
      ['region-cost', 1, 'T1'], ['fan-out', 20, 'T2'], ['ingest', 3, 'T1'],
    ]);
    expect(alone).toMatchObject({ startedAt: 'T2', judged: true, errors: [] });
  });

  it('a file written before results carried their run: its top-level run becomes theirs', () => {
    const legacy = { mode: 'full' as const, startedAt: 'T0', finishedAt: 'T0', machine: { nproc: 2 }, judged: true, results: [result('region-cost', 1)], errors: [] };
    const merged = mergeResults(legacy, run('full', 'T2', [result('resync', 5)]), ORDER);
    expect(merged.results.map((r) => [r.id, r.measured?.startedAt])).toEqual([['region-cost', 'T0'], ['resync', 'T2']]);
  });

  it('a crashed case keeps its previous result, and the file says the run crashed it; quick results are not judged', () => {
    const first = mergeResults(null, run('full', 'T1', [result('ingest', 3)]), ORDER);
    const crashed = mergeResults(first, run('quick', 'T2', [result('resync', 1)], [{ id: 'ingest', error: 'boom' }]), ORDER);
    expect(crashed.results.map((r) => [r.id, r.measured?.mode])).toEqual([['resync', 'quick'], ['ingest', 'full']]);
    expect(crashed.errors).toEqual([{ id: 'ingest', error: 'boom' }]);
    expect(crashed.judged).toBe(false);
  });
});
