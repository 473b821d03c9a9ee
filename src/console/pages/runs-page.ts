/**
 * `/runs`: one row per run (id, trigger, started, duration, outcome, regions succeeded / failed /
 * left out, events), 50 a page; `/runs/{runId}`: its region outcomes with reasons and the events
 * it recorded. JSON is `runs --format json`'s (each run with its `regions`).
 */
import type { Request, Response } from 'express';
import type { Row } from '../../reports/format/columns.js';
import { formatAge } from '../../reports/format/display-time.js';
import { parsePositiveInt } from '../../reports/parse-filters.js';
import { listHistory, listRuns } from '../../reports/run-reports.js';
import type { ConsoleContext } from '../console-context.js';
import { html, queryString, type Html } from '../html.js';
import { PAGE_SIZE, values } from '../image-filters.js';
import { emptyState, outcomeBadge, page, time } from '../page-shell.js';
import { searchParams, sendHtml, sendJson, wantedFormat } from '../respond.js';
import { eventsTable } from './changes-page.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COUNTS = ['created', 'updated', 'statusChanged', 'tagsChanged', 'deleted', 'restored'] as const;

export function runsPage(ctx: ConsoleContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const n = pageNumber(searchParams(req));
    const rows = await ctx.database.use((db) => listRuns(db, PAGE_SIZE + 1, { offset: (n - 1) * PAGE_SIZE }));
    const more = rows.length > PAGE_SIZE;
    const shown = more ? rows.slice(0, PAGE_SIZE) : rows;
    if (more) res.setHeader('Link', `</runs?page=${n + 1}>; rel="next"`);
    if (wantedFormat(req) === 'json') return sendJson(res, shown);
    sendHtml(res, page({
      title: 'Runs', path: '/runs', body: html`<h1>Runs</h1>
${shown.length === 0 ? emptyState(n > 1 ? `Page ${n} is past the oldest run.` : 'No runs yet: nothing has been synced into this database.',
        n > 1 ? html`<a href="/runs">First page</a>` : html`Run <code>swas-inventory sync</code> (or <code>npm run demo</code>).`) : runsTable(shown)}
${n > 1 || more ? html`<nav class="pager" aria-label="Pages">${n > 1 ? html`<a href="/runs${queryString([['page', n > 2 ? n - 1 : undefined]])}" rel="prev">← Newer</a>` : ''}
<span>Page ${n}</span>${more ? html`<a href="/runs?page=${n + 1}" rel="next">Older →</a>` : ''}</nav>` : ''}`,
    }));
  };
}

export function runPage(ctx: ConsoleContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const runId = String(req.params.runId ?? '');
    const n = pageNumber(searchParams(req));
    const found = UUID.test(runId) ? await ctx.database.use(async (db) => {
      const [run] = await listRuns(db, 1, { runIds: [runId] });
      const events = run ? await listHistory(db, { syncRunIds: [runId], limit: PAGE_SIZE + 1, offset: (n - 1) * PAGE_SIZE }) : [];
      return run ? { run, events } : undefined;
    }) : undefined;
    const json = wantedFormat(req) === 'json';
    if (!found) {
      const why = UUID.test(runId) ? `No run ${runId}: it never existed, or it changed nothing and was pruned (SWAS_RETENTION_DAYS).`
        : `'${runId}' is not a run id (run ids are UUIDs).`;
      if (json) return sendJson(res, { error: why }, 404);
      return sendHtml(res, page({ title: 'Run not found', path: '/runs', body: html`<h1>Run not found</h1>${emptyState(why, html`<a href="/runs">Every run</a>`)}` }), 404);
    }
    const more = found.events.length > PAGE_SIZE;
    const events = more ? found.events.slice(0, PAGE_SIZE) : found.events;
    if (json) return sendJson(res, { run: found.run, events });
    sendHtml(res, page({ title: `Run ${runId.slice(0, 8)}`, path: '/runs', body: runBody(found.run, events, n, more) }));
  };
}

function pageNumber(params: URLSearchParams): number {
  const text = values(params, 'page')[0];
  return text === undefined ? 1 : parsePositiveInt(text, 'page');
}

export interface RunSummary {
  succeeded: number;
  failed: number;
  leftOut: number;
  events: number;
  durationMs: number | null;
}

/** What the runs table shows of a run: region outcomes counted, events added up, how long it took. Pure. */
export function summarizeRun(run: Row): RunSummary {
  const regions = Array.isArray(run.regions) ? (run.regions as Row[]) : [];
  const started = Date.parse(String(run.startedAt ?? ''));
  const finished = Date.parse(String(run.finishedAt ?? ''));
  return {
    succeeded: regions.filter((r) => r.status === 'succeeded').length,
    failed: regions.filter((r) => r.status === 'failed' || r.status === 'incomplete').length,
    leftOut: regions.filter((r) => r.status === 'skipped').length,
    events: regions.reduce((sum, r) => sum + COUNTS.reduce((s, k) => s + (Number(r[k]) || 0), 0), 0),
    durationMs: Number.isNaN(started) || Number.isNaN(finished) ? null : finished - started,
  };
}

export function runsTable(runs: Row[]): Html {
  return html`<div class="table-wrap"><table class="runs">
<thead><tr><th scope="col">Run</th><th scope="col">Trigger</th><th scope="col">Started</th><th scope="col" class="num">Duration</th>
<th scope="col">Outcome</th><th scope="col" class="num">Regions ok</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Left out</th>
<th scope="col" class="num">Events</th></tr></thead>
<tbody>${runs.map((run) => {
    const s = summarizeRun(run);
    return html`<tr><td data-label="Run"><a href="/runs/${String(run.runId)}"><code>${String(run.runId).slice(0, 8)}</code></a></td>
<td data-label="Trigger">${run.trigger}</td><td data-label="Started">${time(run.startedAt)}</td>
<td data-label="Duration" class="num">${s.durationMs === null ? 'running' : duration(s.durationMs)}</td>
<td data-label="Outcome">${outcomeBadge(run.status)}</td><td data-label="Regions ok" class="num">${s.succeeded}</td>
<td data-label="Failed" class="num">${s.failed}</td><td data-label="Left out" class="num">${s.leftOut}</td><td data-label="Events" class="num">${s.events}</td></tr>`;
  })}</tbody></table></div>`;
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : formatAge(ms);
}

function runBody(run: Row, events: Row[], n: number, more: boolean): Html {
  const regions = Array.isArray(run.regions) ? (run.regions as Row[]) : [];
  const s = summarizeRun(run);
  return html`<h1>Run <code>${run.runId}</code></h1>
<dl class="facts">
  <dt>Outcome</dt><dd>${outcomeBadge(run.status)}</dd><dt>Trigger</dt><dd>${run.trigger}</dd>
  <dt>Started</dt><dd>${time(run.startedAt)}</dd><dt>Finished</dt><dd>${run.finishedAt ? time(run.finishedAt) : 'still running'}</dd>
  <dt>Duration</dt><dd>${s.durationMs === null ? 'running' : duration(s.durationMs)}</dd><dt>Images seen</dt><dd>${run.imagesSeen}</dd>
  ${run.error ? html`<dt>Error</dt><dd class="err">${run.error}</dd>` : ''}
</dl>
<h2>Regions</h2>
${regions.length === 0 ? emptyState('This run recorded no region (it failed before planning, or is still starting).') : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Account</th><th scope="col">Region</th><th scope="col">Outcome</th><th scope="col" class="num">Pages</th>
<th scope="col" class="num">API calls</th><th scope="col" class="num">Images</th><th scope="col" class="num">Events</th><th scope="col">Reason</th></tr></thead>
<tbody>${regions.map((r) => html`<tr><td data-label="Account">${r.account}</td><td data-label="Region">${r.regionId}</td>
<td data-label="Outcome">${outcomeBadge(r.status)}</td><td data-label="Pages" class="num">${r.pages}</td><td data-label="API calls" class="num">${r.apiCalls}</td>
<td data-label="Images" class="num">${r.images}</td><td data-label="Events" class="num">${COUNTS.reduce((x, k) => x + (Number(r[k]) || 0), 0)}</td>
<td data-label="Reason" class="err">${[r.errorCode, r.errorMessage].filter((x) => typeof x === 'string' && x !== '').join(': ')}</td></tr>`)}</tbody></table></div>`}
<h2>Events it recorded</h2>
${events.length === 0 ? emptyState(n > 1 ? 'No more events.' : 'This run recorded no event: every region it listed was unchanged.') : eventsTable(events)}
${n > 1 || more ? html`<nav class="pager" aria-label="Pages">${n > 1 ? html`<a href="?page=${n - 1}" rel="prev">← Previous</a>` : ''}<span>Page ${n}</span>
${more ? html`<a href="?page=${n + 1}" rel="next">Next →</a>` : ''}</nav>` : ''}`;
}
