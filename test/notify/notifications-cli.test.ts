/**
 * `notifications status | replay | test` through the real binary (child processes), against real
 * Postgres and a local receiver that verifies every request with the stock `standardwebhooks`
 * library. The deliveries are made by the real delivery code in this process first, in a known
 * sequence, so the figures `status` prints are known exactly.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type DatabaseHandle } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/open-database.js';
import { deliverNow } from '../../src/notify/deliver-now.js';
import { ensureCursor } from '../../src/notify/scan-events.js';
import { NOTIFICATION_STATUS_LAYOUT } from '../../src/reports/layouts.js';
import { runCommand } from '../helpers/cli.js';
import { createTestDatabaseUrl } from '../helpers/databases.js';
import { startWebhookReceiver, testSecret, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { image, listing, subscription, syncListings } from './notify-fixtures.js';

type Hook = { type: string; data: { eventId: number; kind: string; test?: boolean; image?: { id: string } } };

describe('notifications commands (CLI, postgres)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let h: DatabaseHandle;
  let receiver: WebhookReceiver;
  const secret = testSecret();
  const laterSecret = testSecret();
  let env: Record<string, string>;
  let dir: string;
  // Per image, what the receiver answers while the known sequence is delivered.
  let answers: Record<string, { status: number; retryAfter?: string }> = {};

  const writeAccounts = (name: string, subscriptions: unknown[] | undefined): string => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify({ accounts: [{ name: 'prod', credentials: { type: 'env' } }], ...(subscriptions ? { subscriptions } : {}) }));
    return file;
  };
  const cli = (args: string[], over: Record<string, string> = {}) => runCommand(args, { ...env, ...over });
  const deliveries = () => queryRows<{ event_id: string; state: string; attempts: number; last_error: string | null }>(h.db,
    sql`select event_id::text, state, attempts, last_error from swas.notification_deliveries where subscription = 'ops' order by event_id`);
  const cursors = () => queryRows(h.db, sql`select subscription, last_xid::text, last_event_id from swas.notification_cursors order by subscription`);

  beforeAll(async () => {
    db = await createTestDatabaseUrl();
    h = await openDatabase({ databaseUrl: db.url, maxConnections: 3 });
    receiver = await startWebhookReceiver(secret);
    receiver.answer = ({ body }) => answers[(body as Hook | null)?.data?.image?.id ?? ''] ?? { status: 204 };
    dir = mkdtempSync(join(tmpdir(), 'swas-notifications-'));
    const accountsFile = writeAccounts('accounts.json', [
      { name: 'ops', url: receiver.url, secretEnv: 'OPS_HOOK_SECRET', kinds: ['status_changed'], maxAttempts: 2, backoff: { baseMs: 1, maxMs: 600_000 } },
      // Never started, and a URL with credentials and a token that must never be printed.
      { name: 'later', url: 'http://alice:hunter2@127.0.0.1:9/hook?token=t0ps3cret', secretEnv: 'LATER_HOOK_SECRET' },
    ]);
    env = { DATABASE_URL: db.url, SWAS_CONFIG: accountsFile, OPS_HOOK_SECRET: secret, LATER_HOOK_SECRET: laterSecret, LOG_LEVEL: 'silent' };

    // The known sequence: three status changes (created events do not match `status_changed`);
    // m-1 is delivered, m-2 answered 500 until dead (maxAttempts 2), m-3 answered 503 with a
    // Retry-After of an hour (a floor up to backoff.maxMs, 10 min: one failed attempt, pending); then one more event not yet scanned.
    const sub = subscription('ops', receiver.url, secret, { kinds: ['status_changed'], maxAttempts: 2, backoff: { baseMs: 1, maxMs: 600_000 } });
    await ensureCursor(h.db, sub.name);
    const images = (status: number) => ['m-1', 'm-2', 'm-3'].map((id) => image(id, 'cn-hangzhou', { status }));
    await syncListings(h.db, listing('cn-hangzhou', images(4)));
    await syncListings(h.db, listing('cn-hangzhou', images(1)));
    answers = { 'm-2': { status: 500 }, 'm-3': { status: 503, retryAfter: '3600' } };
    await deliverNow(h.db, [sub], { maxWaitMs: 5_000 });
    await syncListings(h.db, listing('cn-hangzhou', [image('m-1', 'cn-hangzhou', { status: 2 }), ...images(1).slice(1)]));
    answers = {};
  }, 60_000);
  afterAll(async () => {
    await receiver?.close();
    await h?.close();
    await db?.drop();
  });

  it('the sequence happened as intended (the fixture the figures below rely on)', async () => {
    expect((await deliveries()).map((d) => [d.state, d.attempts, d.last_error])).toEqual([
      ['delivered', 1, null], ['dead', 2, 'HTTP 500'], ['pending', 1, 'HTTP 503'],
    ]);
  });

  it('status: exact figures per subscription, as JSON, CSV and an 80-column table; no credentials printed', { timeout: 120_000 }, async () => {
    const [json, csv, table] = await Promise.all([
      cli(['notifications', 'status', '--format', 'json']),
      cli(['notifications', 'status', '--format', 'csv']),
      cli(['notifications', 'status', '--format', 'table'], { COLUMNS: '80' }),
    ]);
    expect(json.code, json.stderr).toBe(0);
    const rows = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((r) => Object.keys(r))).toEqual([NOTIFICATION_STATUS_LAYOUT.fields, NOTIFICATION_STATUS_LAYOUT.fields]);
    const [ops, later] = rows;
    expect(ops).toMatchObject({
      subscription: 'ops', target: `http://127.0.0.1:${receiver.port}`, started: true,
      // m-3 pending, plus m-1's second change not scanned yet.
      lagEvents: 2, unscanned: 1, pending: 1, failing: 1, dead: 1, delivered: 1, lastError: 'HTTP 503',
    });
    expect(ops?.lagSeconds).toBeGreaterThan(0);
    expect(typeof ops?.lastDeliveredAt).toBe('string');
    expect(later).toMatchObject({ subscription: 'later', target: 'http://127.0.0.1:9', started: false, lagEvents: 0, failing: 0, dead: 0, delivered: 0, lastError: null });

    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toBe(NOTIFICATION_STATUS_LAYOUT.fields.join(','));
    // docs/NOTIFICATIONS.md lists the same keys.
    const doc = readFileSync(new URL('../../docs/NOTIFICATIONS.md', import.meta.url), 'utf8');
    const keys = /JSON keys and CSV header: ([^.]+)\./.exec(doc)?.[1] ?? '';
    expect([...keys.matchAll(/`([^`]+)`/g)].map((m) => m[1])).toEqual(NOTIFICATION_STATUS_LAYOUT.fields);

    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SUBSCRIPTION +.*LAG +LAG AGE +FAILING +DEAD +DELIVERED/);
    expect(lines[1]).toMatch(/^ops +.* 2 +\d+s +1 +1 +1\b/);
    expect(lines[2]).toMatch(/^later +.*not started +0 +0 +0\b/);
    expect(Math.max(...lines.map((l) => l.length)), table.stdout).toBeLessThanOrEqual(80);

    for (const out of [json, csv, table]) {
      expect(out.stdout + out.stderr).not.toMatch(/hunter2|t0ps3cret|alice/);
      expect(out.stdout + out.stderr).not.toContain(secret.slice(6));
    }
  });

  it('status: one subscription by name; an unknown name or none configured exits 2; a database it cannot reach exits 1, one line', { timeout: 120_000 }, async () => {
    const none = writeAccounts('none.json', undefined);
    const [one, unknown, noSubs, unset, down, noSecrets, replayNoSecret] = await Promise.all([
      cli(['notifications', 'status', 'ops', '--format', 'json']),
      cli(['notifications', 'status', 'nope']),
      cli(['notifications', 'status'], { SWAS_CONFIG: none }),
      runCommand(['notifications', 'status'], { DATABASE_URL: db.url, LOG_LEVEL: 'silent' }),
      // Nothing listens on port 9 (discard) on this machine: connection refused.
      cli(['notifications', 'status', '--format', 'json'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:9/postgres' }),
      // status reads delivery state only: the signing secrets may be absent; replay signs, so it may not.
      cli(['notifications', 'status', '--format', 'json'], { OPS_HOOK_SECRET: '', LATER_HOOK_SECRET: '' }),
      cli(['notifications', 'replay', 'ops', '--since', '1h'], { OPS_HOOK_SECRET: '' }),
    ]);
    expect(noSecrets.code, noSecrets.stderr).toBe(0);
    expect((JSON.parse(noSecrets.stdout) as Array<{ subscription: string }>).map((r) => r.subscription)).toEqual(['ops', 'later']);
    expect(replayNoSecret.code).toBe(2);
    expect(replayNoSecret.stderr).toMatch(/OPS_HOOK_SECRET is not set/);
    expect(one.code, one.stderr).toBe(0);
    expect((JSON.parse(one.stdout) as Array<{ subscription: string }>).map((r) => r.subscription)).toEqual(['ops']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toBe("swas-inventory: unknown subscription 'nope': the accounts file (SWAS_CONFIG) declares ops, later\n");
    expect(noSubs).toMatchObject({ code: 2, stdout: '' });
    expect(noSubs.stderr).toMatch(/^swas-inventory: the accounts file \(SWAS_CONFIG\) declares no subscriptions/);
    expect(unset.code).toBe(2);
    expect(down.code, down.stderr).toBe(1);
    expect(down.stdout).toBe('');
    expect(down.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('test: one signed sample, marked as a test, touching no delivery state; exit 1 against a 500 or a refused connection', { timeout: 120_000 }, async () => {
    const before = { deliveries: await deliveries(), cursors: await cursors() };
    const seen = receiver.received.length;
    const ok = await cli(['notifications', 'test', 'ops']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`^test ops \\(http://127\\.0\\.0\\.1:${receiver.port}\\): HTTP 204 \\(webhook-id test_ops_\\d+_[0-9a-f]{8}\\)\\n$`));
    const sent = receiver.received.slice(seen);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.verified).toBe(true);
    expect(sent[0]?.webhookId).toMatch(/^test_ops_/);
    expect(sent[0]?.body).toMatchObject({ type: 'image.test', data: { test: true, eventId: 0, subscription: 'ops' } });
    expect(ok.stdout).toContain(sent[0]?.webhookId);

    receiver.answer = () => ({ status: 500 });
    const failing = await cli(['notifications', 'test', 'ops']);
    receiver.answer = ({ body }) => answers[(body as Hook | null)?.data?.image?.id ?? ''] ?? { status: 204 };
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/: HTTP 500 \(webhook-id test_ops_/);
    expect(receiver.received.slice(seen)).toHaveLength(2);

    const refused = await cli(['notifications', 'test', 'later']);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).not.toMatch(/hunter2|t0ps3cret|alice/);

    expect({ deliveries: await deliveries(), cursors: await cursors() }).toEqual(before);
  });

  it('replay: re-delivers the matching events since T with the same webhook-ids, reviving the dead one; exit 1 while one still fails', { timeout: 120_000 }, async () => {
    const firstIds = new Map(receiver.received.filter((r) => r.webhookId.startsWith('swas_')).map((r) => [(r.body as Hook).data.image?.id, r.webhookId]));
    const seen = receiver.received.length;
    const ok = await cli(['notifications', 'replay', 'ops', '--since', '1h']);
    expect(ok.code, ok.stderr).toBe(0);
    // m-1 (delivered), m-2 (dead), m-3 (pending) and m-1's second change (never matched yet).
    expect(ok.stdout).toMatch(new RegExp(`^replay ops \\(http://127\\.0\\.0\\.1:${receiver.port}\\): 4 events since \\S+ \\(1 dead revived, 1 delivered before\\): 4 re-delivered, 0 failed\\n$`));
    const replayed = receiver.received.slice(seen);
    expect(replayed.every((r) => r.verified && r.status === 204)).toBe(true);
    expect(replayed.map((r) => r.webhookId).sort()).toEqual((await deliveries()).map((d) => `swas_ops_${d.event_id}`).sort());
    for (const id of ['m-1', 'm-2', 'm-3']) expect(replayed.map((r) => r.webhookId)).toContain(firstIds.get(id));
    expect((await deliveries()).map((d) => d.state)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);

    // A receiver that fails: the events go dead again (maxAttempts 2) and the command says so.
    receiver.answer = () => ({ status: 500 });
    const failing = await cli(['notifications', 'replay', 'ops', '--since', '1h']);
    receiver.answer = () => ({ status: 204 });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/: 4 events since \S+ \(4 delivered before\): 0 re-delivered, 4 failed \(left pending or dead, last error HTTP 500\)\n$/);

    const [bad, unknown, future] = await Promise.all([
      cli(['notifications', 'replay', 'ops', '--since', 'yesterday']),
      cli(['notifications', 'replay', 'nope', '--since', '1h']),
      cli(['notifications', 'replay', 'ops', '--since', '2999-01-01']),
    ]);
    expect([bad.code, unknown.code, future.code]).toEqual([2, 2, 2]);
    expect(bad.stderr).toMatch(/cannot parse time 'yesterday'/);
  });
});
