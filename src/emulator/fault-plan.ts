import { ApiError, throttled } from './api-error.js';
import { createRandom, type Random } from './prng.js';
import { parseFaultRule, type FaultRule, type OddTypeVariant } from './fault-rule-format.js';

/** What the gateway knows about a call when faults are decided (after authentication). */
export interface CallContext {
  accountUid: string;
  accessKeyId: string;
  action: string;
  region?: string;
  page?: number;
  nowMs: number;
}

export type TerminalFault =
  | { type: 'error'; error: ApiError }
  | { type: 'hang'; ms: number }
  | { type: 'reset' }
  | { type: 'truncate' }
  | { type: 'malformed'; body?: string };

export interface FaultDecision {
  /** Ids of the rules that fired, for the call log. */
  fired: string[];
  latencyMs: number;
  terminal?: TerminalFault;
  oddTypes: Set<OddTypeVariant>;
  badItems: Array<{ mode: 'missingImageId' | 'wrongType'; index: number; field: string; value: unknown }>;
  drift?: 'insert' | 'remove';
}

interface RuleState {
  rule: FaultRule;
  random: Random;
  calls: number;
  windows: Map<string, { start: number; count: number }>;
}

/**
 * The active fault rules and their counters. Pure apart from its own state: given the same
 * faultSeed, rules and sequence of calls, it makes the same decisions.
 */
export class FaultPlan {
  private states: RuleState[] = [];
  private nextId = 1;

  constructor(private readonly faultSeed: number) {}

  add(input: unknown): FaultRule {
    const rule = parseFaultRule(input, `fault-${this.nextId}`);
    this.nextId += 1;
    if (this.states.some((s) => s.rule.id === rule.id)) throw new ApiError('FaultAlreadyExists', 409, `Fault ${rule.id} already exists.`);
    // Each rule draws from its own stream, so adding a rule never shifts another rule's dice.
    this.states.push({ rule, random: createRandom(this.faultSeed + this.nextId * 7919), calls: 0, windows: new Map() });
    return rule;
  }

  set(inputs: readonly unknown[]): FaultRule[] {
    this.clear();
    return inputs.map((input) => this.add(input));
  }

  remove(id: string): boolean {
    const before = this.states.length;
    this.states = this.states.filter((s) => s.rule.id !== id);
    return this.states.length !== before;
  }

  clear(): void {
    this.states = [];
    this.nextId = 1;
  }

  list(): Array<FaultRule & { calls: number }> {
    return this.states.map((s) => ({ ...s.rule, calls: s.calls }));
  }

  get empty(): boolean {
    return this.states.length === 0;
  }

  decide(ctx: CallContext): FaultDecision {
    const decision: FaultDecision = { fired: [], latencyMs: 0, oddTypes: new Set(), badItems: [] };
    for (const state of this.states) {
      if (!matches(state.rule, ctx)) continue;
      state.calls += 1;
      if (state.rule.kind === 'rateLimit') {
        const retryAfter = overLimit(state, ctx);
        if (retryAfter !== undefined) fire(decision, state.rule, { type: 'error', error: throttled(state.rule.code, retryAfter) });
        continue;
      }
      if (!triggered(state)) continue;
      apply(decision, state);
    }
    return decision;
  }
}

function matches(rule: FaultRule, ctx: CallContext): boolean {
  const m = rule.match;
  if (m.accountUid !== undefined && m.accountUid !== ctx.accountUid) return false;
  if (m.accessKeyId !== undefined && m.accessKeyId !== ctx.accessKeyId) return false;
  if (m.region !== undefined && m.region !== ctx.region) return false;
  if (m.action !== undefined && m.action !== ctx.action) return false;
  if (m.page !== undefined && m.page !== ctx.page) return false;
  // Page drift happens between page k and k+1 of a listing: it only watches page k.
  if (rule.kind === 'pageDrift' && (ctx.action !== 'ListCustomImages' || ctx.page !== rule.afterPage)) return false;
  return true;
}

function triggered(state: RuleState): boolean {
  const nth = state.rule.nth ?? 1;
  const count = state.rule.count ?? (state.rule.kind === 'pageDrift' ? 1 : Number.POSITIVE_INFINITY);
  if (state.calls < nth || state.calls >= nth + count) return false;
  return state.rule.rate === undefined || state.random() < state.rule.rate;
}

/** Fixed window per AccessKey; answers the ms left in the window when the call is over the limit. */
function overLimit(state: RuleState, ctx: CallContext): number | undefined {
  if (state.rule.kind !== 'rateLimit') return undefined;
  const { windowMs, limit } = state.rule;
  let window = state.windows.get(ctx.accessKeyId);
  if (!window || ctx.nowMs - window.start >= windowMs) {
    window = { start: ctx.nowMs, count: 0 };
    state.windows.set(ctx.accessKeyId, window);
  }
  window.count += 1;
  return window.count > limit ? Math.max(1, window.start + windowMs - ctx.nowMs) : undefined;
}

function fire(decision: FaultDecision, rule: FaultRule, terminal?: TerminalFault): void {
  decision.fired.push(rule.id);
  // The first terminal fault wins; later ones are still counted but cannot override it.
  if (terminal && !decision.terminal) decision.terminal = terminal;
}

function apply(decision: FaultDecision, state: RuleState): void {
  const rule = state.rule;
  switch (rule.kind) {
    case 'latency': {
      const min = rule.minMs ?? rule.ms ?? 0;
      const max = rule.maxMs ?? rule.ms ?? min;
      decision.latencyMs += min + Math.floor(state.random() * (Math.max(min, max) - min + 1));
      fire(decision, rule);
      return;
    }
    case 'throttle':
      fire(decision, rule, { type: 'error', error: throttled(rule.code, rule.retryAfterMs) });
      return;
    case 'error': {
      const status = rule.status ?? (rule.code === 'ServiceUnavailable' ? 503 : 500);
      const message = rule.message ?? (status === 503
        ? 'The request has failed due to a temporary failure of the server.'
        : 'An error occurred while processing your request.');
      fire(decision, rule, { type: 'error', error: new ApiError(rule.code, status, message) });
      return;
    }
    case 'hang':
      fire(decision, rule, { type: 'hang', ms: rule.ms });
      return;
    case 'reset':
    case 'truncate':
      fire(decision, rule, { type: rule.kind });
      return;
    case 'malformed':
      fire(decision, rule, rule.body === undefined ? { type: 'malformed' } : { type: 'malformed', body: rule.body });
      return;
    case 'pageDrift':
      decision.drift = rule.mode;
      fire(decision, rule);
      return;
    case 'oddTypes':
      for (const v of rule.variants) decision.oddTypes.add(v);
      fire(decision, rule);
      return;
    case 'badItem':
      // `value: null` is a legitimate wrong type, so only a missing value takes the default.
      decision.badItems.push({ mode: rule.mode, index: rule.index, field: rule.field, value: rule.value === undefined ? true : rule.value });
      fire(decision, rule);
      return;
    case 'rateLimit':
      return;
  }
}
