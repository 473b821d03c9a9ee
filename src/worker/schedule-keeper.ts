/**
 * Keeps the worker's schedules in Redis. BullMQ keeps a job scheduler only in Redis: one that
 * restarts without persistence (a crash, a failover to an empty replica, a managed service's
 * maintenance) comes back without it, and before this nothing declared it again, so the schedule
 * ended for good while everything else looked healthy.
 *
 * The keeper checks each schedule this worker owns (sync, prune, notifier poll) when the
 * connection comes back (ioredis `ready`) and every `checkMs` (one HGETALL and one ZSCORE each),
 * and re-declares a missing one under the usual lock (schedule.ts), so N workers leave one.
 * `/readyz` asks it live: 503 naming every missing schedule until it is back.
 *
 * Data loss is told apart from a missing schedule by a key of this worker's own, refreshed on every
 * check with `SET ... GET`: finding it gone means Redis lost its data since the last check, and
 * `onDataLoss` runs (the lost-run sweep, lost-runs.ts). A key per worker, not one shared key, so
 * every worker sees the loss, not only the first to check.
 */
import type { Logger } from '../ops/logger.js';
import { ownKey } from './queue-names.js';
import type { RedisClient } from './redis-connection.js';

/** A scheduler this worker declares and keeps declared. */
export interface OwnedSchedule {
  id: string;
  /** Whether Redis holds it now. */
  declared(): Promise<boolean>;
  /** Declares it (under its lock; a no-op when another worker just did). Returns the outcome for the log. */
  declare(): Promise<string>;
}

export interface ScheduleKeeperOptions {
  redis: RedisClient;
  prefix: string;
  /** This worker's id (its marker key's name). */
  workerId: string;
  logger: Logger;
  /** How often to look. Default 10 s. */
  checkMs?: number;
  /** Redis lost its data since the last check (this worker's marker key is gone). */
  onDataLoss?: (detectedAt: Date) => void;
  /** Runs after every check (the lost-run sweep rides on it). */
  afterCheck?: () => Promise<void>;
}

export const DEFAULT_SCHEDULE_CHECK_MS = 10_000;
/** The marker outlives any pause between checks, and a dead worker's marker goes by itself. */
const MARKER_TTL_MS = 24 * 3600_000;

export class ScheduleKeeper {
  private readonly schedules: OwnedSchedule[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private markerSet = false;
  private stopped = false;
  private readonly onReady = (): void => { this.nudge(); };

  constructor(private readonly options: ScheduleKeeperOptions) {}

  own(schedule: OwnedSchedule | null | undefined): void {
    if (schedule) this.schedules.push(schedule);
  }

  get owned(): readonly string[] {
    return this.schedules.map((s) => s.id);
  }

  /** Checks now, then on every reconnect and every `checkMs`. */
  async start(): Promise<void> {
    await this.check();
    this.options.redis.on('ready', this.onReady);
    this.timer = setInterval(() => this.nudge(), this.options.checkMs ?? DEFAULT_SCHEDULE_CHECK_MS);
    this.timer.unref();
  }

  /** Asks for a check soon; checks never overlap (one asked for during a check runs after it). */
  nudge(): void {
    if (this.stopped) return;
    this.check().catch((err: unknown) => {
      this.options.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'schedule check failed (retried on the next check)');
    });
  }

  /** One check, serialized with any check in flight. */
  check(): Promise<void> {
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.checkOnce();
        } while (this.again && !this.stopped);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** For /readyz: resolves when every owned schedule is in Redis; else asks for a check and throws naming them. */
  async readiness(): Promise<void> {
    const missing = await this.missing();
    if (missing.length === 0) return;
    this.nudge();
    throw new Error(`schedule${missing.length > 1 ? 's' : ''} missing from Redis: ${missing.join(', ')} (being re-declared)`);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.options.redis.off('ready', this.onReady);
  }

  /** Whether Redis holds each owned schedule now (the `swas_schedule_present` gauge reads this too). */
  async presence(): Promise<Array<{ id: string; present: boolean }>> {
    const present = await Promise.all(this.schedules.map((s) => s.declared()));
    return this.schedules.map((s, i) => ({ id: s.id, present: present[i] === true }));
  }

  private async missing(): Promise<string[]> {
    return (await this.presence()).filter((s) => !s.present).map((s) => s.id);
  }

  private async checkOnce(): Promise<void> {
    if (this.stopped) return;
    const { redis, logger } = this.options;
    const previous = await redis.set(ownKey(this.options.prefix, 'worker', this.options.workerId), '1', 'PX', MARKER_TTL_MS, 'GET');
    if (previous === null && this.markerSet) {
      const at = new Date();
      logger.error({ detectedAt: at.toISOString() }, 'Redis lost its data (restarted without persistence, failed over to an empty replica, or flushed): re-declaring schedules, closing runs whose jobs were lost');
      this.options.onDataLoss?.(at);
    }
    this.markerSet = true;
    for (const schedule of this.schedules) {
      if (this.stopped) return;
      if (await schedule.declared()) continue;
      const outcome = await schedule.declare();
      logger.warn({ schedule: schedule.id, outcome }, 'schedule was missing from Redis: declared again');
    }
    await this.options.afterCheck?.();
  }
}
