/**
 * An image's status over time as a band: one segment per version, its width the time it lasted,
 * its color the status, and the status written in it (or, when too narrow, in the list under it:
 * never color alone). SVG: widths are attributes, so the CSP needs no inline style.
 */
import type { Row } from '../../reports/format/columns.js';
import { html, type Html } from '../html.js';
import { time } from '../page-shell.js';

const WIDTH = 1000;

export interface BandSegment {
  status: string;
  from: string;
  to: string | null;
  x: number;
  width: number;
}

/** Segments on a 0..WIDTH axis from the first version's start to the end (`now`, or the last version's end once deleted). Pure. */
export function bandSegments(versions: readonly Row[], now: Date | null): BandSegment[] {
  if (versions.length === 0) return [];
  const start = Date.parse(String(versions[0]?.validFrom));
  const lastEnd = versions.at(-1)?.validTo;
  const end = now ? now.getTime() : typeof lastEnd === 'string' ? Date.parse(lastEnd) : Date.now();
  const span = Math.max(1, end - start);
  return versions.map((v) => {
    const from = Date.parse(String(v.validFrom));
    const to = typeof v.validTo === 'string' ? Date.parse(v.validTo) : end;
    return {
      status: String(v.status), from: String(v.validFrom), to: typeof v.validTo === 'string' ? v.validTo : null,
      x: ((from - start) / span) * WIDTH, width: Math.max(1, ((to - from) / span) * WIDTH),
    };
  });
}

export function statusBand(versions: readonly Row[], now: Date | null): Html {
  const segments = bandSegments(versions, now);
  if (segments.length === 0) return html`<p class="muted">No version recorded.</p>`;
  return html`<svg class="band" viewBox="0 0 ${WIDTH} 36" preserveAspectRatio="none" role="img" aria-labelledby="band-title">
<title id="band-title">Status over time: ${segments.map((s) => s.status).join(', then ')}</title>
<rect x="0" y="0" width="${WIDTH}" height="36" class="band-gap"></rect>
${segments.map((s) => html`<rect x="${s.x.toFixed(2)}" y="0" width="${s.width.toFixed(2)}" height="36" class="band-${/^[a-z_]+$/.test(s.status) ? s.status : 'unknown'}"><title>${s.status}</title></rect>`)}
</svg>
<ol class="band-legend">${segments.map((s) => html`<li><span class="swatch band-${/^[a-z_]+$/.test(s.status) ? s.status : 'unknown'}" aria-hidden="true"></span>
<strong>${s.status}</strong> from ${time(s.from)} ${s.to ? html`to ${time(s.to)}` : html`until now`}</li>`)}</ol>`;
}
