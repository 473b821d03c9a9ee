/**
 * `/`: counts by status, region, account and OS; the freshness grid (account x region, by the
 * rules of `status`); the last runs; events per day by kind over the last 30 days (uPlot, with
 * the same figures as a table for screen readers and no-script browsers).
 */
import type { Request, Response } from 'express';
import { STATUS_LAYOUT } from '../../reports/layouts.js';
import type { Row } from '../../reports/format/columns.js';
import { formatAge } from '../../reports/format/display-time.js';
import { pickFields } from '../../reports/format/format-rows.js';
import { assessFreshness } from '../../reports/freshness.js';
import { countEventsPerDay, countInventory, listRuns, listStatus } from '../../reports/run-reports.js';
import { EVENT_KINDS } from '../../domain/vocabulary.js';
import type { ConsoleContext } from '../console-context.js';
import { html, jsonData, queryString, type Html } from '../html.js';
import { emptyState, outcomeBadge, page, statusBadge, time } from '../page-shell.js';
import { sendHtml, sendJson, wantedFormat } from '../respond.js';
import { runsTable } from './runs-page.js';

export const CHART_DAYS = 30;
const DAY_MS = 86_400_000;

export function overviewPage(ctx: ConsoleContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const now = ctx.now();
    const data = await ctx.database.use(async (db) => ({
      counts: await countInventory(db),
      status: assessFreshness(await listStatus(db, {}), now, ctx.staleAfterMs(now)),
      runs: await listRuns(db, 5),
      perDay: await countEventsPerDay(db, now, CHART_DAYS),
    }));
    const counts = Object.fromEntries(['status', 'region', 'account', 'os'].map((d) => [d,
      data.counts.filter((r) => r.dimension === d).map((r) => ({ value: r.value, ...(d === 'status' ? { statusCode: r.statusCode } : {}), images: r.images }))]));
    if (wantedFormat(req) === 'json') {
      sendJson(res, {
        counts, status: data.status.map((r) => pickFields(r, STATUS_LAYOUT.fields)), runs: data.runs, eventsPerDay: data.perDay,
      });
      return;
    }
    sendHtml(res, page({
      title: 'Overview', path: '/',
      body: overviewBody(counts as Record<string, Row[]>, data.status, data.runs, data.perDay, now, ctx.staleAfterMs(now)),
    }));
  };
}

function overviewBody(counts: Record<string, Row[]>, status: Row[], runs: Row[], perDay: Row[], now: Date, staleAfterMs: number): Html {
  const total = (counts.status ?? []).reduce((n, r) => n + Number(r.images), 0);
  return html`<h1>Overview</h1>
<p class="lead">${total} image${total === 1 ? '' : 's'} present now. <a href="/images">Browse the inventory</a></p>
<section aria-labelledby="h-counts"><h2 id="h-counts">Images by</h2>
${total === 0 ? emptyState(runs.length === 0 ? 'No images: nothing has been synced into this database yet.' : 'No images are present now.',
    runs.length === 0 ? html`Run <code>swas-inventory sync</code> (or <code>npm run demo</code>).` : undefined) : html`<div class="cards">
  ${countCard('Status', counts.status ?? [], 'status')}${countCard('Region', counts.region ?? [], 'region')}
  ${countCard('Account', counts.account ?? [], 'account')}${countCard('OS', counts.os ?? [], 'os')}
</div>`}
</section>
<section aria-labelledby="h-fresh"><h2 id="h-fresh">Freshness</h2>
<p class="muted">Stale: no complete listing in the last ${formatAge(staleAfterMs)} (the rule of <code>status</code>).</p>
${freshnessGrid(status)}
</section>
<section aria-labelledby="h-runs"><h2 id="h-runs">Last runs</h2>
${runs.length === 0 ? emptyState('No runs yet.') : runsTable(runs)}
<p><a href="/runs">Every run</a></p>
</section>
<section aria-labelledby="h-chart"><h2 id="h-chart">Events per day, last ${CHART_DAYS} days</h2>
${eventsChart(perDay, now)}
</section>`;
}

function countCard(title: string, rows: Row[], key: string): Html {
  const filterKey = key === 'os' ? 'os' : key;
  return html`<div class="card"><h3>${title}</h3><table class="counts">
<thead><tr><th scope="col">${title}</th><th scope="col" class="num">Images</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td>${r.value === null ? html`<span class="none">(none)</span>`
  : html`<a href="/images${queryString([[filterKey, String(r.value)]])}">${key === 'status' ? statusBadge(r.value) : r.value}</a>`}</td>
  <td class="num">${r.images}</td></tr>`)}</tbody></table></div>`;
}

function freshnessGrid(rows: Row[]): Html {
  if (rows.length === 0) return emptyState('No region has been synced yet, so none can be fresh.', html`Run <code>swas-inventory sync</code>.`);
  const accounts = [...new Set(rows.map((r) => String(r.account)))];
  const regions = [...new Set(rows.map((r) => String(r.regionId)))].sort();
  const cell = new Map(rows.map((r) => [`${r.account}\u0000${r.regionId}`, r]));
  return html`<div class="table-wrap"><table class="freshness">
<caption class="visually-hidden">Freshness per account (rows) and region (columns)</caption>
<thead><tr><th scope="col">Account</th>${regions.map((r) => html`<th scope="col">${r}</th>`)}</tr></thead>
<tbody>${accounts.map((a) => html`<tr><th scope="row">${a}</th>${regions.map((region) => {
    const r = cell.get(`${a}\u0000${region}`);
    if (!r) return html`<td><span class="none">not synced</span></td>`;
    const error = [r.errorCode, r.errorMessage].filter((x) => typeof x === 'string' && x !== '').join(': ');
    return html`<td>${outcomeBadge(r.freshness)}
      <div class="small">${typeof r.ageSeconds === 'number' ? `${formatAge(r.ageSeconds * 1000)} ago` : 'never complete'}</div>
      ${r.lastOutcome && r.lastOutcome !== 'succeeded' ? html`<div class="small">last: ${outcomeBadge(r.lastOutcome)}</div>` : ''}
      ${error ? html`<div class="small err">${error}</div>` : ''}</td>`;
  })}</tr>`)}</tbody></table></div>`;
}

/** The chart's data (days x kinds, zeros filled) in a JSON block events-chart.js draws; the table is the text of the same figures. */
function eventsChart(perDay: Row[], now: Date): Html {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days = Array.from({ length: CHART_DAYS + 1 }, (_, i) => new Date(today - (CHART_DAYS - i) * DAY_MS).toISOString().slice(0, 10));
  const byKey = new Map(perDay.map((r) => [`${r.day}\u0000${r.kind}`, Number(r.events)]));
  const series = EVENT_KINDS.map((kind) => ({ kind, counts: days.map((d) => byKey.get(`${d}\u0000${kind}`) ?? 0) }));
  const total = perDay.reduce((n, r) => n + Number(r.events), 0);
  if (total === 0) return emptyState(`No events in the last ${CHART_DAYS} days: no sync recorded a change since ${days[0]}.`);
  const activeDays = days.filter((d) => EVENT_KINDS.some((k) => byKey.has(`${d}\u0000${k}`)));
  return html`<div id="events-chart" class="chart" role="img" aria-label="Events per day by kind: ${total} events in ${CHART_DAYS} days (table below)"></div>
<script type="application/json" id="events-chart-data">${jsonData({ days, series })}</script>
<details><summary>Events per day as a table</summary>
<div class="table-wrap"><table class="counts"><thead><tr><th scope="col">Day (UTC)</th>${EVENT_KINDS.map((k) => html`<th scope="col" class="num">${k}</th>`)}</tr></thead>
<tbody>${activeDays.map((d) => html`<tr><td>${d}</td>${EVENT_KINDS.map((k) => html`<td class="num">${byKey.get(`${d}\u0000${k}`) ?? 0}</td>`)}</tr>`)}</tbody></table></div>
</details>
<p><a href="/changes">The change feed</a> · ${time(now.toISOString())}</p>`;
}
