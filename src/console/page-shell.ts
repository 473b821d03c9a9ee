/**
 * The frame of every console page: head (own CSS and scripts only: the CSP allows nothing else),
 * a skip link, the navigation, the UTC / local time toggle, and the page's main content. Small
 * renderers for what every page shows the same way: times, statuses, empty states.
 */
import { html, Html } from './html.js';

export const NAV = [
  ['/', 'Overview'], ['/images', 'Images'], ['/changes', 'Changes'], ['/runs', 'Runs'], ['/notifications', 'Notifications'],
] as const;

export interface PageOptions {
  title: string;
  /** Which navigation entry is current. */
  path: string;
  body: Html;
}

export function page(options: PageOptions): string {
  // Every page loads every script (cached): htmx swaps only <main>, so a page reached through a
  // boosted link runs the scripts the first page loaded; each one looks for its own elements.
  const scripts = ['/assets/htmx.min.js', '/assets/console.js', '/assets/uPlot.iife.min.js', '/assets/events-chart.js', '/assets/live-changes.js'];
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"allowEval":false,"includeIndicatorStyles":false,"allowScriptTags":false,"historyCacheSize":0}'>
<title>${options.title} · swas-inventory</title>
<link rel="stylesheet" href="/assets/console.css">
<link rel="stylesheet" href="/assets/uPlot.min.css">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
${scripts.map((src) => html`<script src="${src}" defer></script>\n`)}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/">swas-inventory</a>
  <nav aria-label="Main">
    <ul>${NAV.map(([href, label]) => html`<li><a href="${href}"${current(options.path, href)}>${label}</a></li>`)}</ul>
  </nav>
  <button type="button" class="tz-toggle" id="tz-toggle" aria-pressed="false" title="Show times in UTC or in this browser's time zone">Times: UTC</button>
</header>
<main id="main" tabindex="-1" hx-boost="true" hx-target="#main" hx-select="#main" hx-swap="outerHTML show:window:top">
${options.body}
</main>
</body>
</html>`.text}\n`;
}

function current(path: string, href: string): Html {
  const active = href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
  return active ? html` aria-current="page"` : html``;
}

/** A time shown in UTC; console.js rewrites the text when the local-time toggle is on (the datetime stays). */
export function time(iso: unknown): Html {
  if (typeof iso !== 'string' || iso === '') return html`<span class="none">—</span>`;
  const shown = `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
  return html`<time datetime="${iso}">${shown}</time>`;
}

/** A status as text and color (never color alone): the label is always written out. */
export function statusBadge(label: unknown): Html {
  if (typeof label !== 'string' || label === '') return html`<span class="none">—</span>`;
  const cls = /^[a-z_]+$/.test(label) ? label : 'unknown';
  return html`<span class="badge status-${cls}">${label}</span>`;
}

/** Outcomes (runs, regions, freshness) the same way: text, plus a color class. */
export function outcomeBadge(label: unknown): Html {
  if (typeof label !== 'string' || label === '') return html`<span class="none">—</span>`;
  const cls = /^[a-z_]+$/.test(label) ? label : 'unknown';
  return html`<span class="badge outcome-${cls}">${label}</span>`;
}

/** An empty result says why, and what to do. */
export function emptyState(why: string | Html, hint?: Html): Html {
  return html`<div class="empty" role="status"><p>${why}</p>${hint ? html`<p>${hint}</p>` : ''}</div>`;
}

/** `{key: value}` tags as chips. */
export function tagChips(tags: unknown): Html {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return html``;
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length === 0) return html`<span class="none">no tags</span>`;
  return html`<ul class="tags">${entries.map(([k, v]) => html`<li><span class="k">${k}</span>=<span class="v">${String(v)}</span></li>`)}</ul>`;
}

export function errorPage(title: string, message: string, status: number, extra?: Html): string {
  return page({
    title, path: '', body: html`<h1>${title}</h1><div class="error" role="alert"><p>${message}</p>${extra ?? ''}</div><p>HTTP ${status}</p>`,
  });
}
