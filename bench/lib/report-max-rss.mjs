// Preloaded into the compiled CLI by the memory case (node --import): at exit, writes this
// process's peak RSS (getrusage ru_maxrss, KiB on Linux) and its RSS right after start to the
// file named by SWAS_BENCH_RSS_FILE. Plain JS, so the measured process loads no TypeScript tooling.
import { writeFileSync } from 'node:fs';
import process from 'node:process';

const file = process.env.SWAS_BENCH_RSS_FILE;
const startRssBytes = process.memoryUsage().rss;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, startRssBytes }));
  });
}
