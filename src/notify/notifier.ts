/**
 * Runs delivery passes for every subscription of this process. `kick()` asks for a pass; kicks
 * that arrive while one runs fold into one more pass after it, so a commit is never left waiting
 * for a kick that was dropped, and passes never pile up.
 */
import type { Subscription } from '../config/subscriptions.js';
import type { Db } from '../db/database.js';
import { createPacer, deliverSubscription, type DeliveryReport } from './deliver-subscription.js';

export interface NotifierOptions {
  onAttempt?: (report: DeliveryReport) => void;
  onError?: (subscription: string, err: unknown) => void;
}

export class Notifier {
  private readonly pacers: Map<string, () => Promise<void>>;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly db: Db, readonly subscriptions: readonly Subscription[], private readonly options: NotifierOptions = {}) {
    this.pacers = new Map(subscriptions.map((s) => [s.name, createPacer(s)]));
  }

  /** Resolves when a pass that started after this call has finished. */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => { this.running = null; });
    return this.running;
  }

  /** Lets the pass in flight finish its current requests and starts no more. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await Promise.all(this.subscriptions.map((sub) => this.pass(sub)));
    } while (this.again && !this.stopped);
  }

  private async pass(sub: Subscription): Promise<void> {
    const pace = this.pacers.get(sub.name) ?? createPacer(sub);
    try {
      await deliverSubscription(this.db, sub, pace, {
        stopping: () => this.stopped,
        ...(this.options.onAttempt ? { onAttempt: this.options.onAttempt } : {}),
      });
    } catch (err) {
      // One subscription's trouble (database blip) must not stop the others; the next kick retries.
      this.options.onError?.(sub.name, err);
    }
  }
}
