/**
 * What the emulator's call log says about a run, by counts rather than by wall time: how many
 * calls were in flight at once at the peak, how many accounts had a call in flight at once, and
 * calls per second between the first call's arrival and the last one's answer. Pure.
 */
export interface LoggedCall {
  /** ISO arrival time. */
  time: string;
  durationMs: number;
  accountUid: string | null;
}

export interface CallLogStats {
  calls: number;
  peakInFlight: number;
  peakAccountsInFlight: number;
  callsPerSecond: number;
  /** Calls of the account that made the most (the budget side of the ideal bound). */
  busiestAccountCalls: number;
  /** Epoch ms of the first call's arrival and of the last call's answer (null with no calls). */
  firstCallAt: number | null;
  lastAnswerAt: number | null;
  /**
   * Calls in flight on average between the first arrival and the last answer (their summed
   * durations over that span): how full the configured calls in flight were kept, which wall
   * time on a loaded machine does not say.
   */
  meanInFlight: number;
}

export function callLogStats(calls: readonly LoggedCall[]): CallLogStats {
  // Sweep: +1 at arrival, -1 at answer; an answer at the same ms as an arrival counts first.
  const edges: Array<{ at: number; delta: 1 | -1; account: string }> = [];
  const perAccountCalls = new Map<string, number>();
  let busyMs = 0;
  for (const c of calls) {
    busyMs += c.durationMs;
    const start = Date.parse(c.time);
    const account = c.accountUid ?? '?';
    perAccountCalls.set(account, (perAccountCalls.get(account) ?? 0) + 1);
    edges.push({ at: start, delta: 1, account }, { at: start + c.durationMs, delta: -1, account });
  }
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  const perAccount = new Map<string, number>();
  let inFlight = 0;
  let peakInFlight = 0;
  let peakAccounts = 0;
  for (const e of edges) {
    inFlight += e.delta;
    const n = (perAccount.get(e.account) ?? 0) + e.delta;
    if (n === 0) perAccount.delete(e.account);
    else perAccount.set(e.account, n);
    peakInFlight = Math.max(peakInFlight, inFlight);
    peakAccounts = Math.max(peakAccounts, perAccount.size);
  }
  const first = edges[0]?.at ?? null;
  const last = edges.at(-1)?.at ?? null;
  const spanMs = first !== null && last !== null ? last - first : 0;
  return {
    calls: calls.length, peakInFlight, peakAccountsInFlight: peakAccounts,
    callsPerSecond: spanMs > 0 ? calls.length / (spanMs / 1000) : 0,
    busiestAccountCalls: Math.max(0, ...perAccountCalls.values()),
    firstCallAt: first, lastAnswerAt: last,
    meanInFlight: spanMs > 0 ? busyMs / spanMs : 0,
  };
}
