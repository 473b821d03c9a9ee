/**
 * What every case returns: figures, each a ratio against a baseline measured in the same run,
 * with the goal it is judged by. The runner prints them as one table and writes results.json.
 */
export type GoalOp = '<=' | '>=' | '<' | '==';

export interface Goal {
  op: GoalOp;
  target: number;
}

export interface Figure {
  /** e.g. "wall time / ideal bound". */
  metric: string;
  value: number;
  unit: string;
  baseline?: { label: string; value: number; unit: string };
  /** value / baseline (or the figure itself when it already is a ratio). */
  ratio?: number;
  /** Compared with `ratio` when present, else with `value`. Quick mode reports but does not judge. */
  goal?: Goal;
  met?: boolean;
}

export interface CaseResult {
  id: string;
  title: string;
  figures: Figure[];
  /** Sizes, engine used, raw timings: everything needed to recompute the figures. */
  details: Record<string, unknown>;
  notes: string[];
}

export function judge(figure: Figure): Figure {
  if (!figure.goal) return figure;
  const x = figure.ratio ?? figure.value;
  const { op, target } = figure.goal;
  const met = op === '<=' ? x <= target : op === '>=' ? x >= target : op === '<' ? x < target : x === target;
  return { ...figure, met };
}

export const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
