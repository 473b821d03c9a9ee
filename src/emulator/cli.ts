import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { generateSeed } from './generate-seed.js';
import { startEmulator } from './index.js';
import type { SeedDocument } from './seed-format.js';

export interface EmulatorCommandOptions {
  port: string;
  host: string;
  seed?: string;
  accessKeyId?: string;
  accessKeySecret?: string;
  faultSeed: string;
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got "${raw}"`);
  return port;
}

/**
 * The seed for the CLI: the file given, else the generated sample; `--access-key-id/-secret`
 * replace the first account's pair, so a user can keep their own test credentials.
 */
export async function loadCliSeed(opts: Pick<EmulatorCommandOptions, 'seed' | 'accessKeyId' | 'accessKeySecret'>): Promise<SeedDocument> {
  const seed: SeedDocument = opts.seed ? (JSON.parse(await readFile(opts.seed, 'utf8')) as SeedDocument) : generateSeed();
  if ((opts.accessKeyId === undefined) !== (opts.accessKeySecret === undefined)) {
    throw new Error('--access-key-id and --access-key-secret go together');
  }
  const first = seed.accounts[0];
  if (opts.accessKeyId !== undefined && opts.accessKeySecret !== undefined && first) {
    first.accessKeys = [{ accessKeyId: opts.accessKeyId, accessKeySecret: opts.accessKeySecret }, ...first.accessKeys.slice(1)];
  }
  return seed;
}

/**
 * Starts the emulator, prints where it listens and the AccessKey pairs it accepts, and runs
 * until `stop` aborts (the command wires SIGINT/SIGTERM to it; tests pass their own signal).
 */
export async function runEmulatorCommand(
  opts: EmulatorCommandOptions,
  stop: AbortSignal,
  write: (text: string) => void = (text) => process.stdout.write(text),
): Promise<void> {
  const faultSeed = Number(opts.faultSeed);
  if (!Number.isInteger(faultSeed)) throw new Error(`--fault-seed must be an integer, got "${opts.faultSeed}"`);
  const emu = await startEmulator({
    port: parsePort(opts.port),
    host: opts.host,
    seed: await loadCliSeed(opts),
    faultSeed,
  });
  const lines = [`SWAS emulator listening on ${emu.url}`];
  for (const account of emu.credentials) {
    lines.push(`  account ${account.uid}: AccessKeyId ${account.accessKeyId}  AccessKeySecret ${account.accessKeySecret}${account.securityToken ? `  SecurityToken ${account.securityToken}` : ''}`);
  }
  lines.push(`  SDK: endpoint '${emu.endpoint}', protocol 'http'; admin API: ${emu.url}/_emulator/state`);
  write(`${lines.join('\n')}\n`);
  if (!stop.aborted) await new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
  await emu.stop();
}

/** Adds `swas-inventory emulator`; runs until SIGINT/SIGTERM. */
export function registerEmulatorCommand(program: Command): void {
  program
    .command('emulator')
    .description('run the local SWAS API emulator that the official SDK (and this worker) can talk to')
    .option('--port <port>', 'TCP port (0 takes a free one)', '9100')
    .option('--host <host>', 'interface to bind (loopback by default: the admin API is unsigned)', '127.0.0.1')
    .option('--seed <file>', 'JSON seed file (docs/EMULATOR.md); default: a generated sample for one account')
    .option('--access-key-id <id>', 'AccessKeyId accepted for the first account')
    .option('--access-key-secret <secret>', 'AccessKeySecret accepted for the first account')
    .option('--fault-seed <n>', 'seed of the fault PRNG', '1')
    .action(async (opts: EmulatorCommandOptions) => {
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await runEmulatorCommand(opts, stop.signal);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
