import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { AccountsFileError } from '../../src/config/accounts.js';
import { parseSubscriptions } from '../../src/config/subscriptions.js';
import { eventText, renderBody, webhookId } from '../../src/notify/event-payload.js';
import { matchesEvent } from '../../src/notify/match-event.js';
import type { NotifiableEvent } from '../../src/notify/notifiable-event.js';
import { parseRetryAfter, retryDelayMs } from '../../src/notify/retry-delay.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const event = (over: Partial<NotifiableEvent> = {}): NotifiableEvent => ({
  id: 7, runId: 'r-1', observedAt: new Date('2026-01-02T03:04:05.000Z'), account: 'prod', regionId: 'cn-hangzhou',
  imageId: 'm-1', imageName: 'web', kind: 'status_changed', oldStatus: 4, newStatus: 3,
  changes: { status: { old: 4, new: 3 } }, ...over,
});

describe('subscriptions in the accounts file', () => {
  it('accepts the minimal form exactly as documented, defaults applied', () => {
    const file = { accounts: [], subscriptions: [{ name: 'ops', url: 'http://127.0.0.1:8080/hook', secretEnv: 'OPS_HOOK_SECRET', kinds: ['status_changed', 'deleted'] }] };
    const [sub] = parseSubscriptions(file, 'f.json', { OPS_HOOK_SECRET: SECRET });
    expect(sub).toMatchObject({ name: 'ops', kinds: ['status_changed', 'deleted'], secret: SECRET, format: 'json', maxAttempts: 10, concurrency: 4, timeoutMs: 10_000 });
  });

  it('refuses a missing or malformed secret naming the variable, never its value', () => {
    const file = { subscriptions: [{ name: 'ops', url: 'http://x/hook', secretEnv: 'S' }] };
    expect(() => parseSubscriptions(file, 'f', {})).toThrow(/S is not set/);
    try {
      parseSubscriptions(file, 'f', { S: 'not-a-secret-value' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AccountsFileError);
      expect(String((err as Error).message)).not.toContain('not-a-secret-value');
    }
  });

  it('refuses unknown fields (an inline secret), bad transitions and duplicate names', () => {
    const base = { name: 'a', url: 'https://x/h', secretEnv: 'S' };
    expect(() => parseSubscriptions({ subscriptions: [{ ...base, secret: SECRET }] }, 'f', { S: SECRET })).toThrow(/secret/);
    expect(() => parseSubscriptions({ subscriptions: [{ ...base, transitions: ['broken'] }] }, 'f', { S: SECRET })).toThrow(/FROM -> TO/);
    expect(() => parseSubscriptions({ subscriptions: [base, base] }, 'f', { S: SECRET })).toThrow(/duplicate/);
  });

  it('parses transitions by status name or code', () => {
    const [sub] = parseSubscriptions({ subscriptions: [{ name: 'a', url: 'https://x/h', secretEnv: 'S', transitions: ['* -> creation_failed', 'creating->1'] }] }, 'f', { S: SECRET });
    expect(sub?.transitions).toEqual([{ from: null, to: 3 }, { from: 4, to: 1 }]);
  });
});

describe('matchesEvent', () => {
  it('kinds, accounts and regions', () => {
    expect(matchesEvent({ kinds: ['deleted'] }, event())).toBe(false);
    expect(matchesEvent({ kinds: ['status_changed'], accounts: ['prod'], regions: ['cn-hangzhou'] }, event())).toBe(true);
    expect(matchesEvent({ regions: ['eu-central-1'] }, event())).toBe(false);
    expect(matchesEvent({}, event())).toBe(true);
  });

  it('transitions: * -> creation_failed matches a change into it and a creation in it, not an update while in it', () => {
    const t = { transitions: [{ from: null, to: 3 }] };
    expect(matchesEvent(t, event())).toBe(true);
    expect(matchesEvent(t, event({ kind: 'created', oldStatus: null, newStatus: 3 }))).toBe(true);
    expect(matchesEvent(t, event({ kind: 'updated', oldStatus: 3, newStatus: 3 }))).toBe(false);
    expect(matchesEvent(t, event({ newStatus: 1 }))).toBe(false);
    expect(matchesEvent({ transitions: [{ from: 1, to: null }] }, event({ kind: 'deleted', oldStatus: 1, newStatus: null }))).toBe(true);
  });

  it('a tag key that appeared or disappeared', () => {
    const tags = event({ kind: 'tags_changed', changes: { tags: { old: [{ key: 'owner', value: 'a' }], new: [{ key: 'env', value: 'prod' }] } } });
    expect(matchesEvent({ tagKeys: { disappeared: ['owner'] } }, tags)).toBe(true);
    expect(matchesEvent({ tagKeys: { appeared: ['env'] } }, tags)).toBe(true);
    expect(matchesEvent({ tagKeys: { appeared: ['owner'] } }, tags)).toBe(false);
    expect(matchesEvent({ tagKeys: { disappeared: ['owner'] } }, event())).toBe(false);
  });
});

describe('payloads', () => {
  it('generic JSON carries image, account, region, kind, statuses, changed fields, observedAt, eventId, runId', () => {
    expect(JSON.parse(renderBody('json', event()))).toEqual({
      type: 'image.status_changed', timestamp: '2026-01-02T03:04:05.000Z',
      data: {
        eventId: 7, runId: 'r-1', kind: 'status_changed', observedAt: '2026-01-02T03:04:05.000Z', account: 'prod', region: 'cn-hangzhou',
        image: { id: 'm-1', name: 'web' }, oldStatus: { code: 4, name: 'creating' }, newStatus: { code: 3, name: 'creation_failed' },
        changedFields: ['status'], changes: { status: { old: 4, new: 3 } },
      },
    });
  });

  it('chat formats carry one readable line', () => {
    expect(eventText(event())).toBe('[swas-inventory] image m-1 (web) in prod/cn-hangzhou: status creating -> creation_failed at 2026-01-02T03:04:05.000Z (event 7)');
    expect(JSON.parse(renderBody('slack', event()))).toEqual({ text: eventText(event()) });
    expect(JSON.parse(renderBody('dingtalk', event()))).toEqual({ msgtype: 'text', text: { content: eventText(event()) } });
  });

  it('webhook ids are stable per (subscription, event) and signatures verify with the stock library', () => {
    expect(webhookId('ops', 7)).toBe(webhookId('ops', 7));
    expect(webhookId('ops', 7)).not.toBe(webhookId('ops2', 7));
    const wh = new Webhook(SECRET);
    const at = new Date();
    const body = renderBody('json', event());
    const headers = { 'webhook-id': webhookId('ops', 7), 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': wh.sign(webhookId('ops', 7), at, body) };
    expect(wh.verify(body, headers)).toMatchObject({ type: 'image.status_changed' });
  });
});

describe('retry delays', () => {
  const policy = { baseMs: 1000, maxMs: 60_000 };
  it('grow exponentially under a cap, jittered below the ceiling', () => {
    expect(retryDelayMs(policy, 1, null, () => 0.999)).toBe(999);
    expect(retryDelayMs(policy, 4, null, () => 0.999)).toBe(7992);
    expect(retryDelayMs(policy, 30, null, () => 0.999)).toBe(59_940);
    expect(retryDelayMs(policy, 3, null, () => 0)).toBe(0);
  });
  it('never retry before Retry-After (capped by the policy maximum)', () => {
    expect(retryDelayMs(policy, 1, 5000, () => 0)).toBe(5000);
    expect(retryDelayMs(policy, 1, 600_000, () => 0)).toBe(60_000);
  });
  it('read Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
});
