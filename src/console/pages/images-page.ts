/**
 * `/images`: the inventory now or as of a time, filtered, sorted and paged in SQL (50 a page),
 * every filter in the URL; the current view downloads as the CLI's CSV or JSON.
 */
import type { Request, Response } from 'express';
import { formatRows } from '../../reports/format/format-rows.js';
import { IMAGES_LAYOUT } from '../../reports/layouts.js';
import { assertKnownFilterValues } from '../../reports/check-filter-values.js';
import { listImages, listRuns } from '../../reports/run-reports.js';
import { UnknownFilterValueError } from '../../domain/errors.js';
import type { ImagesSortKey } from '../../reports/sql/images-query.js';
import { STATUS_LABELS } from '../../domain/vocabulary.js';
import type { ConsoleContext } from '../console-context.js';
import { html, queryString, type Html } from '../html.js';
import { PAGE_SIZE, parseImageFilters, values, type ImageFilters } from '../image-filters.js';
import { emptyState, page, statusBadge, tagChips, time } from '../page-shell.js';
import { searchParams, sendDownload, sendHtml, wantedFormat } from '../respond.js';
import type { Row } from '../../reports/format/columns.js';
import type { Db } from '../../db/database.js';

export function imagesPage(ctx: ConsoleContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const now = ctx.now();
    const params = searchParams(req);
    const filters = parseImageFilters(params, now);
    const format = wantedFormat(req);
    const pick = (rows: Row[]) => formatRows('json', IMAGES_LAYOUT, rows);
    if (format === 'csv' || (format === 'json' && params.get('format') === 'json')) {
      // A download is the whole view (every page), exactly the CLI's output for the same filters.
      const rows = await ctx.database.use((db) => listImages(db, filters.query));
      sendDownload(res, 'images', format, formatRows(format, IMAGES_LAYOUT, rows));
      return;
    }
    const offset = (filters.page - 1) * PAGE_SIZE;
    const { rows, firstRun, unknown } = await ctx.database.use(async (db) => {
      // One row more than a page says whether there is a next one, without counting the whole view.
      const found = await listImages(db, { ...filters.query, limit: PAGE_SIZE + 1, offset });
      if (found.length > 0) return { rows: found, firstRun: undefined, unknown: undefined };
      const first = (await listRuns(db, 1, { oldest: true }))[0];
      return { rows: found, firstRun: first, unknown: await unknownFilterValues(db, filters) };
    });
    const more = rows.length > PAGE_SIZE;
    const shown = more ? rows.slice(0, PAGE_SIZE) : rows;
    if (more) res.setHeader('Link', `<${pageUrl(filters, filters.page + 1)}>; rel="next"`);
    if (format === 'json') {
      res.type('json').send(pick(shown));
      return;
    }
    sendHtml(res, page({ title: 'Images', path: '/images', body: imagesBody(filters, params, shown, more, firstRun, unknown) }));
  };
}

function pageUrl(filters: ImageFilters, n: number): string {
  return `/images${queryString([...filters.params, ...(n > 1 ? [['page', n] as const] : [])])}`;
}

/**
 * An empty view whose filters name an account, region or status code the database never recorded
 * is most likely a typo: what the CLI refuses with "did you mean" (check-filter-values.ts), the
 * page says beside its empty table. Asked only when nothing matched, so a page with rows pays
 * nothing for it.
 */
async function unknownFilterValues(db: Db, filters: ImageFilters): Promise<string | undefined> {
  try {
    await assertKnownFilterValues(db, { accounts: filters.query.accounts, regions: filters.query.regions, statuses: filters.query.statuses });
    return undefined;
  } catch (error) {
    if (error instanceof UnknownFilterValueError) return error.message;
    throw error;
  }
}

function imagesBody(filters: ImageFilters, params: URLSearchParams, rows: Row[], more: boolean, firstRun: Row | undefined, unknown: string | undefined): Html {
  const q = filters.query;
  const title = q.asOf ? html`Images as of ${time(q.asOf.toISOString())}` : html`Images`;
  const downloads = (type: string) => `/images${queryString([...filters.params, ['format', type]])}`;
  return html`<h1>${title}</h1>
${filterForm(params)}
<p class="actions">
  <a href="${downloads('csv')}" download hx-boost="false">Download CSV</a>
  <a href="${downloads('json')}" download hx-boost="false">Download JSON</a>
  <span class="muted">(every page of this view, the keys of <code>images --format csv|json</code>)</span>
</p>
${rows.length === 0 ? emptyImages(filters, firstRun, unknown) : html`<div class="table-wrap">
<table class="images">
<caption class="visually-hidden">Images, page ${filters.page}</caption>
<thead><tr>
  ${sortHeader(filters, 'account', 'Account')}${sortHeader(filters, 'region', 'Region')}${sortHeader(filters, 'image', 'Image')}
  ${sortHeader(filters, 'name', 'Name')}${sortHeader(filters, 'status', 'Status')}${sortHeader(filters, 'os', 'OS')}
  ${sortHeader(filters, 'created', 'Created')}<th scope="col">Tags</th>${q.includeDeleted ? html`<th scope="col">Deleted</th>` : ''}
</tr></thead>
<tbody>
${rows.map((r) => html`<tr${r.deletedAt ? html` class="deleted"` : ''}>
  <td data-label="Account">${r.account}</td><td data-label="Region">${r.regionId}</td>
  <td data-label="Image"><a href="/images/${encodeURIComponent(String(r.imageId))}${queryString([['account', String(r.account)]])}">${r.imageId}</a></td>
  <td data-label="Name" class="name">${r.name}</td><td data-label="Status">${statusBadge(r.status)}</td>
  <td data-label="OS">${r.osType}</td><td data-label="Created">${time(r.creationTime)}</td>
  <td data-label="Tags">${tagChips(r.tags)}</td>${q.includeDeleted ? html`<td data-label="Deleted">${r.deletedAt ? time(r.deletedAt) : html`<span class="none">present</span>`}</td>` : ''}
</tr>`)}
</tbody>
</table></div>`}
${pager(filters, more)}`;
}

function sortHeader(filters: ImageFilters, key: ImagesSortKey, label: string): Html {
  const sort = filters.query.sort;
  const active = sort?.by === key;
  const descending = active && sort?.descending === true;
  const others = filters.params.filter(([k]) => k !== 'sort' && k !== 'dir');
  const href = `/images${queryString([...others, ['sort', key], ...(active && !descending ? [['dir', 'desc'] as const] : [])])}`;
  const aria = active ? html` aria-sort="${descending ? 'descending' : 'ascending'}"` : '';
  return html`<th scope="col"${aria}><a href="${href}">${label}${active ? (descending ? ' ▼' : ' ▲') : ''}</a></th>`;
}

function pager(filters: ImageFilters, more: boolean): Html {
  if (filters.page === 1 && !more) return html``;
  return html`<nav class="pager" aria-label="Pages">
  ${filters.page > 1 ? html`<a href="${pageUrl(filters, filters.page - 1)}" rel="prev">← Previous</a>` : ''}
  <span>Page ${filters.page} (${PAGE_SIZE} a page)</span>
  ${more ? html`<a href="${pageUrl(filters, filters.page + 1)}" rel="next">Next →</a>` : ''}
</nav>`;
}

function emptyImages(filters: ImageFilters, firstRun: Row | undefined, unknown: string | undefined): Html {
  const q = filters.query;
  if (!firstRun) return emptyState('No images: nothing has been synced into this database yet.', html`Run <code>swas-inventory sync</code> (or <code>npm run demo</code> for a sample).`);
  const first = String(firstRun.startedAt ?? '');
  if (q.asOf && first !== '' && q.asOf.toISOString() < first) {
    return emptyState(html`No images as of ${time(q.asOf.toISOString())}: the first sync was at ${time(first)}.`);
  }
  const filtered = filters.params.some(([k]) => k !== 'sort' && k !== 'dir' && k !== 'as_of' && k !== 'deleted');
  if (filtered && unknown !== undefined) return emptyState(`No images match: ${unknown}.`, html`<a href="/images">Clear the filters</a>`);
  if (filtered) return emptyState(`No images match these filters${q.asOf ? ' at that time' : ''}.`, html`<a href="/images">Clear the filters</a>`);
  if (filters.page > 1) return emptyState(`Page ${filters.page} is past the last image.`, html`<a href="/images">First page</a>`);
  return emptyState(q.asOf ? 'No images were present at that time.' : 'No images are present now (every image seen has been deleted).',
    q.includeDeleted ? undefined : html`<a href="/images?deleted=1">Include deleted images</a>`);
}

function filterForm(params: URLSearchParams): Html {
  const one = (key: string) => values(params, key).join(', ');
  const field = (key: string, label: string, hint: string) => html`<div class="field">
  <label for="f-${key}">${label}</label>
  <input id="f-${key}" name="${key}" value="${one(key)}" placeholder="${hint}" autocomplete="off">
</div>`;
  const status = values(params, 'status')[0] ?? '';
  return html`<form class="filters" method="get" action="/images" role="search" aria-label="Filter images">
${field('q', 'Name or id contains', 'web')}
${field('account', 'Account', 'prod')}
${field('region', 'Region', 'cn-hangzhou')}
<div class="field">
  <label for="f-status">Status</label>
  <select id="f-status" name="status">
    <option value="">any</option>
    ${Object.values(STATUS_LABELS).map((label) => html`<option value="${label}"${status === label ? html` selected` : ''}>${label}</option>`)}
    ${status !== '' && !Object.values(STATUS_LABELS).includes(status) ? html`<option value="${status}" selected>${status}</option>` : ''}
  </select>
</div>
${field('os', 'OS', 'Linux')}
${field('tag', 'Tag', 'env or env=prod')}
${field('as_of', 'As of', '10m, 7d or 2026-01-31T12:00Z')}
<div class="field check">
  <input type="checkbox" id="f-deleted" name="deleted" value="1"${values(params, 'deleted')[0] ? html` checked` : ''}>
  <label for="f-deleted">Include deleted</label>
</div>
<div class="field buttons"><button type="submit">Apply</button> <a href="/images">Clear</a></div>
</form>`;
}
