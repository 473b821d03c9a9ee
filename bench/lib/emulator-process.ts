/**
 * The emulator in its own process: on a 2-core machine, a sync and the server it talks to must
 * not share one event loop, or every figure would include the emulator's own CPU time.
 */
import type { FaultRuleInput } from '../../src/emulator/index.js';
import type { CallLogStats } from './call-log-stats.js';
import { childScript, forkChild } from './fork-child.js';

export interface EmulatorSpec {
  accounts: number;
  /** Region ids that get images; ListRegions always answers the full 26-region catalogue. */
  regions: string[];
  imagesPerRegion: number;
  /** Every API call waits this long (0 = off). */
  latencyMs: number;
  faults?: FaultRuleInput[];
  seed?: number;
}

export interface EmulatorKey {
  uid: string;
  accessKeyId: string;
  accessKeySecret: string;
}

export interface EmulatorReady {
  type: 'ready';
  url: string;
  accounts: EmulatorKey[];
  images: number;
}

export interface EmulatorProcess extends EmulatorReady {
  /** Starts counting the emulator process's CPU time. */
  markCpu(): void;
  /** CPU ms (user + system) the emulator process used since markCpu(). */
  cpuSinceMark(): Promise<number>;
  /** Clears the emulator's call log (a run starts). */
  markCalls(): void;
  /** The calls logged since markCalls(), summarized. */
  callStats(): Promise<CallLogStats>;
  stop(): Promise<void>;
}

export async function startEmulatorProcess(spec: EmulatorSpec): Promise<EmulatorProcess> {
  // The seed document, its parsed copy and the store's images are all in memory while it starts:
  // about 4 GB at 5,000 accounts x 26 regions x 15 images, past V8's default heap limit.
  const heapMb = Math.max(4096, Math.ceil(spec.accounts * spec.regions.length * spec.imagesPerRegion / 1000) * 12);
  const forked = forkChild<EmulatorReady | { type: 'cpu'; ms: number } | { type: 'calls'; stats: CallLogStats }>(childScript('emulator.ts'), spec, { nodeArgs: [`--max-old-space-size=${heapMb}`] });
  const ready = await forked.next();
  if (ready.type !== 'ready') throw new Error('emulator child: expected its ready message first');
  return {
    ...ready,
    markCpu: () => forked.child.send({ type: 'cpu-mark' }),
    cpuSinceMark: async () => {
      forked.child.send({ type: 'cpu-report' });
      const m = await forked.next();
      return m.type === 'cpu' ? m.ms : 0;
    },
    markCalls: () => forked.child.send({ type: 'calls-mark' }),
    callStats: async () => {
      forked.child.send({ type: 'calls-report' });
      const m = await forked.next();
      if (m.type !== 'calls') throw new Error(`emulator child: expected its call stats, got ${m.type}`);
      return m.stats;
    },
    stop: async () => {
      if (forked.child.exitCode === null) forked.child.kill('SIGTERM');
      await forked.exited;
    },
  };
}
