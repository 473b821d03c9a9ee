/**
 * Keeps a label fed from open-ended text (an error code from the API, Postgres or Redis) a bounded
 * set: each distinct value is a time series for ever in Prometheus, so a code that is not a plain
 * identifier, or any new one past `max` distinct values, is counted as `other`. Pure state, no I/O.
 */
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

export class LabelBound {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  value(raw: string | null | undefined): string {
    if (raw === null || raw === undefined || raw === '') return 'none';
    const value = IDENTIFIER.test(raw) ? raw : 'other';
    if (this.seen.has(value) || value === 'other') return value;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(value);
    return value;
  }
}
