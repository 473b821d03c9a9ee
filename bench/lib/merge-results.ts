/**
 * The results file keeps the latest result of every case: a run of some cases (`--only`) replaces
 * those cases' entries and keeps the others' as they were measured. Each entry says when, on what
 * machine and in which mode it was measured, since one file now holds several runs. Pure.
 */
import type { CaseResult } from './case-result.js';

export interface Measured {
  startedAt: string;
  finishedAt: string;
  mode: 'quick' | 'full';
  judged: boolean;
  machine: unknown;
}

export type SavedResult = CaseResult & { measured?: Measured };

export interface ResultsFile {
  /** The last run's. */
  mode: 'quick' | 'full';
  startedAt: string;
  finishedAt: string;
  machine: unknown;
  /** Every result in the file was judged (a quick run's figures are not). */
  judged: boolean;
  results: SavedResult[];
  /** The last run's crashed cases (their previous result, if any, stays in `results`). */
  errors: Array<{ id: string; error: string }>;
}

/**
 * `previous` is the file as read (null when absent or unreadable); `order` the runner's case ids, so
 * the file lists cases in one order whatever ran last.
 */
export function mergeResults(previous: Partial<ResultsFile> | null, run: Omit<ResultsFile, 'results' | 'judged'> & { results: CaseResult[] },
  order: readonly string[]): ResultsFile {
  const measured: Measured = { startedAt: run.startedAt, finishedAt: run.finishedAt, mode: run.mode, judged: run.mode === 'full', machine: run.machine };
  const byId = new Map<string, SavedResult>();
  for (const r of previous?.results ?? []) {
    // A file written before results carried their own run: its top-level run is theirs.
    byId.set(r.id, r.measured ? r : { ...r, measured: legacyMeasured(previous ?? {}) });
  }
  for (const r of run.results) byId.set(r.id, { ...r, measured });
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
  const results = [...byId.values()].sort((a, b) => rank(a.id) - rank(b.id) || (a.id < b.id ? -1 : 1));
  return {
    mode: run.mode, startedAt: run.startedAt, finishedAt: run.finishedAt, machine: run.machine,
    judged: results.every((r) => r.measured?.judged !== false),
    results,
    errors: run.errors,
  };
}

function legacyMeasured(file: Partial<ResultsFile>): Measured {
  return {
    startedAt: file.startedAt ?? '', finishedAt: file.finishedAt ?? '', mode: file.mode ?? 'full',
    judged: file.judged ?? file.mode !== 'quick', machine: file.machine ?? null,
  };
}
