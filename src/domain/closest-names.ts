/**
 * "Did you mean ...?" for a name that matches nothing known: the known names closest to it by
 * edit distance (insertions, deletions, substitutions and swaps of neighbours each cost 1). Pure.
 */

/** Optimal string alignment distance: Levenshtein plus a swap of two neighbours as one edit. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * What to tell a user whose `input` is not among `known`: `did you mean X?` when some known names
 * are a typo away (case ignored, within a third of the input's length, at least 1 edit, and
 * fewer edits than the input has characters), else the
 * `limit` closest known names; `nothing recorded yet` when nothing is known.
 */
export function closestNamesHint(input: string, known: readonly string[], limit = 5): string {
  if (known.length === 0) return 'nothing recorded yet';
  const ranked = [...new Set(known)]
    .map((name) => ({ name, d: editDistance(input.toLowerCase(), name.toLowerCase()) }))
    .sort((x, y) => x.d - y.d || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const near = ranked.filter((r) => r.d <= Math.max(1, Math.floor(input.length / 3)) && r.d < input.length);
  // Only the nearest: cn-hangzou is cn-hangzhou, not also cn-guangzhou three edits away.
  if (near.length > 0) return `did you mean ${near.filter((r) => r.d === near[0]!.d).slice(0, 3).map((r) => r.name).join(' or ')}?`;
  const shown = ranked.slice(0, limit).map((r) => r.name);
  return `known: ${shown.join(', ')}${ranked.length > limit ? `, ... (${ranked.length} in all)` : ''}`;
}
