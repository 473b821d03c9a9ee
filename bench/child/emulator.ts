/** Child: starts the emulator for one case and serves until SIGTERM or the parent goes away. */
import { generateSeed, startEmulator } from '../../src/emulator/index.js';
import type { EmulatorReady, EmulatorSpec } from '../lib/emulator-process.js';
import { callLogStats } from '../lib/call-log-stats.js';
import { childInput, sendToParent } from '../lib/fork-child.js';

const spec = childInput<EmulatorSpec>();
const emu = await startEmulator({
  seed: generateSeed({ accounts: spec.accounts, regions: spec.regions, imagesPerRegion: spec.imagesPerRegion, seed: spec.seed ?? 7 }),
  faults: [...(spec.latencyMs > 0 ? [{ kind: 'latency' as const, ms: spec.latencyMs }] : []), ...(spec.faults ?? [])],
  // A case reads one run's calls from the log: room for every call of the fleet twice over (the
  // default 100,000 cut a 5,000-account run's 135,000 calls to their last 100,000).
  callLogLimit: Math.max(100_000, spec.accounts * (spec.regions.length + 1) * 2),
});
const ready: EmulatorReady = {
  type: 'ready',
  url: emu.url,
  accounts: emu.accounts.map((a) => ({ uid: a.uid, accessKeyId: a.accessKeyId, accessKeySecret: a.accessKeySecret })),
  images: spec.accounts * spec.regions.length * spec.imagesPerRegion,
};
await sendToParent(ready);
let cpuMark = process.cpuUsage();
process.on('message', (message: { type?: string }) => {
  if (message.type === 'cpu-mark') cpuMark = process.cpuUsage();
  if (message.type === 'cpu-report') {
    const used = process.cpuUsage(cpuMark);
    void sendToParent({ type: 'cpu', ms: (used.user + used.system) / 1000 });
  }
  // The call log of one run: cleared at its start, summarized (counts, not timings) at its end.
  if (message.type === 'calls-mark') emu.clearCallLog();
  if (message.type === 'calls-report') void sendToParent({ type: 'calls', stats: callLogStats(emu.callLog()) });
});
const stop = async (): Promise<void> => {
  await emu.stop();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('disconnect', () => void stop());
