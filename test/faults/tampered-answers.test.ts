/**
 * Answers a gateway or a broken hop can give, through the real SDK and the tampering proxy
 * (issue 22 #15, #16): a 5xx is transient whatever its body and its message names the status; a
 * body that is not UTF-8 fails its region as malformed, writes nothing and records the reason, so
 * no event is recorded that the next clean listing would undo.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import type { Account } from '../../src/config/accounts.js';
import { loadConfig, parseEndpoint, type Config } from '../../src/config/env.js';
import { classifyError } from '../../src/sync/classify-error.js';
import { SwasClients } from '../../src/cloud/swas-client.js';
import { listCustomImagesPage } from '../../src/cloud/list-custom-images.js';
import { queryRows, type DatabaseHandle } from '../../src/db/database.js';
import { silentLogger } from '../../src/ops/logger.js';
import { REGION_RETRY_POLICY, SINGLE_ATTEMPT_POLICY } from '../../src/sync/retry-policy.js';
import { runSync } from '../../src/sync/run-sync.js';
import { createTestDatabase } from '../helpers/databases.js';
import { startTamperingProxy, type AnswerTamperer, type TamperingProxy } from '../emulator/tampering-proxy.js';

const REGIONS = ['cn-hangzhou', 'cn-shanghai'];
const GATEWAY_PAGE = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>';
const FAST_RETRY = { ...REGION_RETRY_POLICY, backoff: { type: 'fixed' as const, delay: 10, jitter: 0 } };

let emu: EmulatorHandle;
let h: DatabaseHandle;
let proxy: TamperingProxy;
/** What the proxy does to the next answers; null passes them on. */
let tamper: AnswerTamperer | null = null;
let config: Config;
let account: Account;
let env: NodeJS.ProcessEnv;

// ListCustomImages: the action goes in a header (ACS3), its paging and region in the query.
const listing = (path: string, region: string) => path.includes('PageNumber=') && path.includes(`RegionId=${region}`);

beforeAll(async () => {
  emu = await startEmulator({ seed: generateSeed({ accounts: 1, regions: REGIONS, imagesPerRegion: 3, seed: 22 }) });
  proxy = await startTamperingProxy(emu.port, () => {}, (answer) => tamper?.(answer) ?? null);
  h = await createTestDatabase('postgres');
  config = { ...loadConfig({ SWAS_REGIONS: REGIONS.join(',') }), endpoint: parseEndpoint(`http://${proxy.endpoint}`) };
  const key = emu.accounts[0]!;
  env = { T_AK: key.accessKeyId, T_SK: key.accessKeySecret };
  account = { name: 'default', credentials: { type: 'access_key', accessKeyIdEnv: 'T_AK', accessKeySecretEnv: 'T_SK' }, regions: { allow: null, deny: [] }, callsPerSecond: 100 };
});
afterEach(() => { tamper = null; });
afterAll(async () => {
  await proxy?.stop();
  await emu?.stop();
  await h?.close();
});

const sync = (retry = SINGLE_ATTEMPT_POLICY) =>
  runSync({ db: h.db, clients: new SwasClients({ config, env }), config, accounts: [account], log: silentLogger() }, { retry });

const historyRows = async () => (await queryRows<{ n: number }>(h.db, sql`select
  ((select count(*) from swas.image_events) + (select count(*) from swas.custom_image_versions))::int as n`))[0]!.n;

describe('a 5xx whose body is not JSON (a gateway or proxy answering)', () => {
  it('is transient and names its status, through the real SDK', async () => {
    tamper = ({ path }) => listing(path, 'cn-hangzhou') ? { statusCode: 502, headers: { 'content-type': 'text/html' }, body: GATEWAY_PAGE } : null;
    const clients = new SwasClients({ config, env });
    const error = await listCustomImagesPage(clients, account, config.endpoint!, { regionId: 'cn-hangzhou', pageNumber: 1, pageSize: 10 })
      .then(() => null, (e: unknown) => e);
    const c = classifyError(error);
    expect(c).toMatchObject({ kind: 'transient', code: 'HTTP502', statusCode: 502 });
    expect(c.message).toMatch(/^HTTP 502 Bad Gateway with a text\/html body instead of the API's answer \("<html><head><title>502 Bad Gateway/);
    expect(c.message).not.toMatch(/Unexpected token/);
  });

  it('a 503 with an empty body too; a 403 HTML page (refused before the API) stays permanent', async () => {
    const clients = new SwasClients({ config, env });
    const page = () => listCustomImagesPage(clients, account, config.endpoint!, { regionId: 'cn-hangzhou', pageNumber: 1, pageSize: 10 }).then(() => null, (e: unknown) => e);
    tamper = ({ path }) => listing(path, 'cn-hangzhou') ? { statusCode: 503, body: '' } : null;
    expect(classifyError(await page())).toMatchObject({ kind: 'transient', code: 'HTTP503', statusCode: 503 });
    tamper = ({ path }) => listing(path, 'cn-hangzhou') ? { statusCode: 403, headers: { 'content-type': 'text/html' }, body: '<html>denied by WAF</html>' } : null;
    expect(classifyError(await page())).toMatchObject({ kind: 'permanent', code: 'HTTP403', statusCode: 403 });
  });

  it('the region is retried and syncs on the next attempt', async () => {
    let sent = 0;
    tamper = ({ path }) => listing(path, 'cn-hangzhou') && sent++ === 0 ? { statusCode: 502, headers: { 'content-type': 'text/html' }, body: GATEWAY_PAGE } : null;
    const report = await sync(FAST_RETRY);
    expect(report.summary.status).toBe('succeeded');
    expect(report.regions.find((r) => r.regionId === 'cn-hangzhou')).toMatchObject({ status: 'succeeded', attempts: 2 });
  });
});

describe('a listing whose body is not valid UTF-8', () => {
  it('fails its region as malformed with the reason recorded, writes nothing, and the next clean listing records no event', async () => {
    const first = await sync();
    expect(first.summary.status).toBe('succeeded');
    const before = await historyRows();
    const name = emu.images({ accountUid: emu.accounts[0]!.uid }).find((i) => i.regionId === 'cn-shanghai')!.name;
    const broken = Buffer.concat([Buffer.from('bad'), Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from('name')]);
    tamper = ({ path, body }) => {
      if (!listing(path, 'cn-shanghai')) return null;
      const at = body.indexOf(Buffer.from(JSON.stringify(name)));
      expect(at).toBeGreaterThan(0);
      const quoted = Buffer.from(JSON.stringify(name));
      return { statusCode: 200, body: Buffer.concat([body.subarray(0, at + 1), broken, body.subarray(at + quoted.length - 1)]) };
    };
    const bad = await sync();
    expect(bad.summary.status).toBe('partial');
    expect(bad.regions.find((r) => r.regionId === 'cn-shanghai')).toMatchObject({ status: 'failed', error: { code: 'MalformedResponse' } });
    expect(bad.regions.find((r) => r.regionId === 'cn-shanghai')!.error!.message).toMatch(/not valid UTF-8 \(byte \d+ of \d+\)/);
    const [recorded] = await queryRows<{ status: string; error_code: string; error_message: string }>(h.db, sql`
      select status, error_code, error_message from swas.region_syncs where sync_run_id = ${bad.runId}::uuid and region_id = 'cn-shanghai'`);
    expect(recorded).toMatchObject({ status: 'failed', error_code: 'MalformedResponse' });
    expect(await historyRows()).toBe(before);
    const stored = await queryRows<{ name: string }>(h.db, sql`select name from swas.custom_images where name like '%\uFFFD%'`);
    expect(stored).toEqual([]);

    tamper = null;
    const clean = await sync();
    expect(clean.summary.status).toBe('succeeded');
    expect(await historyRows()).toBe(before);
  });
});
