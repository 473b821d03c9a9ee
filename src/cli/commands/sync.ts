import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Account } from '../../config/accounts.js';
import type { Config } from '../../config/env.js';
import { addExamples, addOutputOptions, resolveOutput, type OutputFlags } from '../command-options.js';
import { EXIT, signalExitCode } from '../exit-codes.js';
import { oneShotLogLevel } from '../one-shot-log-level.js';
import { tuneHeapForOneShotSync } from '../sync-heap-tuning.js';
import { LiveProgress } from '../sync-progress.js';

interface SyncOptions extends OutputFlags {
  region: string[];
  demo?: boolean;
  notify?: boolean;
}

export function registerSyncCommand(program: Command): void {
  const cmd = program
    .command('sync')
    .description('run one full sync in-process (no Redis) and print a per-region summary; exit 1 unless every region synced, 2 for a region name ListRegions does not know')
    .option('--region <id>', 'only this region (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--demo', 'run against an in-process emulator with a sample inventory, in a database holding only demo data; each run applies a round of changes')
    .option('--notify', 'deliver the events this run recorded to the subscriptions of the accounts file before exiting (exit 1 if one still fails)');
  addOutputOptions(cmd, { jsonAlias: true });
  addExamples(cmd, [
    'swas-inventory sync --demo',
    'swas-inventory sync --region cn-hangzhou --region cn-shanghai',
    "swas-inventory sync --format json | jq '.regions[] | select(.status != \"succeeded\")'",
  ]);
  cmd
    .action(async (opts: SyncOptions) => {
      // Collect garbage sooner in this one-shot process (not a heap limit: see sync-heap-tuning.ts).
      tuneHeapForOneShotSync();
      // The SDK, the database and the sync load when a sync runs, not when the program is built (src/cli/program.ts).
      const [{ loadAccounts }, { loadConfig }, { SwasClients }, { migrateDatabase }, { createLogger }, { InterruptedError }, { runSync },
        { AccountRateLimiter }, { assertOnlyDemoData, DEMO_TRIGGER }, { formatSyncReport }, { openAppDatabase }, { notifyAfterSync, prepareNotifications }] =
        await Promise.all([import('../../config/accounts.js'), import('../../config/env.js'), import('../../cloud/swas-client.js'),
          import('../../db/migrate.js'), import('../../ops/logger.js'), import('../../sync/errors.js'), import('../../sync/run-sync.js'),
          import('../../worker/account-rate-limit.js'), import('../demo-guard.js'), import('../../reports/format/format-sync-report.js'),
          import('../open-app-database.js'), import('./sync-notify.js')]);
      const config = loadConfig();
      const output = resolveOutput(opts);
      // The demo checks its database before anything (even the migrations) is written to it.
      const handle = await openAppDatabase(config, { migrate: false, checkSchema: false });
      let demo: Awaited<ReturnType<typeof startDemo>> | null = null;
      // Live progress only when a person watches both streams: piped output gets none.
      const progress = process.stderr.isTTY === true && output.terminal.isTTY
        ? new LiveProgress(process.stderr, () => output.terminal.columns) : null;
      const interrupt = new AbortController();
      const onSignal = (signal: NodeJS.Signals): void => {
        if (interrupt.signal.aborted) process.exit(signalExitCode(signal)); // a second Ctrl-C: stop now
        (progress?.logStream() ?? process.stderr).write(`${signal}: stopping; regions in flight stop at their next call, the run is recorded as failed (interrupted). Press again to exit at once.\n`);
        interrupt.abort(signal);
      };
      try {
        if (opts.demo) await assertOnlyDemoData(handle);
        await migrateDatabase(handle);
        if (opts.demo) demo = await startDemo(config);
        const runConfig = demo ? demo.config : config;
        if (demo) (progress?.logStream() ?? process.stderr).write(`demo round ${demo.round}: emulator at ${demo.url}; data in ${handle.kind} at ${handle.location}\n`);
        const log = createLogger({ level: oneShotLogLevel(config, process.env, process.stderr.isTTY === true),
          destination: progress?.logStream() ?? process.stderr, pretty: process.stderr.isTTY === true });
        const accounts: Account[] = demo ? [demo.account] : loadAccounts(runConfig);
        // The per-account budget the worker enforces through Redis, here in memory: same limiter, same waits.
        const budgets = new Map(accounts.map((a) => [a.name, a.callsPerSecond]));
        const limiter = AccountRateLimiter.inMemory((name) => budgets.get(name) ?? runConfig.callsPerSecond);
        const clients = new SwasClients({
          config: runConfig,
          beforeCall: async (info) => {
            // An interrupted run stops each listing at its next call: its region writes nothing.
            if (interrupt.signal.aborted) throw new InterruptedError(String(interrupt.signal.reason));
            await limiter.acquire(info.account);
          },
        });
        // Subscriptions are read (and their cursors placed) BEFORE the run, so its events are after every cursor.
        const subscriptions = opts.notify ? await prepareNotifications(handle.db, runConfig) : [];
        for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, onSignal);
        const report = await runSync({ db: handle.db, clients, config: runConfig, accounts, log, pauses: limiter, budget: limiter },
          { regions: opts.region, signal: interrupt.signal, ...(demo ? { trigger: DEMO_TRIGGER } : {}), ...(progress ? { progress } : {}) });
        progress?.end();
        process.stdout.write(formatSyncReport(output.format, report, output.table));
        if (report.unknownRegions.length > 0) {
          const { describeUnknownRegionsBriefly } = await import('../../config/select-regions.js');
          process.stderr.write(`swas-inventory: ${describeUnknownRegionsBriefly(report.unknownRegions, report.availableRegions)}\n`);
        }
        if (demo) process.stderr.write('next: `npm run -s cli -- history --since 1h`, `npm run -s cli -- images`, `npm run -s cli -- report`; run the demo again for another round of changes\n');
        process.exitCode = report.interrupted ? signalExitCode(String(interrupt.signal.reason))
          : report.unknownRegions.length > 0 ? EXIT.config
            : report.summary.status !== 'succeeded' ? EXIT.failed : EXIT.ok;
        if (opts.notify && !report.interrupted && !(await notifyAfterSync(handle.db, subscriptions)) && process.exitCode === EXIT.ok) process.exitCode = EXIT.failed;
      } finally {
        progress?.end();
        for (const s of ['SIGINT', 'SIGTERM'] as const) process.off(s, onSignal);
        await handle.close();
        await demo?.stop();
      }
    });
}

/**
 * The demo's world: an in-process emulator whose keys go into the environment, where the default
 * credentials chain finds them, exactly as a user's own keys would be found. Its one account is
 * named `demo`, whatever SWAS_CONFIG says: no real account is ever synced by the demo.
 */
async function startDemo(config: Config) {
  mkdirSync(config.dataDir, { recursive: true });
  const roundFile = join(config.dataDir, 'demo-round.json');
  let round = 1;
  try {
    round = Number((JSON.parse(readFileSync(roundFile, 'utf8')) as { round?: number }).round ?? 0) + 1;
  } catch { /* first demo run */ }
  // The emulator loads only for --demo: a real sync's process does not carry it.
  const [{ DEMO_REGIONS, startDemoEmulator }, { parseEndpoint }, { DEMO_ACCOUNT }] = await Promise.all([
    import('../demo-inventory.js'), import('../../config/env.js'), import('../demo-guard.js')]);
  const emu = await startDemoEmulator(round);
  const key = emu.accounts[0];
  if (!key) throw new Error('demo emulator has no account');
  process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = key.accessKeyId;
  process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = key.accessKeySecret;
  writeFileSync(roundFile, JSON.stringify({ round }));
  const account: Account = { name: DEMO_ACCOUNT, credentials: { type: 'env' }, regions: { allow: null, deny: [] }, callsPerSecond: 50 };
  return {
    round,
    url: emu.url,
    account,
    config: { ...config, endpoint: parseEndpoint(emu.url), regions: DEMO_REGIONS, accountsFile: null },
    stop: () => emu.stop(),
  };
}
