import type { Command } from 'commander';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply the database migrations (sync and worker also apply them at start)')
    .action(async () => {
      const [{ loadConfig }, { openAppDatabase }] = await Promise.all([import('../../config/env.js'), import('../open-app-database.js')]);
      const config = loadConfig();
      const handle = await openAppDatabase(config, { migrate: true });
      process.stderr.write(`migrations applied to ${handle.kind} at ${handle.location}\n`);
      await handle.close();
    });
}
