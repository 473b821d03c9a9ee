/**
 * The console in a real browser (headless Chromium through playwright-core), over a history made
 * by real syncs against the emulator (scripted-world.ts), served as a login that has only
 * swas_reader: the overview, filters and as-of, the image timeline with each event's change, the
 * diff, the CSV download parsing to the CLI's JSON, a change appearing live on /changes within 5 s
 * of the sync that commits it, an image named `<img src=x onerror=alert(1)>` shown as text with
 * no script run, 405 on POST, the time toggle, keyboard and labels. Screenshots at 1440 and 390 px
 * go to test-results/console/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleServerHandle } from '../../src/console/console-server.js';
import { consoleDatabase } from '../../src/console/database-access.js';
import { parseSubscriptionSpecs } from '../../src/config/subscriptions.js';
import { openDatabase } from '../../src/db/open-database.js';
import { launchChromium, skipBrowserTests } from '../helpers/chromium.js';
import { csvRecordsOf } from '../reports/helpers/csv-records.js';
import { runReportCommand } from '../reports/helpers/run-command.js';
import { startTestConsole } from './console-kit.js';
import { ACCOUNT, buildScriptedWorld, EVIL, STORY, type ScriptedWorld } from './scripted-world.js';

const SHOTS = resolve(import.meta.dirname, '../../test-results/console');

describe.skipIf(skipBrowserTests('the console browser test'))('the console in a browser', () => {
  let world: ScriptedWorld;
  let server: ConsoleServerHandle;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const dialogs: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    world = await buildScriptedWorld();
    // The console reads as the swas_reader-only login, as an operator would deploy it.
    server = await startTestConsole(null, {
      database: consoleDatabase({ kind: 'postgres', open: () => openDatabase({ databaseUrl: world.readerUrl, maxConnections: 3 }) }),
    });
    base = server.url;
    browser = await launchChromium();
    // A zone that is not UTC, so the local-time toggle shows a difference.
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true, timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    page.on('pageerror', (e) => errors.push(e.message));
    // A CSP violation (an inline script or style the policy blocked) is logged as a console error.
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await world?.close();
  });

  async function shoot(name: string, path: string): Promise<void> {
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await page.goto(`${base}${path}`);
      await page.locator('main h1').first().waitFor();
      if (path === '/') await page.locator('#events-chart .uplot').waitFor();
      await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  }

  it('overview: counts, freshness by the rules of status, the last runs, the events chart', async () => {
    await page.goto(`${base}/`);
    await expect(page.locator('main h1')).toHaveTextLike('Overview');
    expect(await page.locator('.lead').textContent()).toMatch(/^\d+ images present now/);
    const grid = page.locator('table.freshness');
    expect(await grid.locator('tbody th').allTextContents()).toEqual([ACCOUNT]);
    expect(await grid.locator('tbody td .badge').allTextContents()).toEqual(['fresh', 'fresh']);
    expect(await page.locator('table.runs tbody tr').count()).toBe(5);
    await page.locator('#events-chart .uplot canvas').waitFor();
    // The chart's figures as text too: today's row counts the story's events among them.
    const restoredToday = await page.locator('details table tbody tr').last().locator('td').nth(6).textContent();
    expect(Number(restoredToday)).toBe(1);
    await shoot('overview', '/');
  }, 60_000);

  it('filters through the form (the URL carries them) and as-of, with an empty state that says why', async () => {
    await page.goto(`${base}/images`);
    await page.getByLabel('Name or id contains').fill('story');
    await page.getByLabel('Status').selectOption('available');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/q=story/);
    expect(page.url()).toMatch(/status=available/);
    const rows = page.locator('table.images tbody tr');
    await expect(rows.first().locator('td.name')).toHaveTextLike('web-v2');
    expect(await rows.count()).toBe(1);

    await page.goto(`${base}/images?q=${STORY}&as_of=${encodeURIComponent(world.marks.created)}`);
    await expect(page.locator('table.images tbody tr td.name')).toHaveTextLike('web');
    expect(await page.locator('table.images tbody tr .badge').textContent()).toBe('creating');
    await page.goto(`${base}/images?q=${STORY}&as_of=${encodeURIComponent(world.marks.deleted)}`);
    expect(await page.locator('.empty').textContent()).toMatch(/No images match these filters at that time/);
    await page.goto(`${base}/images?q=${STORY}&as_of=${encodeURIComponent(world.marks.deleted)}&deleted=1`);
    expect(await page.locator('table.images tbody tr td[data-label="Deleted"] time').count()).toBe(1);
    await page.goto(`${base}/images?as_of=${encodeURIComponent(world.marks.beforeFirst)}`);
    expect(await page.locator('.empty').textContent()).toMatch(/^No images as of .*: the first sync was at /);
    await shoot('images', '/images');
  }, 60_000);

  it('the image timeline shows every event, newest first, with what changed; the status band says each status in words', async () => {
    await page.goto(`${base}/images/${STORY}?account=${ACCOUNT}`);
    const timeline = page.locator('section[aria-labelledby="h-timeline"] tbody tr');
    expect(await timeline.locator('.kind').allTextContents())
      .toEqual(['restored', 'deleted', 'tags_changed', 'updated', 'status_changed', 'status_changed', 'created']);
    const text = (i: number) => timeline.nth(i).textContent();
    expect(await text(2)).toContain('+ team=core');
    expect(await text(2)).toContain('env: dev → prod');
    expect(await text(3)).toContain('name: "web" → "web-v2"');
    expect(await text(4)).toMatch(/available\s*→\s*unavailable/);
    expect(await text(5)).toMatch(/creating\s*→\s*available/);
    expect(await page.locator('.band-legend li strong').allTextContents()).toEqual(['creating', 'available', 'unavailable', 'unavailable', 'unavailable', 'available']);
    await shoot('image', `/images/${STORY}?account=${ACCOUNT}`);
  }, 60_000);

  it('the diff compares the last two versions by default, and any two chosen', async () => {
    await page.goto(`${base}/images/${STORY}?account=${ACCOUNT}`);
    const changed = () => page.locator('#diff tr.changed th').allTextContents();
    expect(await changed()).toEqual(['status']);
    await page.getByLabel('From version').selectOption({ index: 0 });
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.waitForURL(/from=/);
    expect(await changed()).toEqual(['name', 'status', 'tags']);
    expect(await page.locator('#diff-same tbody th').count()).toBeGreaterThan(10);
    expect(await page.locator('#diff tr.changed').filter({ hasText: 'name' }).textContent()).toMatch(/"web"[\s\S]*"web-v2"/);
  }, 60_000);

  it('the CSV download of the current view parses to the CLI\'s JSON for the same filters', async () => {
    await page.goto(`${base}/images?account=${ACCOUNT}&deleted=1`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    const cli = await runReportCommand(world.owner, ['images', '--account', ACCOUNT, '--include-deleted', '--format', 'json']);
    const json = JSON.parse(cli.out) as Array<Record<string, unknown>>;
    expect(json.length).toBeGreaterThan(5);
    expect(parse(csv, { columns: true })).toEqual(csvRecordsOf(json));
  }, 60_000);

  it('a change appears on /changes within 5 s of the sync committing it', async () => {
    await page.goto(`${base}/changes`);
    await page.locator('#live-status').waitFor();
    // The stream is open once the page's EventSource has connected (it answers before any event).
    await page.waitForFunction("document.getElementById('live-status')?.className === 'live'");
    world.emu.updateImage(STORY, { name: 'web-v3' });
    await world.sync();
    await page.locator('#events-body tr.new', { hasText: 'web-v3' }).first().waitFor({ timeout: 5_000 });
    expect(await page.locator('#events-body tr.new').first().textContent()).toContain('name: "web-v2" → "web-v3"');
    await shoot('changes', '/changes');
  }, 60_000);

  it('an image named <img src=x onerror=alert(1)> is text: no element made, no script run', async () => {
    await page.goto(`${base}/images?q=onerror`);
    await expect(page.locator('table.images td.name')).toHaveTextLike(EVIL);
    await page.goto(`${base}/images/m-evil?account=${ACCOUNT}`);
    expect(await page.locator('main h1 .name').textContent()).toBe(EVIL);
    expect(await page.locator('.tags').first().textContent()).toContain('</td><script>alert(3)</script>');
    await page.goto(`${base}/changes`);
    await page.locator('#events-body tr', { hasText: EVIL }).first().waitFor();
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  }, 60_000);

  it('POST answers 405; every page, /notifications too, is served to a swas_reader-only login', async () => {
    const res = await page.request.post(`${base}/images`, { data: 'x=1' });
    expect(res.status()).toBe(405);
    expect(res.headers().allow).toBe('GET, HEAD');
    // The delivery state is the reader's too (migration 0011's views): the page shows what
    // `notifications status` shows. A cursor at the very start makes every recorded event lag.
    await world.owner.db.execute(sql`insert into swas.notification_cursors (subscription, last_xid, last_event_id) values ('ops', '0'::xid8, 0)`);
    const [{ n: events }] = await world.owner.db.execute(sql`select count(*)::int as n from swas.image_events`) as unknown as [{ n: number }];
    expect(events).toBeGreaterThan(5);
    const specs = parseSubscriptionSpecs({ subscriptions: [{ name: 'ops', url: 'https://hooks.example.com/x', secretEnv: 'OPS_HOOK_SECRET' }] }, 'test');
    const withSubs = await startTestConsole(null, {
      subscriptions: specs, database: consoleDatabase({ kind: 'postgres', open: () => openDatabase({ databaseUrl: world.readerUrl, maxConnections: 1 }) }),
    });
    try {
      const shown = await page.request.get(`${withSubs.url}/notifications`, { headers: { accept: 'application/json' } });
      expect(shown.status()).toBe(200);
      expect(await shown.json()).toMatchObject([{ subscription: 'ops', target: 'https://hooks.example.com', started: true, lagEvents: events, unscanned: events, pending: 0, dead: 0 }]);
      await page.goto(`${withSubs.url}/notifications`);
      expect(await page.locator('main table tbody tr').first().textContent()).toContain('ops');
    } finally {
      await withSubs.close();
    }
    // A login outside swas_reader is refused with the reason, not a blind 500.
    const strangerUrl = await world.loginWithoutRoles();
    const asStranger = await startTestConsole(null, {
      subscriptions: specs, database: consoleDatabase({ kind: 'postgres', open: () => openDatabase({ databaseUrl: strangerUrl, maxConnections: 1 }) }),
    });
    try {
      const denied = await page.request.get(`${asStranger.url}/notifications`);
      expect(denied.status()).toBe(403);
      expect(await denied.text()).toContain('may not read what this page needs (permission denied)');
    } finally {
      await asStranger.close();
    }
    const reader = await openDatabase({ databaseUrl: world.readerUrl, maxConnections: 1 });
    try {
      await expect(reader.db.execute('select count(*) from swas.custom_images' as never)).rejects.toThrow();
    } finally {
      await reader.close();
    }
  }, 60_000);

  it('keyboard first: a skip link, labelled controls, the UTC / local time toggle', async () => {
    await page.goto(`${base}/images`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    for (const label of ['Account', 'Region', 'Status', 'OS', 'Tag', 'As of', 'Include deleted']) {
      expect(await page.getByLabel(label, { exact: true }).count(), label).toBe(1);
    }
    const first = page.locator('table.images time').first();
    expect(await first.textContent()).toMatch(/ UTC$/);
    await page.getByRole('button', { name: /Times: UTC/ }).click();
    const utc = await page.locator('table.images time').first().getAttribute('datetime');
    const local = new Date(Date.parse(utc as string) + 8 * 3_600_000).toISOString();
    expect(await first.textContent()).toBe(`${local.slice(0, 10)} ${local.slice(11, 19)} GMT+8`);
    expect(await page.getByRole('button', { name: /Times: local/ }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: /Times: local/ }).click();
    await shoot('runs', '/runs');
    expect(errors).toEqual([]);
  }, 60_000);
});

declare module 'vitest' {
  interface Assertion {
    toHaveTextLike(text: string): Promise<void>;
  }
}
expect.extend({
  async toHaveTextLike(locator: { textContent(): Promise<string | null>; waitFor(): Promise<void> }, text: string) {
    await locator.waitFor();
    const actual = ((await locator.textContent()) ?? '').trim();
    return { pass: actual === text, message: () => `expected text ${JSON.stringify(actual)} to be ${JSON.stringify(text)}` };
  },
});
