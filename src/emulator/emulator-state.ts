import { CallLog } from './call-log.js';
import { CallRateLimit, RATE_LIMIT_OFF, type RateLimitSettings } from './call-rate-limit.js';
import { FaultPlan } from './fault-plan.js';
import { ImageStore } from './image-store.js';
import { NonceCache } from './nonce-cache.js';
import { parseSeed, type ParsedSeed, type SeedDocument } from './seed-format.js';

/**
 * Everything the emulator holds, behind one object so the HTTP server, the admin API and the
 * in-process handle all act on the same state. `reset()` returns to the seed it was started with.
 */
export class EmulatorState {
  store: ImageStore;
  readonly faults: FaultPlan;
  readonly log: CallLog;
  readonly nonces = new NonceCache();
  readonly rateLimit: CallRateLimit;
  private seed: ParsedSeed;

  constructor(seed: SeedDocument, readonly now: () => Date, private readonly faultSeed: number, rateLimit: RateLimitSettings = RATE_LIMIT_OFF, callLogLimit?: number) {
    this.log = new CallLog(callLogLimit);
    this.seed = parseSeed(seed);
    this.rateLimit = new CallRateLimit(rateLimit);
    this.store = new ImageStore(this.seed, now, faultSeed);
    this.faults = new FaultPlan(faultSeed);
  }

  /**
   * Back to the start seed (or a new one): images, faults, call log and nonces all cleared, keys'
   * run-time status and permission changes undone. The rate limit's setting stays; its windows restart.
   */
  reset(seed?: SeedDocument): void {
    if (seed !== undefined) this.seed = parseSeed(seed);
    this.store = new ImageStore(this.seed, this.now, this.faultSeed);
    this.faults.clear();
    this.log.clear();
    this.nonces.clear();
    this.rateLimit.reset();
  }
}
