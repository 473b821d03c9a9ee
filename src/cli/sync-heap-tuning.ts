/**
 * How eagerly V8 collects garbage in the one-shot `sync` process, and nothing else.
 *
 * A sync's live data is small (the program plus one write batch, ~20-40 MB), but it allocates a
 * lot that dies old (each batch's rows and statement text outlive a few scavenges while the
 * database answers). By default V8 lets the old space grow to about 4x what survived the last
 * full collection before collecting again, and that garbage is what made a 100,000-image sync
 * peak far above its live data (docs/BENCHMARKS.md, "Memory, compiled CLI").
 *
 * `--heap-growing-percent=P` makes that factor 1 + P/100. It is NOT a heap limit: the heap's
 * maximum (`heap_size_limit`) stays V8's default, so a sync with more live data than usual grows
 * as far as it needs and never dies of it; it only collects sooner, which costs CPU time (a
 * collection of ~30 MB of live data takes tens of ms). Applied only by the `sync` command, after
 * its arguments were parsed; the worker and every other command keep V8's defaults. A value the
 * user chose (command line or NODE_OPTIONS) is left alone.
 */
import v8 from 'node:v8';

export const SYNC_HEAP_GROWING_PERCENT = 50;

const FLAG = /^--heap[-_]growing[-_]percent(=|$)/;

/** Sets the sync's heap growing factor unless the user set one; returns whether it did. */
export function tuneHeapForOneShotSync(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): boolean {
  if ([...execArgv, ...nodeOptions.split(/\s+/)].some((arg) => FLAG.test(arg))) return false;
  v8.setFlagsFromString(`--heap-growing-percent=${SYNC_HEAP_GROWING_PERCENT}`);
  return true;
}
