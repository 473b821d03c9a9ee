/**
 * Case 1, fan-out (issue 4): A accounts x 26 regions x 15 images, emulator latency 100 ms, a
 * budget of 10 calls/s per account; wall time of one run over the ideal bound.
 */
import { judge, round, type CaseResult } from '../lib/case-result.js';
import { runFanOut, type FanOutSpec } from '../lib/fan-out-run.js';

export async function fanOutCase(spec: FanOutSpec): Promise<CaseResult> {
  const t = await runFanOut(spec);
  if (t.status !== 'succeeded') throw new Error(`fan-out run ended ${t.status}`);
  const inFlight = spec.workerProcesses * spec.concurrency;
  return {
    id: 'fan-out',
    title: `Fan-out: ${spec.accounts} accounts x ${spec.regions} regions x ${spec.imagesPerRegion} images, latency ${spec.latencyMs} ms, ${spec.callsPerSecond} calls/s per account`,
    figures: [judge({
      metric: `wall time / ideal bound (${t.engine})`,
      value: round(t.ms / 1000, 2), unit: 's',
      baseline: { label: `ideal: max(${t.callsPerAccount} calls / ${spec.callsPerSecond}/s, ${t.totalCalls} calls x ${spec.latencyMs} ms / ${inFlight})`, value: round(t.idealMs / 1000, 2), unit: 's' },
      ratio: round(t.ratio, 2), goal: { op: '<=', target: 1.25 },
    })],
    details: { ...spec, ...t, ms: round(t.ms, 0), idealMs: round(t.idealMs, 0), ratio: round(t.ratio, 3) },
    notes: [
      `Engine: ${t.engine}.${t.fallbackReason ? ` Fallback because ${t.fallbackReason}.` : ''}`,
      'Calls per account = 1 ListRegions + one ListCustomImages page per region (15 own + shared images fit one page). Wall time runs from enqueueing the run to sync_runs saying it finished, on a cold database (every image is new).',
    ],
  };
}
