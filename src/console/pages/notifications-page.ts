/**
 * `/notifications`: per webhook subscription what `notifications status` shows (lag, failing,
 * dead, delivered, last error), with its JSON keys. Subscriptions come from the accounts file;
 * targets are shown as scheme and host only, never a path, query or secret.
 */
import type { Request, Response } from 'express';
import { formatAge } from '../../reports/format/display-time.js';
import { notificationStatus } from '../../notify/notification-status.js';
import { notificationStatusRow } from '../../notify/notification-status-row.js';
import type { Row } from '../../reports/format/columns.js';
import type { ConsoleContext } from '../console-context.js';
import { html } from '../html.js';
import { emptyState, page, time } from '../page-shell.js';
import { sendHtml, sendJson, wantedFormat } from '../respond.js';

export function notificationsPage(ctx: ConsoleContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const subs = ctx.subscriptions();
    const rows = subs.length === 0 ? [] : await ctx.database.use(async (db) => {
      const out: Row[] = [];
      for (const sub of subs) out.push(notificationStatusRow(sub, await notificationStatus(db, sub.name)));
      return out;
    });
    if (wantedFormat(req) === 'json') return sendJson(res, rows);
    sendHtml(res, page({
      title: 'Notifications', path: '/notifications', body: html`<h1>Notifications</h1>
${rows.length === 0 ? emptyState('No webhook subscriptions: the accounts file (SWAS_CONFIG) declares none, so nothing is delivered.', html`See docs/NOTIFICATIONS.md to add one.`) : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Subscription</th><th scope="col">Target</th><th scope="col" class="num">Lag</th><th scope="col" class="num">Lag age</th>
<th scope="col" class="num">Failing</th><th scope="col" class="num">Dead</th><th scope="col" class="num">Delivered</th><th scope="col">Last delivered</th><th scope="col">Last error</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td data-label="Subscription">${r.subscription}</td><td data-label="Target">${r.target}</td>
<td data-label="Lag" class="num">${r.started === false ? 'not started' : r.lagEvents}</td>
<td data-label="Lag age" class="num">${r.started === false ? '' : formatAge(Number(r.lagSeconds) * 1000)}</td>
<td data-label="Failing" class="num">${r.failing}</td><td data-label="Dead" class="num${Number(r.dead) > 0 ? ' err' : ''}">${r.dead}</td>
<td data-label="Delivered" class="num">${r.delivered}</td><td data-label="Last delivered">${time(r.lastDeliveredAt)}</td>
<td data-label="Last error" class="err">${r.lastError}</td></tr>`)}</tbody></table></div>`}`,
    }));
  };
}
