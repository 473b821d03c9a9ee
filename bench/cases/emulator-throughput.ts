/**
 * The emulator's own ceiling (bench/emulator-throughput.ts, by the emulator's author), so no
 * figure above is read as the emulator's limit. Only the headline `callsPerSecond` is relied on:
 * the rest of that result is still changing, so it is read defensively and kept in the details.
 */
import { measureEmulatorThroughput } from '../emulator-throughput.js';
import { round, type CaseResult, type Figure } from '../lib/case-result.js';

function emulatorAlone(result: unknown): number | undefined {
  const r = result as { emulatorOnly?: { perSecond?: unknown }; emulatorOnlyCallsPerSecond?: unknown };
  const v = r.emulatorOnly?.perSecond ?? r.emulatorOnlyCallsPerSecond;
  return typeof v === 'number' ? v : undefined;
}

export async function emulatorThroughputCase(opts: { seconds: number }): Promise<CaseResult> {
  const r = await measureEmulatorThroughput({ seconds: opts.seconds });
  const alone = emulatorAlone(r);
  const figure: Figure = {
    metric: 'ListCustomImages calls/s through the real SDK (PageSize 100)',
    value: r.callsPerSecond, unit: 'calls/s',
    ...(alone === undefined ? {} : {
      baseline: { label: 'emulator alone, bare signed client', value: alone, unit: 'calls/s' },
      ratio: round(r.callsPerSecond / alone, 2),
    }),
  };
  return {
    id: 'emulator',
    title: 'Emulator ceiling: ListCustomImages PageSize 100, latency off',
    figures: [figure],
    details: { ...r },
    notes: ['Measured by measureEmulatorThroughput (bench/emulator-throughput.ts).'],
  };
}
