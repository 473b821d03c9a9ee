/**
 * Case 5, scaling: one run's wall time for 1, 10, 50 and 200 accounts (26 regions x 15 images
 * each, the fan-out's latency and budget), next to each size's ideal bound; drawn as an SVG.
 */
import { writeFile } from 'node:fs/promises';
import { round, type CaseResult, type Figure } from '../lib/case-result.js';
import { runFanOut, type FanOutSpec, type FanOutTiming, type RunTiming } from '../lib/fan-out-run.js';
import { svgLineChart } from '../lib/svg-line-chart.js';

export interface ScalingOptions extends Omit<FanOutSpec, 'accounts'> {
  accountCounts: number[];
  /** Where to write the plot; none in quick mode. */
  svgPath?: string;
}

export async function scalingCase(opts: ScalingOptions): Promise<CaseResult> {
  const { accountCounts, svgPath, ...spec } = opts;
  const points: Array<{ accounts: number; engine: string; cold: RunTiming; warm: RunTiming }> = [];
  for (const accounts of accountCounts) {
    const t: FanOutTiming = await runFanOut({ ...spec, accounts });
    points.push({ accounts, engine: t.engine, cold: t.cold, warm: t.warm });
  }
  const failed = points.filter((p) => p.cold.status !== 'succeeded' || p.warm.status !== 'succeeded');
  if (failed.length > 0) throw new Error(`scaling runs failed for ${failed.map((p) => `${p.accounts} accounts`).join(', ')}`);

  if (svgPath) {
    await writeFile(svgPath, svgLineChart({
      title: `Sync wall time vs accounts (26 regions x ${spec.imagesPerRegion} images each)`,
      xLabel: `accounts (log scale); ${spec.latencyMs} ms per call, ${spec.callsPerSecond} calls/s per account; ${points[0]?.engine ?? ''}`,
      yLabel: 'seconds',
      logX: true,
      series: [
        { name: 'cold run (every image new)', color: '#d62728', points: points.map((p) => ({ x: p.accounts, y: round(p.cold.ms / 1000, 1) })) },
        { name: 'warm re-run (nothing changed)', color: '#ff7f0e', points: points.map((p) => ({ x: p.accounts, y: round(p.warm.ms / 1000, 1) })) },
        { name: 'ideal bound (cold)', color: '#1f77b4', dashed: true, points: points.map((p) => ({ x: p.accounts, y: round(p.cold.idealMs / 1000, 1) })) },
      ],
    }));
  }
  const figures: Figure[] = points.flatMap((p) => (['cold', 'warm'] as const).map((kind) => ({
    metric: `${p.accounts} account${p.accounts === 1 ? '' : 's'}, ${kind}: wall time / ideal bound`,
    value: round(p[kind].ms / 1000, 2), unit: 's',
    baseline: { label: `ideal bound (${p[kind].totalCalls} calls)`, value: round(p[kind].idealMs / 1000, 2), unit: 's' },
    ratio: round(p[kind].ratio, 2),
  })));
  return {
    id: 'scaling',
    title: `Scaling: accounts ${accountCounts.join(', ')} (26 regions x ${spec.imagesPerRegion} images each)`,
    figures,
    details: {
      ...spec,
      points: points.map((p) => ({
        accounts: p.accounts,
        cold: { ms: round(p.cold.ms, 0), idealMs: round(p.cold.idealMs, 0), ratio: round(p.cold.ratio, 3), syncCpuMs: round(p.cold.syncCpuMs, 0) },
        warm: { ms: round(p.warm.ms, 0), idealMs: round(p.warm.idealMs, 0), ratio: round(p.warm.ratio, 3), syncCpuMs: round(p.warm.syncCpuMs, 0) },
      })),
      svg: svgPath ?? null,
    },
    notes: [`Engine: ${points[0]?.engine ?? 'n/a'}. No goal is set for scaling; the plot shows how far each size is from its bound.`],
  };
}
