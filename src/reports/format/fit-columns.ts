/**
 * Which columns a table shows and how wide, so it fits the terminal: low-value columns are
 * dropped first, then long text is cut (the widest first) but never below its floor. Pure.
 */

export interface ColumnFit {
  /** Display width of the widest line of the column (header included). */
  natural: number;
  /** See Column.drop: 1 never dropped, higher dropped first. */
  drop: number;
  /** See Column.shrinkTo: absent when the column is never cut. */
  shrinkTo?: number | undefined;
  /** Blank in every row: once dropped, never squeezed back into room left over. */
  blank?: boolean;
}

export interface FitResult {
  /** Indexes of the columns shown, in their order. */
  shown: number[];
  /** Width of each shown column (same order as `shown`). */
  widths: number[];
  /** Indexes of the columns dropped to fit. */
  hidden: number[];
}

/** A column squeezed back into the room left must get at least this much of it. */
const SQUEEZE_MIN = 8;

/** `available` null: as wide as the content (`--wide`, or nothing to fit). */
export function fitColumns(columns: readonly ColumnFit[], available: number | null, gap: number): FitResult {
  const shown = columns.map((_c, i) => i);
  const hidden: number[] = [];
  const floors = new Map<number, number>();
  const floor = (i: number) => {
    const c = columns[i] as ColumnFit;
    return floors.get(i) ?? (c.shrinkTo === undefined ? c.natural : Math.min(c.natural, c.shrinkTo));
  };
  const total = (width: (i: number) => number) => shown.reduce((sum, i) => sum + width(i), 0) + gap * Math.max(0, shown.length - 1);
  if (available !== null) {
    // Drop while even the cut-down table is too wide: the highest `drop`, the rightmost of equals.
    while (total(floor) > available) {
      const victim = [...shown].reverse().reduce<number | null>((best, i) =>
        (columns[i] as ColumnFit).drop > 1 && (best === null || (columns[i] as ColumnFit).drop > (columns[best] as ColumnFit).drop) ? i : best, null);
      if (victim === null) break;
      shown.splice(shown.indexOf(victim), 1);
      hidden.push(victim);
    }
  }
  const widths = new Map(shown.map((i) => [i, (columns[i] as ColumnFit).natural]));
  if (available !== null) {
    // Room left after dropping, with every shown column uncut: the most valuable dropped text
    // column comes back, cut to the room (never at the cost of cutting the others).
    for (const i of [...hidden].reverse()) {
      const c = columns[i] as ColumnFit;
      const room = available - total((j) => widths.get(j) ?? 0) - gap;
      if (c.shrinkTo === undefined || c.blank === true || room < Math.min(c.natural, SQUEEZE_MIN)) continue;
      shown.splice(shown.findIndex((j) => j > i) === -1 ? shown.length : shown.findIndex((j) => j > i), 0, i);
      hidden.splice(hidden.indexOf(i), 1);
      floors.set(i, Math.min(c.natural, room));
      widths.set(i, Math.min(c.natural, room));
    }
  }
  if (available !== null) {
    // Cut the widest shrinkable column one cell at a time: spreads the loss over the long ones.
    let excess = total((i) => widths.get(i) ?? 0) - available;
    while (excess > 0) {
      const widest = shown.filter((i) => (widths.get(i) ?? 0) > floor(i))
        .reduce<number | null>((best, i) => (best === null || (widths.get(i) ?? 0) > (widths.get(best) ?? 0) ? i : best), null);
      if (widest === null) break; // as narrow as it gets: the terminal wraps the rest
      widths.set(widest, (widths.get(widest) ?? 0) - 1);
      excess -= 1;
    }
  }
  return { shown, widths: shown.map((i) => widths.get(i) ?? 0), hidden: hidden.sort((a, b) => a - b) };
}
