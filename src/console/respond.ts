/**
 * Content negotiation and the shared answers: a page answers HTML, or JSON for
 * `Accept: application/json` (or `?format=json`) with the keys of the CLI's JSON for the same
 * question; `format=csv` downloads the CSV the CLI writes.
 */
import type { Request, Response } from 'express';
import { formatJson } from '../reports/format/format-json.js';

export function searchParams(req: Request): URLSearchParams {
  return new URL(req.originalUrl, 'http://console.invalid').searchParams;
}

/** What the client asked for: `format=` wins, then Accept (a browser's `text/html,...,*\/*` is HTML). */
export function wantedFormat(req: Request): 'html' | 'json' | 'csv' {
  const format = searchParams(req).get('format');
  if (format === 'json' || format === 'csv') return format;
  return req.accepts(['html', 'json']) === 'json' ? 'json' : 'html';
}

export function sendHtml(res: Response, body: string, status = 200): void {
  res.status(status).type('html').send(body);
}

export function sendJson(res: Response, value: unknown, status = 200): void {
  res.status(status).type('json').send(formatJson(value));
}

/** A download of the current view (`images.csv`, `images.json`). */
export function sendDownload(res: Response, name: string, type: 'csv' | 'json', body: string): void {
  res.status(200).type(type === 'csv' ? 'text/csv; charset=utf-8' : 'json')
    .setHeader('Content-Disposition', `attachment; filename="${name}.${type}"`);
  res.send(body);
}
