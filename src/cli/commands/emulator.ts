import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CLI_RATE_LIMIT } from '../../emulator/call-rate-limit.js';
import type { SeedDocument } from '../../emulator/seed-format.js';

export interface EmulatorCommandOptions {
  port: string;
  host: string;
  seed?: string;
  accessKeyId?: string;
  accessKeySecret?: string;
  faultSeed: string;
  /** Default DEFAULT_CLI_RATE_LIMIT (10 calls per 1000 ms per AccessKey). */
  rateLimit?: string;
  rateWindowMs?: string;
  tls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  caFile?: string;
}

function parseWholeNumber(raw: string, flag: string, min: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min) throw new Error(`${flag} must be a whole number >= ${min}, got "${raw}"`);
  return value;
}

/**
 * `--tls`: a generated CA and certificate, the CA written to `--ca-file` (default in the temp
 * directory) for clients to trust; or `--tls-cert`/`--tls-key` files of your own (which imply --tls).
 */
async function loadTls(opts: EmulatorCommandOptions): Promise<{ tls: true | { cert: string; key: string }; caFile?: string } | null> {
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new Error('--tls-cert and --tls-key go together');
  if (opts.tlsCert !== undefined && opts.tlsKey !== undefined) {
    return { tls: { cert: await readFile(opts.tlsCert, 'utf8'), key: await readFile(opts.tlsKey, 'utf8') } };
  }
  if (!opts.tls) return null;
  return { tls: true, caFile: opts.caFile ?? join(tmpdir(), `swas-emulator-ca-${process.pid}.pem`) };
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
  const { generateSeed } = await import('../../emulator/generate-seed.js');
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
  const tls = await loadTls(opts);
  // Loaded here, not at import: the emulator is not part of any other command's process.
  const { startEmulator } = await import('../../emulator/index.js');
  const emu = await startEmulator({
    port: parsePort(opts.port),
    host: opts.host,
    seed: await loadCliSeed(opts),
    faultSeed,
    rateLimit: {
      limit: parseWholeNumber(opts.rateLimit ?? String(DEFAULT_CLI_RATE_LIMIT.limit), '--rate-limit', 0),
      windowMs: parseWholeNumber(opts.rateWindowMs ?? String(DEFAULT_CLI_RATE_LIMIT.windowMs), '--rate-window-ms', 1),
    },
    ...(tls === null ? {} : { tls: tls.tls }),
  });
  if (tls?.caFile !== undefined && emu.caCert !== undefined) await writeFile(tls.caFile, emu.caCert, { mode: 0o644 });
  write(emulatorBanner({
    url: emu.url, endpoint: emu.endpoint, protocol: emu.protocol, credentials: emu.credentials, rateLimit: emu.rateLimit(),
    ...(tls?.caFile !== undefined ? { caFile: tls.caFile } : {}),
  }));
  if (!stop.aborted) await new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
  await emu.stop();
}

export interface BannerInfo {
  url: string;
  endpoint: string;
  protocol: string;
  credentials: ReadonlyArray<{ uid: string; accessKeyId: string; accessKeySecret: string; securityToken?: string | undefined }>;
  rateLimit: { limit: number; windowMs: number };
  caFile?: string;
}

/**
 * What the emulator prints at start: where it listens, then `export` lines that point a shell's
 * swas-inventory at it with the first account's key (pasted as they are), then every key pair.
 * Short lines: an 80-column terminal wraps none of them but a security token. Pure.
 */
export function emulatorBanner(info: BannerInfo): string {
  const first = info.credentials[0];
  const lines = [`SWAS emulator listening on ${info.url} (Ctrl-C stops it)`];
  if (first !== undefined) {
    lines.push(`to sync from it, in another shell (account ${first.uid}):`, `  export SWAS_ENDPOINT=${info.url}`);
    if (info.caFile !== undefined) lines.push(`  export SWAS_CA_FILE=${info.caFile}`);
    lines.push(`  export ALIBABA_CLOUD_ACCESS_KEY_ID=${first.accessKeyId}`, `  export ALIBABA_CLOUD_ACCESS_KEY_SECRET=${first.accessKeySecret}`);
    if (first.securityToken) lines.push(`  export ALIBABA_CLOUD_SECURITY_TOKEN=${first.securityToken}`);
  }
  lines.push('accounts (uid, AccessKeyId, AccessKeySecret):');
  for (const account of info.credentials) {
    lines.push(`  ${account.uid}  ${account.accessKeyId}  ${account.accessKeySecret}`);
    if (account.securityToken) lines.push(`    SecurityToken ${account.securityToken}`);
  }
  lines.push(`SDK: endpoint '${info.endpoint}', protocol '${info.protocol}'`, `admin API: ${info.url}/_emulator/state`);
  if (info.caFile !== undefined) lines.push(`TLS: clients trust the CA in ${info.caFile}`);
  lines.push(info.rateLimit.limit === 0
    ? 'rate limit: off'
    : `rate limit: ${info.rateLimit.limit} calls per ${info.rateLimit.windowMs} ms per AccessKey (then Throttling.User;\n  --rate-limit 0 turns it off)`);
  return `${lines.join('\n')}\n`;
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
    .option('--rate-limit <calls>', 'calls per AccessKey per window before Throttling.User (0: off)', String(DEFAULT_CLI_RATE_LIMIT.limit))
    .option('--rate-window-ms <ms>', 'length of the rate-limit window', String(DEFAULT_CLI_RATE_LIMIT.windowMs))
    .option('--tls', 'serve HTTPS with a certificate from a CA generated at start (written to --ca-file)')
    .option('--ca-file <file>', 'where --tls writes the generated CA certificate (PEM); default in the temp directory')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate chain (with --tls-key)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
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
