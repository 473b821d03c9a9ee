/**
 * `swas-inventory console [--host 127.0.0.1] [--port 8080]`: the read-only web console
 * (src/console/) over the configured database. Loopback by default; any other address requires
 * CONSOLE_TOKEN (exit 2 without it). Runs until SIGINT / SIGTERM, then closes and exits 0 (a daemon's
 * clean stop: src/cli/exit-codes.ts).
 */
import { once } from 'node:events';
import type { Command } from 'commander';
import type { Config } from '../../config/env.js';
import type { ConsoleServerHandle } from '../../console/console-server.js';
import { scheduleIntervalMs } from '../../reports/freshness.js';
import { addExamples, argParser } from '../command-options.js';
import { ConfigurationError } from '../../domain/errors.js';
import { EXIT } from '../exit-codes.js';
import { oneShotLogLevel } from '../one-shot-log-level.js';

/** How long a console request waits for the embedded database while a sync holds it, before the page says so. */
export const CONSOLE_DATA_DIR_WAIT_MS = 5_000;

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/i;

interface ConsoleFlags {
  host: string;
  port: number;
}

export function registerConsoleCommand(program: Command, deps: { onListening?: (url: string) => void } = {}): void {
  const cmd = program.command('console')
    .description('a read-only web console over the inventory: overview, images with time travel, image timelines and diffs, changes live, runs, notifications')
    .option('--host <address>', 'address to bind; anything but loopback requires CONSOLE_TOKEN', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', argParser(parsePort), 8080);
  addExamples(cmd, [
    'swas-inventory console',
    'CONSOLE_TOKEN=$(openssl rand -hex 24) swas-inventory console --host 0.0.0.0 --port 8080',
    "curl -s -H 'Accept: application/json' 'http://127.0.0.1:8080/images?status=unavailable' | jq length",
  ]);
  cmd.action(async (flags: ConsoleFlags) => {
    // Loaded when the command runs, not when the program is built (src/cli/program.ts).
    const [{ loadConfig }, { loadSubscriptionSpecs }, { startConsoleServer }, { consoleDatabase }, { createLogger }, { openAppDatabase }] = await Promise.all([
      import('../../config/env.js'), import('../../config/subscriptions.js'), import('../../console/console-server.js'),
      import('../../console/database-access.js'), import('../../ops/logger.js'), import('../open-app-database.js')]);
    const config = loadConfig();
    if (!LOOPBACK.test(flags.host) && !config.consoleToken) {
      throw new ConfigurationError(`console --host ${flags.host} would show the inventory to the network without a credential: set CONSOLE_TOKEN (at least 16 characters), or bind 127.0.0.1`);
    }
    const log = createLogger({ level: oneShotLogLevel(config, process.env, process.stderr.isTTY === true),
      destination: process.stderr, pretty: process.stderr.isTTY === true });
    // Checked once at start (reachable, schema current), then released: the embedded database is
    // opened per request from here on, so a sync or the demo can run while the console is open.
    await (await openAppDatabase(config, { migrate: false })).close();
    const kind = config.databaseUrl ? 'postgres' : 'pglite';
    const requestConfig: Config = { ...config, dataDirWaitMs: Math.min(config.dataDirWaitMs, CONSOLE_DATA_DIR_WAIT_MS) };
    const specs = loadSubscriptionSpecs(config);
    const handle: ConsoleServerHandle = await startConsoleServer({
      host: flags.host, port: flags.port, token: config.consoleToken, log,
      database: consoleDatabase({ kind, open: () => openAppDatabase(requestConfig, { migrate: false }) }),
      now: () => new Date(),
      staleAfterMs: (now) => 2 * scheduleIntervalMs(config.syncCron, config.syncTz, now),
      subscriptions: () => specs,
    });
    process.stdout.write(`console: ${handle.url}/ (read-only; ${kind === 'pglite' ? 'embedded database, opened per request' : 'PostgreSQL'}); Ctrl-C to stop\n`);
    deps.onListening?.(handle.url);
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    await handle.close();
    process.exitCode = EXIT.ok;
  });
}

function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) throw new Error(`bad port '${value}': expected 0..65535`);
  return Number(value);
}
