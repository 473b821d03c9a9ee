import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { defaultAccount, loadAccounts } from '../../config/accounts.js';
import { loadConfig, parseEndpoint, type Config } from '../../config/env.js';
import { SwasClients } from '../../cloud/swas-client.js';
import { createLogger } from '../../ops/logger.js';
import { runSync } from '../../sync/run-sync.js';
import { DEMO_REGIONS, startDemoEmulator } from '../demo-inventory.js';
import { addExamples, addOutputOptions, resolveOutput, type OutputFlags } from '../../reports/commands/command-options.js';
import { formatSyncReport } from '../format-sync-report.js';
import { oneShotLogLevel } from '../one-shot-log-level.js';
import { LiveProgress } from '../sync-progress.js';
import { openAppDatabase } from '../open-app-database.js';

interface SyncOptions extends OutputFlags {
  region: string[];
  demo?: boolean;
}

export function registerSyncCommand(program: Command): void {
  const cmd = program
    .command('sync')
    .description('run one full sync in-process (no Redis) and print a per-region summary; exit 1 if any region failed')
    .option('--region <id>', 'only this region (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--demo', 'run against an in-process emulator with a sample inventory; each run applies a round of changes');
  addOutputOptions(cmd, { jsonAlias: true });
  addExamples(cmd, [
    'swas-inventory sync --demo',
    'swas-inventory sync --region cn-hangzhou --region cn-shanghai',
    "swas-inventory sync --format json | jq '.regions[] | select(.status != \"succeeded\")'",
  ]);
  cmd
    .action(async (opts: SyncOptions) => {
      const config = loadConfig();
      const output = resolveOutput(opts);
      const demo = opts.demo ? await startDemo(config) : null;
      const runConfig = demo ? demo.config : config;
      const handle = await openAppDatabase(runConfig, { migrate: true });
      // Live progress only when a person watches both streams: piped output gets none.
      const progress = process.stderr.isTTY === true && output.terminal.isTTY
        ? new LiveProgress(process.stderr, () => output.terminal.columns) : null;
      try {
        if (demo) (progress?.logStream() ?? process.stderr).write(`demo round ${demo.round}: emulator at ${demo.url}; data in ${handle.kind} at ${handle.location}\n`);
        const log = createLogger({ level: oneShotLogLevel(config, process.env, process.stderr.isTTY === true),
          destination: progress?.logStream() ?? process.stderr, pretty: process.stderr.isTTY === true });
        const clients = new SwasClients({ config: runConfig });
        const accounts = demo ? [defaultAccount(runConfig.callsPerSecond)] : loadAccounts(runConfig);
        const report = await runSync({ db: handle.db, clients, config: runConfig, accounts, log },
          { regions: opts.region, ...(progress ? { progress } : {}) });
        progress?.end();
        process.stdout.write(formatSyncReport(output.format, report, output.table));
        if (demo) process.stderr.write('next: `npm run -s cli -- history --since 1h`, `npm run -s cli -- images`, `npm run -s cli -- report`; run the demo again for another round of changes\n');
        if (report.regions.some((r) => r.status === 'failed')) process.exitCode = 1;
      } finally {
        progress?.end();
        await handle.close();
        await demo?.stop();
      }
    });
}

/**
 * The demo's world: an in-process emulator whose keys go into the environment, where the default
 * credentials chain finds them, exactly as a user's own keys would be found.
 */
async function startDemo(config: Config) {
  mkdirSync(config.dataDir, { recursive: true });
  const roundFile = join(config.dataDir, 'demo-round.json');
  let round = 1;
  try {
    round = Number((JSON.parse(readFileSync(roundFile, 'utf8')) as { round?: number }).round ?? 0) + 1;
  } catch { /* first demo run */ }
  const emu = await startDemoEmulator(round);
  const account = emu.accounts[0];
  if (!account) throw new Error('demo emulator has no account');
  process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = account.accessKeyId;
  process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = account.accessKeySecret;
  writeFileSync(roundFile, JSON.stringify({ round }));
  return {
    round,
    url: emu.url,
    config: { ...config, endpoint: parseEndpoint(emu.url), regions: config.regions ?? DEMO_REGIONS },
    stop: () => emu.stop(),
  };
}
