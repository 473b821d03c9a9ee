/**
 * `/images/{imageId}` (`?account=` when two accounts hold the id): its fields, tags, sharing,
 * source instance and snapshots, first seen and deleted at; its timeline, newest first, each event
 * with what changed; its status as a band over time; a diff between any two versions
 * (`?from=&to=` version ids; the last two by default). JSON: `image` has the keys of `images`,
 * `history` those of `history --image`.
 */
import type { Request, Response } from 'express';
import { HISTORY_LAYOUT } from '../../reports/layouts.js';
import { IMAGES_LAYOUT } from '../../reports/layouts.js';
import type { Row } from '../../reports/format/columns.js';
import { pickFields } from '../../reports/format/format-rows.js';
import { parsePositiveInt } from '../../reports/parse-filters.js';
import { findImage, listHistory, listImages, listImageVersions } from '../../reports/run-reports.js';
import type { ConsoleContext } from '../console-context.js';
import { html, queryString, type Html } from '../html.js';
import { PAGE_SIZE, values } from '../image-filters.js';
import { emptyState, page, statusBadge, tagChips, time } from '../page-shell.js';
import { searchParams, sendHtml, sendJson, wantedFormat } from '../respond.js';
import { eventsTable } from './changes-page.js';
import { show, tagDelta } from './change-text.js';
import { statusBand } from './status-band.js';

/** The fields a diff compares, in the order shown. */
export const DIFF_FIELDS = [
  'regionId', 'name', 'description', 'status', 'osType', 'tags', 'instanceId', 'instanceName', 'systemSnapshotId', 'systemSnapshotName',
  'dataSnapshotId', 'dataSnapshotName', 'systemDiskGb', 'dataDiskGb', 'sourceImageName', 'sourceImageVersion', 'resourceGroupId',
  'inShare', 'inShareUser', 'createInstances', 'creationTime',
] as const;

export function imagePage(ctx: ConsoleContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const imageId = String(req.params.imageId ?? '');
    const params = searchParams(req);
    const accounts = values(params, 'account');
    const pageText = values(params, 'page')[0];
    const n = pageText === undefined ? 1 : parsePositiveInt(pageText, 'page');
    const json = wantedFormat(req) === 'json';
    const found = await ctx.database.use(async (db) => {
      const holders = await findImage(db, imageId, accounts.length > 0 ? accounts : undefined);
      const [detail] = holders;
      if (holders.length !== 1 || !detail) return { holders };
      const account = String(detail.account);
      return {
        holders, detail,
        image: (await listImages(db, { imageIds: [imageId], accounts: [account], includeDeleted: true }))[0],
        versions: await listImageVersions(db, account, imageId),
        history: await listHistory(db, { imageIds: [imageId], accounts: [account], limit: PAGE_SIZE + 1, offset: (n - 1) * PAGE_SIZE }),
      };
    });
    if (found.holders.length === 0) {
      const why = `No image ${imageId}${accounts.length > 0 ? ` in account ${accounts.join(', ')}` : ''} has been seen by any sync into this database.`;
      if (json) return sendJson(res, { error: why }, 404);
      return sendHtml(res, page({ title: 'Image not found', path: '/images', body: html`<h1>Image not found</h1>${emptyState(why, html`<a href="/images?deleted=1${queryString([['q', imageId]]).replace('?', '&')}">Search the inventory, deleted images included</a>`)}` }), 404);
    }
    if (!found.detail || !found.image) {
      const choices = found.holders.map((h) => String(h.account));
      if (json) return sendJson(res, { error: `${choices.length} accounts hold image ${imageId}: add ?account=`, accounts: choices }, 409);
      return sendHtml(res, page({ title: imageId, path: '/images', body: html`<h1>${imageId}</h1>
<p>${choices.length} accounts hold an image with this id. Which one?</p>
<ul>${choices.map((a) => html`<li><a href="/images/${encodeURIComponent(imageId)}${queryString([['account', a]])}">${a}</a></li>`)}</ul>` }));
    }
    const more = (found.history?.length ?? 0) > PAGE_SIZE;
    const history = (found.history ?? []).slice(0, PAGE_SIZE);
    const versions = found.versions ?? [];
    if (json) {
      return sendJson(res, {
        image: pickFields(found.image, IMAGES_LAYOUT.fields), details: found.detail,
        history: history.map((r) => pickFields(r, HISTORY_LAYOUT.fields)), versions,
      });
    }
    const diff = pickDiff(versions, values(params, 'from')[0], values(params, 'to')[0]);
    sendHtml(res, page({ title: `${imageId} ${String(found.detail.name ?? '')}`, path: '/images', body: imageBody(found.detail, versions, history, diff, n, more, ctx.now()) }));
  };
}

interface DiffChoice {
  from: Row | undefined;
  to: Row | undefined;
}

/** The versions to compare: the ones asked for, else the last one and the one before it. */
export function pickDiff(versions: Row[], fromId: string | undefined, toId: string | undefined): DiffChoice {
  const byId = (id: string | undefined) => (id === undefined ? undefined : versions.find((v) => v.versionId === id));
  const to = byId(toId) ?? versions.at(-1);
  const index = to ? versions.indexOf(to) : -1;
  const from = byId(fromId) ?? (index > 0 ? versions[index - 1] : undefined);
  return { from, to };
}

function imageBody(d: Row, versions: Row[], history: Row[], diff: DiffChoice, n: number, more: boolean, now: Date): Html {
  const self = (extra: Array<[string, string | number]>) => `/images/${encodeURIComponent(String(d.imageId))}${queryString([['account', String(d.account)], ...extra])}`;
  const fact = (label: string, value: unknown) => html`<dt>${label}</dt><dd>${value === null || value === undefined || value === '' ? html`<span class="none">—</span>` : value}</dd>`;
  const instances = Array.isArray(d.createInstances) ? (d.createInstances as unknown[]) : [];
  return html`<p class="crumbs"><a href="/images">Images</a> › ${d.account} › ${d.regionId}</p>
<h1><span class="name">${d.name ?? d.imageId}</span> <code class="id">${d.imageId}</code> ${statusBadge(d.status)}${d.deletedAt ? html` <span class="badge outcome-deleted">deleted</span>` : ''}</h1>
${d.description ? html`<p class="description">${d.description}</p>` : ''}
<div class="columns">
<section aria-labelledby="h-fields"><h2 id="h-fields">Fields</h2><dl class="facts">
  ${fact('Account', d.account)}${fact('Region', d.regionId)}${fact('Status', html`${statusBadge(d.status)} <span class="muted">(code ${d.statusCode})</span>`)}
  ${fact('OS', d.osType)}${fact('Created', time(d.creationTime))}${fact('First seen', time(d.firstSeenAt))}
  ${fact('Last changed', time(d.changedAt))}${fact('Deleted at', d.deletedAt ? time(d.deletedAt) : html`<span class="none">present</span>`)}
  ${fact('System disk', d.systemDiskGb === null ? null : `${String(d.systemDiskGb)} GB`)}${fact('Data disk', d.dataDiskGb === null ? null : `${String(d.dataDiskGb)} GB`)}
  ${fact('Resource group', d.resourceGroupId)}${fact('Source image', [d.sourceImageName, d.sourceImageVersion].filter((x) => x).join(' '))}
</dl></section>
<section aria-labelledby="h-tags"><h2 id="h-tags">Tags</h2>${tagChips(d.tags)}
<h2>Sharing</h2><dl class="facts">${fact('Shared', d.inShare === null ? null : d.inShare ? 'yes' : 'no')}${fact('Shared with other accounts', d.inShareUser === null ? null : d.inShareUser ? 'yes' : 'no')}</dl>
<h2>Source</h2><dl class="facts">${fact('Instance', [d.instanceId, d.instanceName].filter((x) => x).join(' · '))}
${fact('System snapshot', [d.systemSnapshotId, d.systemSnapshotName].filter((x) => x).join(' · '))}
${fact('Data snapshot', [d.dataSnapshotId, d.dataSnapshotName].filter((x) => x).join(' · '))}
${fact('Instances made from it', instances.length === 0 ? null : instances.join(', '))}</dl></section>
</div>
<section aria-labelledby="h-band"><h2 id="h-band">Status over time</h2>${statusBand(versions, d.deletedAt ? null : now)}</section>
<section aria-labelledby="h-timeline"><h2 id="h-timeline">Timeline</h2>
${history.length === 0 ? emptyState(n > 1 ? 'No more events.' : 'No events recorded for this image.') : eventsTable(history)}
${n > 1 || more ? html`<nav class="pager" aria-label="Timeline pages">${n > 1 ? html`<a href="${self([['page', n - 1]])}" rel="prev">← Newer</a>` : ''}<span>Page ${n}</span>
${more ? html`<a href="${self([['page', n + 1]])}" rel="next">Older →</a>` : ''}</nav>` : ''}
</section>
<section aria-labelledby="h-diff"><h2 id="h-diff">Compare versions</h2>${diffView(d, versions, diff)}</section>`;
}

function versionLabel(v: Row, i: number): string {
  return `#${i + 1} ${String(v.validFrom).slice(0, 19).replace('T', ' ')} UTC · ${String(v.status)} · ${String(v.name ?? '')}`;
}

function diffView(d: Row, versions: Row[], diff: DiffChoice): Html {
  if (versions.length < 2 || !diff.from || !diff.to) {
    return emptyState(versions.length === 0 ? 'No version of this image was recorded.' : 'Only one version was recorded: the image never changed after it was first seen.');
  }
  const select = (name: string, label: string, chosen: Row) => html`<div class="field"><label for="d-${name}">${label}</label>
<select id="d-${name}" name="${name}">${versions.map((v, i) => html`<option value="${v.versionId}"${v === chosen ? html` selected` : ''}>${versionLabel(v, i)}</option>`)}</select></div>`;
  const from = diff.from;
  const to = diff.to;
  return html`<form class="filters" method="get" action="/images/${encodeURIComponent(String(d.imageId))}" aria-label="Choose two versions">
<input type="hidden" name="account" value="${d.account}">
${select('from', 'From version', from)}${select('to', 'To version', to)}
<div class="field buttons"><button type="submit">Compare</button></div></form>
${diffTable(from, to, DIFF_FIELDS.filter((f) => differs(from[f], to[f])), 'diff', html`Changed from ${time(from.validFrom)} to ${time(to.validFrom)}`)}
<details><summary>Unchanged fields</summary>
${diffTable(from, to, DIFF_FIELDS.filter((f) => !differs(from[f], to[f])), 'diff-same', html`The same in both versions`)}</details>`;
}

const differs = (a: unknown, b: unknown) => JSON.stringify(a ?? null) !== JSON.stringify(b ?? null);

function diffTable(from: Row, to: Row, fields: readonly string[], id: string, caption: Html): Html {
  if (fields.length === 0) return html`<p class="muted" id="${id}">${id === 'diff' ? 'No field differs between these two versions.' : 'Every field differs.'}</p>`;
  return html`<div class="table-wrap"><table class="diff" id="${id}">
<caption>${caption}</caption>
<thead><tr><th scope="col">Field</th><th scope="col">From</th><th scope="col">To</th></tr></thead>
<tbody>${fields.map((field) => {
    const [a, b] = [from[field], to[field]];
    const changed = differs(a, b);
    if (field === 'tags') {
      const delta = tagDelta(toList(a), toList(b));
      return html`<tr class="${changed ? 'changed' : 'same'}"><th scope="row">tags</th>
<td>${tagChips(a)}</td><td>${tagChips(b)}${changed ? html`<div class="small">${delta.added.map((t) => html`<ins>+ ${t.key}=${t.value}</ins> `)}${delta.removed.map((t) => html`<del>− ${t.key}=${t.value}</del> `)}${delta.changed.map((t) => html`<span class="chg">${t.key}: ${t.old} → ${t.new}</span> `)}</div>` : ''}</td></tr>`;
    }
    return html`<tr class="${changed ? 'changed' : 'same'}"><th scope="row">${field}</th>
<td>${changed ? html`<del>${show(a)}</del>` : show(a)}</td><td>${changed ? html`<ins>${show(b)}</ins>` : show(b)}</td></tr>`;
  })}</tbody></table></div>`;
}

const toList = (tags: unknown) => (typeof tags === 'object' && tags !== null && !Array.isArray(tags)
  ? Object.entries(tags as Record<string, unknown>).map(([key, value]) => ({ key, value: String(value) })) : []);
