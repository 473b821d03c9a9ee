// Preloaded into a measured process (node --import) by the start-up case: at exit, writes this
// process's CPU time (user + system since it started, µs) to the file named by SWAS_BENCH_CPU_FILE.
// Plain JS and nothing imported but node:fs, so the baseline `node -e ''` pays the same small cost.
import { writeFileSync } from 'node:fs';
import process from 'node:process';

const file = process.env.SWAS_BENCH_CPU_FILE;
if (file) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    writeFileSync(file, JSON.stringify({ cpuUs: user + system }));
  });
}
