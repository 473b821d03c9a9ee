/**
 * A CPU profile of one measured pass only (BENCH_PASS_PROFILE_DIR): `--cpu-prof` covers the whole
 * process, start-up and the cold pass included, which hides what an unchanged pass spends.
 * Writes `<dir>/<label>-<pid>-pass<N>.cpuprofile`; summarize with bench/lib/cpu-profile-summary.ts.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

export async function passProfiler(dir: string, label: string): Promise<{ start(): Promise<void>; stop(): Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  let pass = 0;
  let running = false;
  return {
    async start() {
      if (running) await session.post('Profiler.stop');
      await session.post('Profiler.start');
      running = true;
    },
    async stop() {
      if (!running) return;
      running = false;
      const { profile } = await session.post('Profiler.stop');
      pass += 1;
      await writeFile(join(dir, `${label}-${process.pid}-pass${pass}.cpuprofile`), JSON.stringify(profile));
    },
  };
}
