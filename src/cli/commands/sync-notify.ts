/** `sync --notify`: place the cursors before the run, deliver after it, say what is left. */
import type { Config } from '../../config/env.js';
import { describeTarget, loadSubscriptions, type Subscription } from '../../config/subscriptions.js';
import type { Db } from '../../db/database.js';
import { deliverNow } from '../../notify/deliver-now.js';
import { scanAll } from '../../notify/deliver-subscription.js';

export async function prepareNotifications(db: Db, config: Config): Promise<Subscription[]> {
  const subs = loadSubscriptions(config);
  if (subs.length === 0) process.stderr.write('--notify: the accounts file (SWAS_CONFIG) declares no subscriptions; nothing to deliver\n');
  // Reading the cursors forward now also queues what earlier runs recorded and was never scanned.
  for (const sub of subs) await scanAll(db, sub);
  return subs;
}

/** True when nothing is left failing. */
export async function notifyAfterSync(db: Db, subs: readonly Subscription[]): Promise<boolean> {
  if (subs.length === 0) return true;
  const tallies = await deliverNow(db, subs);
  for (const t of tallies) {
    const target = describeTarget(subs.find((s) => s.name === t.subscription)?.url ?? '');
    process.stderr.write(`notifications: ${t.subscription} (${target}): ${t.delivered} delivered, ${t.pending} still failing (kept for later), ${t.dead} dead\n`);
  }
  return tallies.every((t) => t.pending === 0 && t.dead === 0);
}
