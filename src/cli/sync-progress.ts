/**
 * The live progress line of `sync` on a terminal: one line on stderr, redrawn in place as regions
 * finish and every second (so a slow region is visibly still running), cleared before any log
 * line so logs and progress never garble each other, and ended before the summary is printed.
 */
import { Writable } from 'node:stream';
import type { RunRegionResult, SyncProgressListener } from '../sync/run-sync.js';
import { formatAge } from '../reports/format/display-time.js';

export interface ProgressState {
  total: number | null;
  done: number;
  images: number;
  failed: number;
  incomplete: number;
  /** Regions a signal stopped or kept from starting: not done, not failed (issue 22 #5). */
  interrupted?: number;
  elapsedMs: number;
}

/** Pure: `sync: 3/12 regions, 340 images, 1 failed, 12s`. */
export function progressLine(s: ProgressState): string {
  const regions = s.total === null ? 'listing regions' : `${s.done}/${s.total} regions`;
  const interrupted = s.interrupted ?? 0;
  const trouble = [s.failed > 0 ? `${s.failed} failed` : '', s.incomplete > 0 ? `${s.incomplete} incomplete` : '',
    interrupted > 0 ? `${interrupted} interrupted` : ''].filter(Boolean);
  return ['sync: ' + regions, `${s.images} images`, ...trouble, formatAge(s.elapsedMs)].join(', ');
}

const CLEAR_LINE = '\r\u001b[2K';

export class LiveProgress implements SyncProgressListener {
  private readonly state: Required<ProgressState> = { total: null, done: 0, images: 0, failed: 0, incomplete: 0, interrupted: 0, elapsedMs: 0 };
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout;
  private shown = false;
  private ended = false;

  constructor(private readonly out: NodeJS.WritableStream, private readonly columns: () => number) {
    this.timer = setInterval(() => this.draw(), 1000);
    this.timer.unref();
    this.draw();
  }

  planned(regions: number): void {
    this.state.total = regions;
    this.draw();
  }

  regionDone(result: RunRegionResult): void {
    if (result.error?.code === 'Interrupted') {
      this.state.interrupted += 1;
      this.draw();
      return;
    }
    this.state.done += 1;
    this.state.images += result.images;
    if (result.status === 'failed') this.state.failed += 1;
    if (result.status === 'incomplete') this.state.incomplete += 1;
    this.draw();
  }

  /** A stream for the logger: each log line goes above the progress line. */
  logStream(): Writable {
    return new Writable({
      write: (chunk: Buffer | string, _encoding, done) => {
        this.clear();
        this.out.write(chunk);
        this.draw();
        done();
      },
    });
  }

  /** Leaves the final state as a plain line (the summary follows on stdout); stops redrawing. */
  end(): void {
    if (this.ended) return;
    clearInterval(this.timer);
    this.draw();
    this.ended = true;
    if (this.shown) this.out.write('\n');
    this.shown = false;
  }

  private clear(): void {
    if (this.shown) this.out.write(CLEAR_LINE);
    this.shown = false;
  }

  private draw(): void {
    if (this.ended) return;
    this.state.elapsedMs = Date.now() - this.started;
    // Never wider than the terminal: a wrapped line could not be redrawn in place.
    const line = progressLine(this.state).slice(0, Math.max(10, this.columns() - 1));
    this.out.write(`${CLEAR_LINE}${line}`);
    this.shown = true;
  }
}
