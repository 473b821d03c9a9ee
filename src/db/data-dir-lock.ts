/**
 * One process at a time in the embedded database's folder. PGlite is a whole Postgres inside one
 * process with no shared memory between processes: two of them on one folder each believe they
 * own it, and overlapping syncs then leave duplicate primary keys that REINDEX cannot repair.
 *
 * The lock is proper-lockfile's (an atomic mkdir whose mtime the holder refreshes): released on
 * exit and on signals, and taken over once stale, so a SIGKILLed holder blocks the folder for at
 * most `STALE_MS`. Beside it, a small JSON file names the holder (pid, command, since) so that a
 * waiting command can say who it waits for, and so that a holder still running on this host is
 * never taken over, however late its refresh: PGlite's WASM runs on the event loop, and on a loaded
 * machine its start-up or a long statement held the loop past `STALE_MS`; a waiter then took the
 * folder as stale and the holder, finding its lock gone, stopped with exit 70.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import lockfile from 'proper-lockfile';

/** A SIGKILLed holder stops refreshing the lock; it counts as gone this long after its last refresh. */
export const STALE_MS = 10_000;
/** How often the holder refreshes the lock. PGlite's queries run on the event loop, so leave slack. */
const UPDATE_MS = 2_000;
const POLL_MS = 250;
/** proper-lockfile's `stale` for a holder known to be alive: no age makes its lock stale. */
const NEVER_STALE = Number.MAX_SAFE_INTEGER;

export interface DataDirHolder {
  pid: number;
  command: string;
  host: string;
  since: string;
}

/** The folder is held by another process and stayed held for the whole wait. */
export class DataDirBusyError extends Error {
  override name = 'DataDirBusyError';
  readonly code = 'DataDirBusy';
  constructor(readonly dir: string, readonly holder: DataDirHolder | null, waitedMs: number) {
    super(
      `the embedded database ${dir} is in use by ${describeHolder(holder)}; gave up after ${Math.round(waitedMs / 1000)} s ` +
      '(one process at a time: wait for it to finish, raise SWAS_DATA_DIR_WAIT_MS, or use DATABASE_URL for concurrent use)',
    );
  }
}

export function describeHolder(holder: DataDirHolder | null): string {
  if (!holder) return 'another process';
  return `pid ${holder.pid} (${holder.command}) on ${holder.host} since ${holder.since}`;
}

export interface LockDataDirOptions {
  /** How long to wait for a holder to finish. */
  waitMs: number;
  /** Called once, when the folder turns out to be held, with whoever holds it. */
  onWait?: (holder: DataDirHolder | null) => void;
  /** Called if the lock was lost while held (another process took it over as stale). */
  onCompromised?: (err: Error) => void;
  /** What to record as the holder's command. Default: this process's arguments. */
  command?: string;
}

/** Takes the folder's lock, waiting up to `waitMs`; resolves to its release. */
export async function lockDataDir(dir: string, options: LockDataDirOptions): Promise<() => Promise<void>> {
  const started = Date.now();
  const holderFile = `${dir}.holder.json`;
  let announced = false;
  for (;;) {
    try {
      const release = await lockfile.lock(dir, {
        stale: holderAlive(readHolder(holderFile)) ? NEVER_STALE : STALE_MS,
        update: UPDATE_MS,
        realpath: false,
        onCompromised: options.onCompromised ?? ((err) => { throw err; }),
      });
      writeHolder(holderFile, options.command ?? currentCommand());
      return async () => {
        rmSync(holderFile, { force: true });
        await release();
      };
    } catch (err) {
      if ((err as { code?: string }).code !== 'ELOCKED') throw err;
      const holder = readHolder(holderFile);
      const waited = Date.now() - started;
      if (waited >= options.waitMs) throw new DataDirBusyError(dir, holder, waited);
      if (!announced) options.onWait?.(holder);
      announced = true;
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, options.waitMs - waited)));
    }
  }
}

/**
 * The holder's process runs on this host (signal 0 reaches it, or exists but is not ours). A
 * holder on another host (a shared folder) cannot be checked: its lock's age decides.
 */
export function holderAlive(holder: DataDirHolder | null, host: string = hostname()): boolean {
  if (holder === null || holder.host !== host) return false;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function currentCommand(): string {
  const args = process.argv.slice(2).join(' ');
  return (args === '' ? 'swas-inventory' : `swas-inventory ${args}`).slice(0, 200);
}

/** Written to a temporary name and renamed, so a reader never sees half a file. */
function writeHolder(file: string, command: string): void {
  const holder: DataDirHolder = { pid: process.pid, command, host: hostname(), since: new Date().toISOString() };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(holder));
  renameSync(tmp, file);
}

function readHolder(file: string): DataDirHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<DataDirHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.command !== 'string') return null;
    return { pid: parsed.pid, command: parsed.command, host: String(parsed.host ?? '?'), since: String(parsed.since ?? '?') };
  } catch {
    // Not written yet (the holder is between its mkdir and this file), or removed as it released.
    return null;
  }
}
