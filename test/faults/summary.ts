/**
 * The suite's figures: scenarios passed / total, bad inputs tried, events expected / lost / extra,
 * false deletions. Each test file records its own part and, when it ends, writes it to a directory
 * shared by the files of this vitest run (keyed by the vitest main process), then prints the
 * aggregate of every part there so far and writes it to summary.json beside them. The last file to
 * finish prints the whole run's figures.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { it } from 'vitest';
import type { EventLogReport } from './convergence.js';

export interface SummaryPart {
  file: string;
  scenarios: Array<{ name: string; passed: boolean; ms: number }>;
  badInputs: { tried: number; stored: number; failedCleanly: number };
  events: { expected: number; actual: number; lost: number; extra: number; falseDeletions: number };
  /** Processes that died of the known postgres.js defect (porsager/postgres#1208) in the restart scenario. */
  knownCrashes?: number;
}

export interface Summary {
  scenariosPassed: number;
  scenariosTotal: number;
  badInputsTried: number;
  badInputsStored: number;
  badInputsFailedCleanly: number;
  eventsExpected: number;
  eventsRecorded: number;
  eventsLost: number;
  eventsExtra: number;
  falseDeletions: number;
  knownCrashes: number;
  files: string[];
  scenarios: Array<{ file: string; name: string; passed: boolean; ms: number }>;
}

/** Where this run's parts go. Vitest runs test files in child processes of one main process. */
export function summaryDir(): string {
  const dir = join(tmpdir(), `swas-faults-${process.env.SWAS_FAULTS_RUN ?? String(process.ppid)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export class SummaryRecorder {
  readonly part: SummaryPart;
  /** Every event-log comparison of this file; see expectEventLog's `stats`. */
  readonly eventStats: EventLogReport[] = [];

  constructor(testFile: string) {
    this.part = {
      file: basename(testFile),
      scenarios: [],
      badInputs: { tried: 0, stored: 0, failedCleanly: 0 },
      events: { expected: 0, actual: 0, lost: 0, extra: 0, falseDeletions: 0 },
    };
  }

  /** An `it` whose outcome is counted: passed only if the body returned without throwing. */
  scenario(name: string, body: () => Promise<void>, timeoutMs?: number): void {
    it(name, async () => {
      const started = Date.now();
      let passed = false;
      try {
        await body();
        passed = true;
      } finally {
        this.part.scenarios.push({ name, passed, ms: Date.now() - started });
      }
    }, timeoutMs);
  }

  /** Writes this file's part, prints the aggregate so far and writes it to summary.json. */
  flush(): Summary {
    for (const s of this.eventStats) {
      this.part.events.expected += s.expected;
      this.part.events.actual += s.actual;
      this.part.events.lost += s.lost;
      this.part.events.extra += s.extra;
      this.part.events.falseDeletions += s.falseDeletions;
    }
    this.eventStats.length = 0;
    const dir = summaryDir();
    writeFileSync(join(dir, `${this.part.file}.part.json`), JSON.stringify(this.part, null, 2));
    const parts = readdirSync(dir).filter((f) => f.endsWith('.part.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as SummaryPart);
    const summary = aggregate(parts);
    const path = join(dir, 'summary.json');
    writeFileSync(path, JSON.stringify(summary, null, 2));
    process.stdout.write(`\n[fault suite] ${formatSummary(summary)} (${summary.files.length} file(s) so far; ${path})\n`);
    return summary;
  }
}

export function aggregate(parts: readonly SummaryPart[]): Summary {
  const scenarios = parts.flatMap((p) => p.scenarios.map((s) => ({ file: p.file, ...s })));
  const sum = (f: (p: SummaryPart) => number) => parts.reduce((n, p) => n + f(p), 0);
  return {
    scenariosPassed: scenarios.filter((s) => s.passed).length,
    scenariosTotal: scenarios.length,
    badInputsTried: sum((p) => p.badInputs.tried),
    badInputsStored: sum((p) => p.badInputs.stored),
    badInputsFailedCleanly: sum((p) => p.badInputs.failedCleanly),
    eventsExpected: sum((p) => p.events.expected),
    eventsRecorded: sum((p) => p.events.actual),
    eventsLost: sum((p) => p.events.lost),
    eventsExtra: sum((p) => p.events.extra),
    falseDeletions: sum((p) => p.events.falseDeletions),
    knownCrashes: sum((p) => p.knownCrashes ?? 0),
    files: parts.map((p) => p.file).sort(),
    scenarios,
  };
}

export function formatSummary(s: Summary): string {
  return `scenarios ${s.scenariosPassed}/${s.scenariosTotal} passed; bad inputs tried ${s.badInputsTried} ` +
    `(${s.badInputsStored} stored faithfully, ${s.badInputsFailedCleanly} failed their region cleanly); ` +
    `events expected ${s.eventsExpected}, recorded ${s.eventsRecorded}, lost ${s.eventsLost}, extra ${s.eventsExtra}; ` +
    `false deletions ${s.falseDeletions}; processes killed by the known postgres.js defect ${s.knownCrashes}`;
}
