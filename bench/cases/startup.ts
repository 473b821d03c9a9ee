/**
 * Start-up of the compiled CLI (issue 22 #11): `--version`, `--help`, a report on the embedded
 * database and `history --follow`'s refusal on it, each against `node -e ''` measured in the same
 * run, interleaved round by round so load drifts alike. CPU time (user + system of the process,
 * recorded at its exit) is the judged figure: on a shared machine wall time measures the neighbours.
 * The goals as ratios to `node -e ''` (about 40-50 ms of CPU on an idle machine): `--version` and
 * `--help` within 3x (about 150 ms), the embedded report within 30x (about 1.5 s), the refusal
 * within 6x (it loads the configuration, never PGlite).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../lib/baseline-tree.js';
import { judge, round, type CaseResult, type Figure } from '../lib/case-result.js';
import { buildCli } from '../lib/compiled-cli.js';
import { nowMs } from '../lib/timing.js';

interface Sample { cpuMs: number; wallMs: number; code: number }

const MAIN = join(REPO_ROOT, 'dist/src/cli/main.js');
const PRELOAD = fileURLToPath(new URL('../lib/report-cpu.mjs', import.meta.url));

/** One process: its exit code, the wall time seen from here and the CPU time it recorded at exit. */
function measure(args: readonly string[], env: NodeJS.ProcessEnv, dir: string): Promise<Sample> {
  const cpuFile = join(dir, 'cpu.json');
  rmSync(cpuFile, { force: true });
  const started = nowMs();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', PRELOAD, ...args], { cwd: dir, env: { ...env, SWAS_BENCH_CPU_FILE: cpuFile } }, (err) => {
      const wallMs = nowMs() - started;
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      try {
        const { cpuUs } = JSON.parse(readFileSync(cpuFile, 'utf8')) as { cpuUs: number };
        resolve({ cpuMs: cpuUs / 1000, wallMs, code });
      } catch (e) {
        reject(new Error(`${args.join(' ')} (exit ${code}) recorded no CPU time: ${String(e)}`));
      }
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export async function startupCase(opts: { rounds: number }): Promise<CaseResult> {
  await buildCli();
  const dir = mkdtempSync(join(tmpdir(), 'swas-bench-startup-'));
  try {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: dir, LOG_LEVEL: 'warn', SWAS_DATA_DIR: join(dir, 'data') };
    // The embedded database, migrated once before the rounds (a report never migrates).
    const migrated = await measure([MAIN, 'migrate'], env, dir);
    if (migrated.code !== 0) throw new Error(`migrate exited ${migrated.code}`);
    const commands = [
      { id: 'baseline', label: "node -e ''", args: ['-e', ''], code: 0, goal: null },
      { id: 'version', label: '--version', args: [MAIN, '--version'], code: 0, goal: 3 },
      { id: 'help', label: '--help', args: [MAIN, '--help'], code: 0, goal: 3 },
      { id: 'report', label: 'images --format json (embedded)', args: [MAIN, 'images', '--format', 'json'], code: 0, goal: 30 },
      { id: 'follow', label: 'history --follow refusal (embedded)', args: [MAIN, 'history', '--follow'], code: 2, goal: 6 },
    ] as const;
    const samples = new Map<string, Sample[]>(commands.map((c) => [c.id, []]));
    for (let r = 0; r < opts.rounds; r++) {
      for (const c of commands) {
        const s = await measure(c.args, env, dir);
        if (s.code !== c.code) throw new Error(`${c.label} exited ${s.code}, expected ${c.code}`);
        samples.get(c.id)!.push(s);
      }
    }
    const cpu = (id: string) => median(samples.get(id)!.map((s) => s.cpuMs));
    const wall = (id: string) => median(samples.get(id)!.map((s) => s.wallMs));
    const base = { cpu: cpu('baseline'), wall: wall('baseline') };
    const figures: Figure[] = [];
    for (const c of commands) {
      if (c.goal === null) continue;
      figures.push(judge({
        metric: `${c.label}: median CPU / node -e ''`, value: round(cpu(c.id), 0), unit: 'ms',
        baseline: { label: "node -e ''", value: round(base.cpu, 0), unit: 'ms' },
        ratio: round(cpu(c.id) / base.cpu, 2), goal: { op: '<=', target: c.goal },
      }));
      figures.push({
        metric: `${c.label}: median wall / node -e ''`, value: round(wall(c.id), 0), unit: 'ms',
        baseline: { label: "node -e ''", value: round(base.wall, 0), unit: 'ms' }, ratio: round(wall(c.id) / base.wall, 2),
      });
    }
    return {
      id: 'startup',
      title: `Start-up of the compiled CLI, ${opts.rounds} interleaved rounds`,
      figures,
      details: { rounds: opts.rounds, samples: Object.fromEntries(samples) },
      notes: ["CPU time judged (wall shown): ratios to node -e '' in the same run; see docs/BENCHMARKS.md \"Start-up\"."],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
