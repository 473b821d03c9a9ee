/**
 * `/changes`: the change feed (newest first, 50 a page) with filters `kind`, `account`, `region`,
 * `since`, `until`; `/changes/stream` sends each change as a sync commits it (server-sent events),
 * read through the commit-order cursor `history --follow` uses, so no event is skipped when
 * transactions commit out of id order. JSON is `history --format json`'s.
 */
import type { Request, Response } from 'express';
import { HISTORY_LAYOUT } from '../../reports/layouts.js';
import type { Row } from '../../reports/format/columns.js';
import { pickFields } from '../../reports/format/format-rows.js';
import { currentPosition, readFollowPage, type EventPosition, type FollowFilters } from '../../reports/follow-history.js';
import { FilterError, parseKinds, parsePositiveInt } from '../../reports/parse-filters.js';
import { parseTime } from '../../reports/parse-time.js';
import { listHistory } from '../../reports/run-reports.js';
import type { HistoryQueryOptions } from '../../reports/sql/history-query.js';
import { EVENT_KINDS } from '../../domain/vocabulary.js';
import type { ConsoleContext } from '../console-context.js';
import { html, queryString, type Html } from '../html.js';
import { PAGE_SIZE, values } from '../image-filters.js';
import { emptyState, page, statusBadge, time } from '../page-shell.js';
import { searchParams, sendHtml, sendJson, wantedFormat } from '../respond.js';
import { describeChange } from './change-text.js';

interface ChangeFilters {
  query: HistoryQueryOptions;
  page: number;
  params: Array<[string, string]>;
}

export function parseChangeFilters(params: URLSearchParams, now: Date): ChangeFilters {
  const since = values(params, 'since')[0];
  const until = values(params, 'until')[0];
  const query: HistoryQueryOptions = {
    kinds: values(params, 'kind').flatMap(parseKinds),
    accounts: values(params, 'account'),
    regions: values(params, 'region'),
    imageIds: values(params, 'image'),
    since: since === undefined ? undefined : parseTime(since, now),
    until: until === undefined ? undefined : parseTime(until, now),
  };
  if (query.since && query.until && query.since >= query.until) {
    throw new FilterError(`since (${query.since.toISOString()}) must be before until (${query.until.toISOString()})`);
  }
  const pageText = values(params, 'page')[0];
  const kept: Array<[string, string]> = [];
  for (const key of ['kind', 'account', 'region', 'image', 'since', 'until']) for (const v of values(params, key)) kept.push([key, v]);
  return { query, page: pageText === undefined ? 1 : parsePositiveInt(pageText, 'page'), params: kept };
}

export function changesPage(ctx: ConsoleContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const params = searchParams(req);
    const filters = parseChangeFilters(params, ctx.now());
    const rows = await ctx.database.use((db) => listHistory(db, { ...filters.query, limit: PAGE_SIZE + 1, offset: (filters.page - 1) * PAGE_SIZE }));
    const more = rows.length > PAGE_SIZE;
    const shown = more ? rows.slice(0, PAGE_SIZE) : rows;
    const pageUrl = (n: number) => `/changes${queryString([...filters.params, ...(n > 1 ? [['page', n] as const] : [])])}`;
    if (more) res.setHeader('Link', `<${pageUrl(filters.page + 1)}>; rel="next"`);
    if (wantedFormat(req) === 'json') return sendJson(res, shown.map((r) => pickFields(r, HISTORY_LAYOUT.fields)));
    const live = filters.page === 1 && !filters.query.until;
    const stream = `/changes/stream${queryString(filters.params.filter(([k]) => k !== 'since'))}`;
    sendHtml(res, page({
      title: 'Changes', path: '/changes', body: html`<h1>Changes</h1>
${changeForm(params)}
${live ? html`<p class="live" id="live-status" data-stream="${stream}" role="status" aria-live="polite">Live: new changes appear at the top as syncs commit them.</p>` : ''}
${shown.length === 0 && !live ? emptyState(filters.page > 1 ? 'No more changes.' : 'No changes match these filters.', html`<a href="/changes">Every change</a>`) : ''}
${shown.length === 0 && live ? html`<p class="muted" id="changes-empty">No changes recorded${filters.params.length > 0 ? ' that match these filters' : ''} yet; new ones will appear here.</p>` : ''}
${eventsTable(shown, live)}
${filters.page > 1 || more ? html`<nav class="pager" aria-label="Pages">${filters.page > 1 ? html`<a href="${pageUrl(filters.page - 1)}" rel="prev">← Newer</a>` : ''}
<span>Page ${filters.page}</span>${more ? html`<a href="${pageUrl(filters.page + 1)}" rel="next">Older →</a>` : ''}</nav>` : ''}`,
    }));
  };
}

/** History rows as a table: when, image, kind, status, and what changed (field: old -> new, tags added and removed). */
export function eventsTable(rows: Row[], live = false): Html {
  if (rows.length === 0 && !live) return html``;
  return html`<div class="table-wrap"><table class="events">
<thead><tr><th scope="col">When</th><th scope="col">Image</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">What changed</th></tr></thead>
<tbody id="events-body">${rows.map(eventRow)}</tbody></table></div>`;
}

export function eventRow(r: Row): Html {
  const from = typeof r.fromStatus === 'string' ? r.fromStatus : null;
  const to = typeof r.toStatus === 'string' ? r.toStatus : null;
  return html`<tr data-event-id="${r.eventId}">
<td data-label="When">${time(r.observedAt)}</td>
<td data-label="Image"><a href="/images/${encodeURIComponent(String(r.imageId))}${queryString([['account', String(r.account)]])}">${r.imageId}</a>
  <div class="small">${r.name} · ${r.account} · ${r.regionId}</div></td>
<td data-label="Kind"><span class="kind kind-${String(r.kind)}">${r.kind}</span></td>
<td data-label="Status">${from !== null && to !== null && from !== to ? html`${statusBadge(from)} → ${statusBadge(to)}` : statusBadge(to ?? from)}</td>
<td data-label="What changed">${describeChange(r.changes)}</td></tr>`;
}

function changeForm(params: URLSearchParams): Html {
  const one = (key: string) => values(params, key).join(', ');
  const kind = values(params, 'kind')[0] ?? '';
  const field = (key: string, label: string, hint: string) => html`<div class="field"><label for="c-${key}">${label}</label>
<input id="c-${key}" name="${key}" value="${one(key)}" placeholder="${hint}" autocomplete="off"></div>`;
  return html`<form class="filters" method="get" action="/changes" role="search" aria-label="Filter changes">
<div class="field"><label for="c-kind">Kind</label><select id="c-kind" name="kind"><option value="">any</option>
${EVENT_KINDS.map((k) => html`<option value="${k}"${kind === k ? html` selected` : ''}>${k}</option>`)}</select></div>
${field('account', 'Account', 'prod')}${field('region', 'Region', 'cn-hangzhou')}
${field('since', 'Since', '24h or 2026-01-31')}${field('until', 'Until', '1h or 2026-02-01')}
<div class="field buttons"><button type="submit">Apply</button> <a href="/changes">Clear</a></div>
</form>`;
}

/**
 * How often the stream looks for newly committed changes: once a second on PostgreSQL (as
 * `history --follow`); every 5 s on the embedded database, where each poll opens it and takes its
 * folder lock: the gaps (longer than the linger) are what let a sync in while a page stays open.
 */
export const STREAM_POLL_MS = { postgres: 1_000, pglite: 5_000 } as const;
const HEARTBEAT_MS = 15_000;

/**
 * Server-sent events: `event: change` with the `history` row as JSON, oldest first, from the
 * moment the stream opened. The cursor is kept here; on the embedded database each poll opens it
 * for that poll only, and a poll that finds it held by a sync is simply retried.
 */
export function changesStream(ctx: ConsoleContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const filters = parseChangeFilters(searchParams(req), ctx.now());
    const follow: FollowFilters = { kinds: filters.query.kinds, accounts: filters.query.accounts, regions: filters.query.regions, imageIds: filters.query.imageIds };
    let position: EventPosition = await ctx.database.use((db) => currentPosition(db));
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    res.write('retry: 2000\n: connected\n\n');
    let open = true;
    const done = new Promise<void>((resolve) => req.on('close', () => { open = false; resolve(); }));
    let quiet = 0;
    while (open) {
      try {
        const page = await ctx.database.use((db) => readFollowPage(db, position, follow));
        position = page.next;
        for (const row of page.rows) res.write(`event: change\nid: ${String(row.eventId)}\ndata: ${JSON.stringify(pickFields(row, HISTORY_LAYOUT.fields))}\n\n`);
        if (page.more) continue;
      } catch (err) {
        // Held by a sync (embedded) or a database restart: say so and try again; the cursor stays put.
        res.write(`event: wait\ndata: ${JSON.stringify({ reason: (err as Error).message.split('\n')[0] })}\n\n`);
      }
      const interval = STREAM_POLL_MS[ctx.database.kind];
      quiet += interval;
      if (quiet >= HEARTBEAT_MS) {
        res.write(': heartbeat\n\n');
        quiet = 0;
      }
      await Promise.race([done, new Promise((r) => setTimeout(r, interval))]);
    }
    res.end();
  };
}
