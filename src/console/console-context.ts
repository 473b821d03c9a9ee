/** What every console page gets: the database (per request on the embedded one), the clock and the settings it shows. */
import type { SubscriptionSpec } from '../config/subscriptions.js';
import type { ConsoleDatabase } from './database-access.js';

export interface ConsoleContext {
  database: ConsoleDatabase;
  now: () => Date;
  /** When a region counts as stale (the `status` rule: twice the schedule's interval), at `now`. */
  staleAfterMs: (now: Date) => number;
  /** The webhook subscriptions of the accounts file, without secrets (none: the page says so). */
  subscriptions: () => SubscriptionSpec[];
}
