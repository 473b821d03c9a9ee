/**
 * Ctrl-C during `sync` on a real terminal (a pseudo-terminal from util-linux `script`; the built
 * program: the terminal and the signal are the point), with regions in flight held by the
 * emulator's latency (issue 22 #5). Before: an eight-line `ERROR region failed ... kind:
 * "permanent"` block per interrupted region, a row, a reason and the name again for each, and a
 * progress line saying `26/26 regions`. Now: the one line the signal prints, a progress line that
 * counts the interrupted regions as such, the regions that ran, and one line for the run.
 * And a region typo is one line with "did you mean" (issue 22 #6), exit 2.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { BUILT_MAIN } from '../helpers/built-program.js';
import { createTestDatabaseUrl } from '../helpers/databases.js';

const REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'cn-qingdao', 'cn-zhangjiakou', 'cn-huhehaote', 'cn-wulanchabu', 'cn-shenzhen',
  'cn-heyuan', 'cn-guangzhou', 'cn-chengdu', 'cn-hongkong', 'ap-northeast-1', 'ap-southeast-1', 'ap-southeast-3', 'ap-southeast-5',
  'ap-southeast-6', 'ap-southeast-7', 'us-east-1', 'us-west-1', 'eu-west-1', 'eu-central-1', 'me-east-1', 'ap-south-1', 'cn-nanjing', 'cn-fuzhou'];

/** `swas-inventory <args>` on a pseudo-terminal 80 columns wide; `keys` typed once `ready(screen)` holds. */
function onTerminal(args: readonly string[], env: Record<string, string>, keys?: { ready: (screen: string) => boolean; type: string }) {
  const command = [process.execPath, BUILT_MAIN, ...args].join(' ');
  // -q quiet, -f flush as written, -e the child's exit code, -c the command; the typescript goes to /dev/null.
  const child = spawn('script', ['-qfec', `stty cols 80 rows 40; exec ${command}`, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent-home', TERM: 'xterm', NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  let typed = false;
  child.stdout.on('data', (c: Buffer) => {
    screen += c.toString('utf8');
    if (keys && !typed && keys.ready(screen)) {
      typed = true;
      child.stdin.write(keys.type);
    }
  });
  return new Promise<{ code: number | null; screen: string; typed: boolean }>((resolve) => {
    child.once('close', (code) => resolve({ code, screen, typed }));
  });
}

/** What a person sees: each line as last redrawn (after its last carriage return, the clear-line code gone), blank ones left out. */
function screenLines(screen: string): string[] {
  return screen.split(/\r?\n/).map((l) => (l.split('\r').at(-1) ?? '').replaceAll('\u001b[2K', '')).filter((l) => l.trim() !== '');
}

describe('sync on a terminal: Ctrl-C and a region typo', () => {
  let emu: EmulatorHandle;
  let database: { url: string; drop: () => Promise<void> };
  let env: Record<string, string>;

  beforeAll(async () => {
    emu = await startEmulator({ seed: generateSeed({ accounts: 1, regions: REGIONS, imagesPerRegion: 2, seed: 7 }) });
    database = await createTestDatabaseUrl();
    const key = emu.accounts[0]!;
    env = { DATABASE_URL: database.url, SWAS_ENDPOINT: emu.url, ALIBABA_CLOUD_ACCESS_KEY_ID: key.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.accessKeySecret, SWAS_PAGE_SIZE: '1' };
  });
  afterAll(async () => {
    await database?.drop();
    await emu?.stop();
  });

  it('Ctrl-C: one line for the signal, interrupted regions counted as such, never logged as permanent; exit 130', async () => {
    // A second and more per listing: the listings are in flight when the key is typed.
    emu.setFaults([{ kind: 'latency', ms: 1_500, match: { action: 'ListCustomImages' } }]);
    try {
      const res = await onTerminal(['sync'], env, { ready: () => emu.inFlight() > 0, type: '\u0003' });
      expect(res.typed).toBe(true);
      expect(res.code, res.screen).toBe(130);
      const lines = screenLines(res.screen);
      expect(res.screen).not.toMatch(/permanent|region failed|ERROR/);
      expect(lines.filter((l) => l.includes('SIGINT: stopping'))).toHaveLength(1);
      // The regions with pages left were interrupted: the progress and the run count them, in one line each.
      const lastProgress = [...res.screen.matchAll(/sync: (\d+)\/26 regions[^\r\n]*?(\d+) interrupted/g)].at(-1);
      expect(lastProgress, res.screen).toBeDefined();
      expect(Number(lastProgress![1]) + Number(lastProgress![2])).toBe(26);
      expect(res.screen).toMatch(/run [0-9a-f-]{36}: failed: interrupted, \d+ of 26 regions not synced \(the next run syncs them\)/);
      expect(lines.length, lines.join('\n')).toBeLessThanOrEqual(8);
    } finally {
      emu.clearFaults();
    }
  }, 120_000);

  it('a region typo: one line with "did you mean", exit 2', async () => {
    const res = await onTerminal(['sync', '--region', 'cn-hangzou'], env);
    expect(res.code, res.screen).toBe(2);
    const lines = screenLines(res.screen);
    expect(lines, res.screen).toEqual([
      expect.stringMatching(/^sync: 1\/1 regions, 0 images, 1 failed, \d+s$/),
      "swas-inventory: unknown region 'cn-hangzou' (asked for by --region): ListRegions does not return it (did you mean cn-hangzhou?); the run is recorded as failed",
    ]);
  }, 120_000);
});
