/**
 * `sync --notify` through the real CLI (in-process, test/helpers/cli.ts), with the minimal subscription exactly
 * as documented (only the URL points at this test's receiver), the real SDK against the emulator,
 * and real Postgres.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { runCommand } from '../helpers/cli.js';
import { createTestDatabaseUrl } from '../helpers/databases.js';
import { startWebhookReceiver, testSecret, type WebhookReceiver } from '../helpers/webhook-receiver.js';

describe('sync --notify (CLI)', () => {
  let emu: EmulatorHandle;
  let receiver: WebhookReceiver;
  let db: { url: string; drop: () => Promise<void> };
  const secret = testSecret();
  let env: Record<string, string>;

  beforeAll(async () => {
    emu = await startEmulator({ seed: generateSeed({ accounts: 1, regions: ['cn-hangzhou'], imagesPerRegion: 4, seed: 11 }) });
    receiver = await startWebhookReceiver(secret);
    db = await createTestDatabaseUrl();
    const dir = mkdtempSync(join(tmpdir(), 'swas-notify-'));
    const accountsFile = join(dir, 'accounts.json');
    writeFileSync(accountsFile, JSON.stringify({
      accounts: [{ name: 'prod', credentials: { type: 'env' } }],
      subscriptions: [{ name: 'ops', url: receiver.url, secretEnv: 'OPS_HOOK_SECRET', kinds: ['status_changed', 'deleted'] }],
    }));
    const key = emu.accounts[0];
    env = {
      DATABASE_URL: db.url, SWAS_ENDPOINT: emu.url, SWAS_CONFIG: accountsFile, SWAS_REGIONS: 'cn-hangzhou',
      ALIBABA_CLOUD_ACCESS_KEY_ID: key?.accessKeyId ?? '', ALIBABA_CLOUD_ACCESS_KEY_SECRET: key?.accessKeySecret ?? '',
      OPS_HOOK_SECRET: secret, LOG_LEVEL: 'silent',
    };
  });
  afterAll(async () => {
    await receiver?.close();
    await emu?.stop();
    await db?.drop();
  });

  const sync = () => runCommand(['sync', '--notify', '--json'], env);
  const kinds = () => receiver.accepted().map((r) => {
    const d = (r.body as { data: { kind: string; image: { id: string } } }).data;
    return `${d.image.id} ${d.kind}`;
  });

  it('delivers what each run recorded, exactly the subscribed kinds; a receiver down fails the run (exit 1) and the next run delivers what was kept', { timeout: 240_000 }, async () => {
    const first = await sync();
    expect(first.code, first.stderr).toBe(0);
    expect(receiver.received).toEqual([]); // only created events so far: not subscribed

    const [a, b] = emu.images();
    if (!a || !b) throw new Error('seed too small');
    emu.updateImage(a.imageId, { status: a.status === '3' ? '1' : '3' });
    emu.deleteImage(b.imageId);
    const second = await sync();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/ops \(http:\/\/127\.0\.0\.1:\d+\): 2 delivered, 0 still failing/);
    expect(kinds().sort()).toEqual([`${a.imageId} status_changed`, `${b.imageId} deleted`].sort());
    expect(receiver.received.every((r) => r.verified)).toBe(true);

    receiver.answer = () => ({ status: 503 });
    emu.updateImage(a.imageId, { status: '1' === emu.images().find((i) => i.imageId === a.imageId)?.status ? '2' : '1' });
    const third = await sync();
    expect(third.code).toBe(1);
    expect(third.stderr).toMatch(/0 delivered, 1 still failing \(kept for later\)/);
    expect(third.stderr).not.toContain(secret);

    receiver.answer = () => ({ status: 204 });
    const fourth = await sync();
    expect(fourth.code, fourth.stderr).toBe(0);
    expect(kinds()).toHaveLength(3);
    expect(kinds()[2]).toBe(`${a.imageId} status_changed`);
    // The kept event went out under the same webhook-id it failed with.
    const failedIds = receiver.received.filter((r) => r.status === 503).map((r) => r.webhookId);
    expect(new Set(failedIds).size).toBe(1);
    expect(receiver.accepted()[2]?.webhookId).toBe(failedIds[0]);
  });
});
