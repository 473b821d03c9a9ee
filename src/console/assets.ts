/**
 * Every asset the console's pages load, served by the console itself (no CDN: it works offline
 * and the CSP allows only 'self'): its own CSS and scripts (src/console/assets/), htmx and uPlot
 * from their installed packages. Only the files named here are served.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import express from 'express';
import { packageRoot } from '../db/package-root.js';

const VENDOR: Record<string, string> = {
  'htmx.min.js': 'htmx.org/dist/htmx.min.js',
  'uPlot.iife.min.js': 'uplot/dist/uPlot.iife.min.js',
  'uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

export const OWN_ASSETS = ['console.css', 'console.js', 'events-chart.js', 'live-changes.js', 'favicon.svg'] as const;

export function serveAssets(): express.Router {
  const router = express.Router();
  const require = createRequire(import.meta.url);
  const own = join(packageRoot(), 'src', 'console', 'assets');
  // Cached for an hour: assets change only with the package.
  const options = { maxAge: 3_600_000, dotfiles: 'deny' as const, headers: { 'Cache-Control': 'public, max-age=3600' } };
  for (const [name, spec] of Object.entries(VENDOR)) {
    const file = require.resolve(spec);
    router.get(`/${name}`, (_req, res, next) => {
      res.set('Cache-Control', 'public, max-age=3600');
      res.sendFile(file, options, (err) => { if (err) next(err); });
    });
  }
  for (const name of OWN_ASSETS) {
    router.get(`/${name}`, (_req, res, next) => {
      res.set('Cache-Control', 'public, max-age=3600');
      res.sendFile(join(own, name), options, (err) => { if (err) next(err); });
    });
  }
  return router;
}
