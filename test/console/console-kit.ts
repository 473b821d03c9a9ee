/** Starts the console's server in-process on a test database (any free port on loopback), as the command wires it. */
import type { DatabaseHandle } from '../../src/db/database.js';
import { startConsoleServer, type ConsoleServerHandle } from '../../src/console/console-server.js';
import { consoleDatabase, type ConsoleDatabase } from '../../src/console/database-access.js';
import type { SubscriptionSpec } from '../../src/config/subscriptions.js';

export interface TestConsoleOptions {
  now?: () => Date;
  token?: string;
  /** Default: the test's own handle, shared (closing the console leaves it open). */
  database?: ConsoleDatabase;
  subscriptions?: SubscriptionSpec[];
}

/** 30 minutes: the `status` rule for the default schedule (twice its 15-minute interval). */
export const STALE_AFTER_MS = 30 * 60_000;

export function sharedDatabase(h: DatabaseHandle): ConsoleDatabase {
  return consoleDatabase({ kind: 'postgres', open: async () => ({ ...h, close: async () => {} }) });
}

export async function startTestConsole(h: DatabaseHandle | null, options: TestConsoleOptions = {}): Promise<ConsoleServerHandle> {
  const database = options.database ?? sharedDatabase(h as DatabaseHandle);
  return startConsoleServer({
    host: '127.0.0.1', port: 0, token: options.token ?? null, database,
    now: options.now ?? (() => new Date()),
    staleAfterMs: () => STALE_AFTER_MS,
    subscriptions: () => options.subscriptions ?? [],
  });
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { headers: { Accept: 'application/json', ...headers } });
  return { status: res.status, body: await res.json() as unknown };
}
