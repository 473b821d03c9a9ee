/**
 * Case 5, scaling: one run's wall time for 1, 10, 50 and 200 accounts (26 regions x 15 images
 * each, the fan-out's latency and budget), next to each size's ideal bound; drawn as an SVG.
 */
import { writeFile } from 'node:fs/promises';
import { round, type CaseResult, type Figure } from '../lib/case-result.js';
import { runFanOut, type FanOutSpec, type FanOutTiming } from '../lib/fan-out-run.js';
import { svgLineChart } from '../lib/svg-line-chart.js';

export interface ScalingOptions extends Omit<FanOutSpec, 'accounts'> {
  accountCounts: number[];
  /** Where to write the plot; none in quick mode. */
  svgPath?: string;
}

export async function scalingCase(opts: ScalingOptions): Promise<CaseResult> {
  const { accountCounts, svgPath, ...spec } = opts;
  const points: Array<{ accounts: number } & FanOutTiming> = [];
  for (const accounts of accountCounts) points.push({ accounts, ...await runFanOut({ ...spec, accounts }) });
  const failed = points.filter((p) => p.status !== 'succeeded');
  if (failed.length > 0) throw new Error(`scaling runs ended ${failed.map((p) => `${p.accounts}: ${p.status}`).join(', ')}`);

  if (svgPath) {
    await writeFile(svgPath, svgLineChart({
      title: `Sync wall time vs accounts (26 regions x ${spec.imagesPerRegion} images each, ${spec.latencyMs} ms, ${spec.callsPerSecond} calls/s/account)`,
      xLabel: `accounts (log scale); engine: ${points[0]?.engine ?? ''}`,
      yLabel: 'seconds',
      logX: true,
      series: [
        { name: 'measured wall time', color: '#d62728', points: points.map((p) => ({ x: p.accounts, y: round(p.ms / 1000, 1) })) },
        { name: 'ideal bound', color: '#1f77b4', dashed: true, points: points.map((p) => ({ x: p.accounts, y: round(p.idealMs / 1000, 1) })) },
      ],
    }));
  }
  const figures: Figure[] = points.map((p) => ({
    metric: `${p.accounts} account${p.accounts === 1 ? '' : 's'}: wall time / ideal bound`,
    value: round(p.ms / 1000, 2), unit: 's',
    baseline: { label: `ideal bound (${p.totalCalls} calls)`, value: round(p.idealMs / 1000, 2), unit: 's' },
    ratio: round(p.ratio, 2),
  }));
  return {
    id: 'scaling',
    title: `Scaling: accounts ${accountCounts.join(', ')} (26 regions x ${spec.imagesPerRegion} images each)`,
    figures,
    details: { ...spec, points: points.map((p) => ({ ...p, ms: round(p.ms, 0), idealMs: round(p.idealMs, 0), ratio: round(p.ratio, 3) })), svg: svgPath ?? null },
    notes: [`Engine: ${points[0]?.engine ?? 'n/a'}. No goal is set for scaling; the plot shows how far each size is from its bound.`],
  };
}
