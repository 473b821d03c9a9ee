import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import { openAppDatabase } from '../open-app-database.js';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply the database migrations (sync and worker also apply them at start)')
    .action(async () => {
      const config = loadConfig();
      const handle = await openAppDatabase(config, { migrate: true });
      process.stderr.write(`migrations applied to ${handle.kind} at ${handle.location}\n`);
      await handle.close();
    });
}
