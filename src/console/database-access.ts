/**
 * How the console reaches the database. On PostgreSQL one pool serves the server's life. The
 * embedded PGlite database admits one process at a time (its folder lock), and a console left
 * open must never keep `sync` or `demo` out: there the database is opened per request and closed
 * as soon as no request needs it (after a short linger, so a page and the requests it makes at
 * once share one opening), which releases the lock between requests.
 */
import type { DatabaseHandle, DatabaseKind, Db } from '../db/database.js';

export interface ConsoleDatabase {
  readonly kind: DatabaseKind;
  /** Runs `fn` with the database; on the embedded one the folder lock is held only meanwhile (and the linger). */
  use<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface ConsoleDatabaseOptions {
  kind: DatabaseKind;
  /** Opens the database (checks the schema, never migrates). */
  open: () => Promise<DatabaseHandle>;
  /** Embedded only: how long an idle opening stays open for the next request. Default 1000 ms (opening it costs about a second: a page and its follow-up requests share one). */
  lingerMs?: number;
}

export function consoleDatabase(options: ConsoleDatabaseOptions): ConsoleDatabase {
  return options.kind === 'postgres' ? pooled(options.open) : perRequest(options.open, options.lingerMs ?? 1000);
}

function pooled(open: () => Promise<DatabaseHandle>): ConsoleDatabase {
  let handle: Promise<DatabaseHandle> | undefined;
  return {
    kind: 'postgres',
    async use(fn) {
      handle ??= open().catch((err: unknown) => {
        handle = undefined; // the next request tries again (the server may be back)
        throw err;
      });
      return fn((await handle).db);
    },
    async close() {
      const h = handle;
      handle = undefined;
      if (h) await (await h.catch(() => undefined))?.close();
    },
  };
}

function perRequest(open: () => Promise<DatabaseHandle>, lingerMs: number): ConsoleDatabase {
  let current: Promise<DatabaseHandle> | undefined;
  let users = 0;
  let timer: NodeJS.Timeout | undefined;
  let closing: Promise<void> = Promise.resolve();

  const release = () => {
    const h = current;
    current = undefined;
    if (h) closing = h.then((x) => x.close(), () => undefined);
    return closing;
  };
  return {
    kind: 'pglite',
    async use(fn) {
      clearTimeout(timer);
      users++;
      try {
        if (!current) {
          await closing; // the last opening's lock is released before this one asks for it
          current = open();
          current.catch(() => { current = undefined; });
        }
        return await fn((await current).db);
      } finally {
        users--;
        if (users === 0) timer = setTimeout(() => { if (users === 0) void release(); }, lingerMs);
      }
    },
    async close() {
      clearTimeout(timer);
      await release();
    },
  };
}
