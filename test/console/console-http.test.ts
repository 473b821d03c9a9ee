/**
 * The console over HTTP (no browser): read-only by construction (405 for every method but GET and
 * HEAD), escaping of cloud-controlled text, the security headers, the token, and JSON with exactly
 * the CLI's keys and rows for the same filters (issue 21).
 */
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.js';
import { queryRows } from '../../src/db/database.js';
import type { ConsoleServerHandle } from '../../src/console/console-server.js';
import { finishRun, startRun } from '../../src/sync/run-record.js';
import { sql } from 'drizzle-orm';
import { Command } from 'commander';
import { registerNotificationsCommand } from '../../src/cli/commands/notifications.js';
import { parseSubscriptionSpecs } from '../../src/config/subscriptions.js';
import { createTestDatabase } from '../helpers/databases.js';
import { syncFixtureRegion, wireImage } from '../helpers/run-history-fixture.js';
import { csvRecordsOf } from '../reports/helpers/csv-records.js';
import { runReportCommand } from '../reports/helpers/run-command.js';
import { writeScriptedHistory } from '../reports/helpers/scripted-history.js';
import { getJson, startTestConsole } from './console-kit.js';

const EVIL = '<img src=x onerror=alert(1)>';

describe('console over HTTP (postgres)', () => {
  let h: DatabaseHandle;
  let consoleServer: ConsoleServerHandle;
  let base: string;

  beforeAll(async () => {
    h = await createTestDatabase('postgres');
    await writeScriptedHistory(h.db);
    // One image written by the real region writer, named and tagged with markup.
    const runId = randomUUID();
    await startRun(h.db, { id: runId, trigger: 'cli', startedAt: new Date() });
    await syncFixtureRegion(h.db, runId, 'cn-evil', [wireImage('m-evil', 'cn-evil', {
      Name: EVIL, Description: '"><script>alert(2)</script>', Tags: [{ Key: '<b>k</b>', Value: '</td><script>alert(3)</script>' }],
    })], new Date(), 'prod');
    await finishRun(h.db, runId);
    consoleServer = await startTestConsole(h);
    base = consoleServer.url;
  });
  afterAll(async () => {
    await consoleServer?.close();
    await h?.close();
  });

  it('/healthz answers without touching anything', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])('%s answers 405 on every route and changes nothing', async (method) => {
    const before = await queryRows(h.db, sql`select count(*)::int as n from swas.image_events`);
    for (const path of ['/', '/images', '/images/m-1', '/changes', '/changes/stream', '/runs', '/notifications', '/healthz', '/nope']) {
      const res = await fetch(`${base}${path}`, { method, body: method === 'POST' ? 'x=1' : undefined });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    }
    expect(await queryRows(h.db, sql`select count(*)::int as n from swas.image_events`)).toEqual(before);
  });

  it('HEAD works like GET without a body', async () => {
    const res = await fetch(`${base}/images`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('every page escapes cloud text and carries a CSP without inline script', async () => {
    for (const path of ['/', '/images', '/images?q=m-evil', '/images/m-evil', '/changes', '/runs']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const body = await res.text();
      expect(body).not.toContain(EVIL);
      expect(body).not.toContain('<script>alert');
      // Every script element loads a file of this server; none carries code.
      for (const tag of body.match(/<script\b[^>]*>/g) ?? []) expect(tag, path).toMatch(/src="\/assets\/|type="application\/json"/);
      if (path.includes('evil')) expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    }
  });

  it('the token: required when set, as HTTP Basic password or Bearer; /healthz stays open', async () => {
    const token = 'console-test-token-0123456789';
    const locked = await startTestConsole(h, { token });
    try {
      const none = await fetch(`${locked.url}/images`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect((await fetch(`${locked.url}/images`, { headers: { Authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
      expect((await fetch(`${locked.url}/images`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      const basic = Buffer.from(`anyone:${token}`).toString('base64');
      expect((await fetch(`${locked.url}/assets/console.css`, { headers: { Authorization: `Basic ${basic}` } })).status).toBe(200);
      expect((await fetch(`${locked.url}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${locked.url}/images`)).text()).not.toContain(token);
    } finally {
      await locked.close();
    }
  });

  const cli = async (args: string[]) => {
    const res = await runReportCommand(h, [...args, '--format', 'json']);
    expect(res.exitCode, res.err).toBe(0);
    return JSON.parse(res.out) as unknown;
  };

  it.each([
    ['', []],
    ['?account=prod', ['--account', 'prod']],
    ['?region=cn-hangzhou&status=available,creation_failed', ['--region', 'cn-hangzhou', '--status', 'available,creation_failed']],
    ['?tag=env%3Dprod', ['--tag', 'env=prod']],
    ['?deleted=1', ['--include-deleted']],
    ['?as_of=2026-01-03T12:00:00Z', ['--as-of', '2026-01-03T12:00:00Z']],
    ['?as_of=2026-01-04T12:00:00Z&deleted=1&account=prod', ['--as-of', '2026-01-04T12:00:00Z', '--include-deleted', '--account', 'prod']],
  ])('/images%s answers the JSON of `images` for the same filters', async (query, args) => {
    const page = await getJson(`${base}/images${query}`);
    expect(page.status).toBe(200);
    const expected = await cli(['images', ...args]);
    expect((expected as unknown[]).length).toBeGreaterThan(0);
    expect(page.body).toEqual(expected);
  });

  it('the CSV and JSON downloads are the CLI output for the same filters; the CSV parses to its JSON', async () => {
    const query = '?account=prod&deleted=1';
    const csv = await fetch(`${base}/images${query}&format=csv`);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="images.csv"');
    const text = await csv.text();
    const json = await cli(['images', '--account', 'prod', '--include-deleted']) as Array<Record<string, unknown>>;
    expect(parse(text, { columns: true })).toEqual(csvRecordsOf(json));
    const download = await fetch(`${base}/images${query}&format=json`);
    expect(await download.json()).toEqual(json);
  });

  it.each([
    ['', []],
    ['?kind=status_changed,deleted', ['--kind', 'status_changed,deleted']],
    ['?account=prod&since=2026-01-02&until=2026-01-05', ['--account', 'prod', '--since', '2026-01-02', '--until', '2026-01-05']],
    ['?region=cn-hangzhou', ['--region', 'cn-hangzhou']],
  ])('/changes%s answers the JSON of `history` for the same filters', async (query, args) => {
    const page = await getJson(`${base}/changes${query}`);
    expect(page.status).toBe(200);
    const expected = await cli(['history', ...args, '--limit', '50']);
    expect((expected as unknown[]).length).toBeGreaterThan(0);
    expect(page.body).toEqual(expected);
  });

  it('/images/{id} answers the image as `images` and its timeline as `history --image`', async () => {
    const page = await getJson(`${base}/images/m-1`);
    expect(page.status).toBe(200);
    const body = page.body as { image: unknown; history: unknown; versions: unknown[] };
    const images = await cli(['images', '--include-deleted', '--account', 'prod']) as Array<{ imageId: string }>;
    expect(body.image).toEqual(images.find((i) => i.imageId === 'm-1'));
    expect(body.history).toEqual(await cli(['history', '--image', 'm-1']));
    expect(body.versions).toHaveLength(4);
  });

  it('/runs answers `runs`, / answers `status` and `runs` for its parts, /runs/{id} the run and its events', async () => {
    expect((await getJson(`${base}/runs`)).body).toEqual(await cli(['runs', '--limit', '50']));
    const overview = (await getJson(`${base}/`)).body as { status: Array<Record<string, unknown>>; runs: unknown; counts: Record<string, unknown[]> };
    const status = await runReportCommand(h, ['status', '--format', 'json'], { schedule: { cron: '*/15 * * * *', tz: 'UTC' } });
    const expectedStatus = JSON.parse(status.out) as Array<Record<string, unknown>>;
    // Ages move with the clock between the two reads; everything else must be equal.
    const still = (rows: Array<Record<string, unknown>>) => rows.map(({ ageSeconds: _a, ...rest }) => rest);
    expect(still(overview.status)).toEqual(still(expectedStatus));
    expect(overview.runs).toEqual(await cli(['runs', '--limit', '5']));
    expect(overview.counts.account).toEqual([{ value: 'prod', images: 3 }, { value: 'dev', images: 1 }]);
    const run = (await getJson(`${base}/runs/00000000-0000-0000-0000-000000000003`)).body as { run: unknown; events: unknown[] };
    expect(run.events.map((e) => (e as { kind: string }).kind).sort()).toEqual(['deleted', 'status_changed', 'tags_changed']);
    expect((await getJson(`${base}/runs/00000000-0000-0000-0000-00000000abcd`)).status).toBe(404);
  });

  it('bad filters answer 400 with the CLI\'s message, on the page and in JSON', async () => {
    const res = await fetch(`${base}/images?status=shiny`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('unknown status &#39;shiny&#39;');
    const future = await getJson(`${base}/images?as_of=2999-01-01`);
    expect(future.status).toBe(400);
    expect(JSON.stringify(future.body)).toMatch(/in the future/);
  });

  it('an empty view whose filters name a region or account never recorded says so, with the closest known names', async () => {
    const typo = await fetch(`${base}/images?region=cn-hangzou&account=prd`);
    expect(typo.status).toBe(200);
    const text = await typo.text();
    expect(text).toContain('unknown account &#39;prd&#39;: the database has never recorded it (did you mean prod?)');
    expect(text).toContain('unknown region &#39;cn-hangzou&#39;: the database has never recorded it');
    // The same words the CLI refuses the same filters with.
    await expect(runReportCommand(h, ['images', '--region', 'cn-hangzou', '--account', 'prd']))
      .rejects.toThrow("unknown account 'prd': the database has never recorded it (did you mean prod?); unknown region 'cn-hangzou'");
    // Known values that match nothing together: the plain empty state, no hint.
    const none = await (await fetch(`${base}/images?account=prod&tag=nosuch`)).text();
    expect(none).toContain('No images match these filters.');
    expect(none).not.toContain('never recorded');
  });

  it('/notifications answers `notifications status` for the accounts file\'s subscriptions, the target without path or query', async () => {
    const specs = parseSubscriptionSpecs({ subscriptions: [{ name: 'ops', url: 'https://hooks.example.com/x?key=sekrit-in-query', secretEnv: 'OPS_HOOK_SECRET' }] }, 'test');
    const withSubs = await startTestConsole(h, { subscriptions: specs });
    try {
      let out = '';
      const program = new Command('swas-inventory').exitOverride().configureOutput({ writeOut: (t) => { out += t; } });
      registerNotificationsCommand(program, { openDb: async () => ({ ...h, close: async () => {} }), subscriptionSpecs: () => specs });
      await program.parseAsync(['notifications', 'status', '--format', 'json'], { from: 'user' });
      const page = await getJson(`${withSubs.url}/notifications`);
      expect(page.body).toEqual(JSON.parse(out));
      expect((page.body as Array<{ target: string }>)[0]!.target).toBe('https://hooks.example.com');
      expect(await (await fetch(`${withSubs.url}/notifications`)).text()).not.toContain('sekrit');
    } finally {
      await withSubs.close();
    }
  });
});
