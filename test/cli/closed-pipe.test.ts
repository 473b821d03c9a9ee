/**
 * A reader that leaves early (`images | head -3`, `... | true`) ends every command quietly with
 * exit 0 (issue 22 #2): each command that prints a result runs as a real process (the built dist/
 * program) in a real shell pipeline into `true`, which exits before the program writes anything,
 * so its first write meets a closed pipe. `pipefail` makes the pipeline's status the program's.
 * Before, each printed an EPIPE stack (about 20 lines) and exited 1.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { BUILT_MAIN } from '../helpers/built-program.js';
import { createTestDatabaseUrl } from '../helpers/databases.js';
import { USER_ENV } from '../helpers/processes.js';

const REGIONS = ['cn-hangzhou', 'cn-shanghai'];

/** `swas-inventory <args> | true` (or with stderr, not stdout, into the pipe): the program's exit and what reached the terminal. */
function pipeIntoTrue(args: readonly string[], env: Record<string, string>, stream: 'stdout' | 'stderr' = 'stdout') {
  const redirect = stream === 'stdout' ? '' : '2>&1 >/dev/null';
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn('bash', ['-c', `set -o pipefail; "$0" "$@" ${redirect} | true`, process.execPath, BUILT_MAIN, ...args],
      { env: { PATH: process.env.PATH ?? '', ...USER_ENV, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

describe('a pipe reader that leaves early', () => {
  let emu: EmulatorHandle;
  let database: { url: string; drop: () => Promise<void> };
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'swas-closed-pipe-'));

  beforeAll(async () => {
    // One subscription, so `notifications status` has a row to print.
    writeFileSync(join(dir, 'accounts.json'), JSON.stringify({
      accounts: [{ name: 'default', credentials: { type: 'env' } }],
      subscriptions: [{ name: 'ops', url: 'http://127.0.0.1:9/hook', secretEnv: 'OPS_HOOK_SECRET' }],
    }));
    emu = await startEmulator({ seed: generateSeed({ accounts: 1, regions: REGIONS, imagesPerRegion: 3, seed: 5 }) });
    database = await createTestDatabaseUrl();
    const key = emu.accounts[0]!;
    env = { DATABASE_URL: database.url, SWAS_ENDPOINT: emu.url, SWAS_REGIONS: REGIONS.join(','),
      ALIBABA_CLOUD_ACCESS_KEY_ID: key.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.accessKeySecret,
      SWAS_CONFIG: join(dir, 'accounts.json'), OPS_HOOK_SECRET: `whsec_${Buffer.alloc(24, 7).toString('base64')}` };
  });
  afterAll(async () => {
    await database?.drop();
    await emu?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // sync first: the report commands after it have rows to print.
  const commands: string[][] = [
    ['sync'], ['sync', '--format', 'table'], ['images'], ['images', '--format', 'csv'], ['history'], ['report'], ['runs'], ['status'],
    ['prune', '--dry-run'], ['notifications', 'status'], ['--version'], ['--help'],
    // Daemons print a banner, then serve: the closed pipe ends them at once too.
    ['emulator', '--port', '0'], ['console', '--port', '0'],
  ];
  it.each(commands.map((c) => [c.join(' '), c] as const))('%s | true: exit 0, nothing on the terminal', async (_name, args) => {
    const res = await pipeIntoTrue(args, env);
    expect(res, res.stderr).toEqual({ code: 0, stderr: '' });
  });

  it.each([
    ['a usage error', ['images', '--no-such-option']],
    ['the logs of a sync', ['sync']],
    ['what migrate did', ['migrate']],
  ] as const)('stderr into the pipe (%s): exit 0, quietly', async (_name, args) => {
    const res = await pipeIntoTrue(args, { ...env, LOG_LEVEL: 'info' }, 'stderr');
    expect(res).toEqual({ code: 0, stderr: '' });
  });
});
