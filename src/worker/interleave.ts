/**
 * Orders region jobs round-robin across accounts: the queue is FIFO, and with every account's
 * regions in a row the first N jobs would all wait on one account's call budget while workers sit
 * idle. Interleaved, concurrent jobs spread across accounts and each budget is used in parallel.
 */
export function interleaveByAccount<T extends { account: string }>(items: readonly T[]): T[] {
  const byAccount = new Map<string, T[]>();
  for (const item of items) {
    const list = byAccount.get(item.account);
    if (list === undefined) byAccount.set(item.account, [item]);
    else list.push(item);
  }
  const lists = [...byAccount.values()];
  const out: T[] = [];
  for (let i = 0; out.length < items.length; i++) {
    for (const list of lists) {
      const item = list[i];
      if (item !== undefined) out.push(item);
    }
  }
  return out;
}
