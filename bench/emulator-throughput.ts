/**
 * ListCustomImages calls per second at PageSize 100, through the real SDK, latency off.
 * The emulator must never be the bottleneck of the project's benchmarks; this proves it.
 *   npx tsx bench/emulator-throughput.ts [--seconds 5] [--concurrency 16]
 * The client and the emulator share this one process (one core), so the figure is a floor.
 */
import * as SwasModule from '@alicloud/swas-open20200601';
import * as Core from '@alicloud/openapi-core';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { startEmulator } from '../src/emulator/index.js';

type ClientClass = typeof SwasModule.default.default;
const moduleDefault = SwasModule.default as { default?: ClientClass };
const Client: ClientClass = moduleDefault.default ?? (moduleDefault as unknown as ClientClass);

export interface EmulatorThroughputOptions {
  /** How long to measure, after a short warm-up (default 5 s). */
  seconds?: number;
  /** Calls in flight at once (default 16). */
  concurrency?: number;
  /** Images in the measured region; at least 100 so every page is full (default 150). */
  images?: number;
}

export interface EmulatorThroughputResult {
  /** Through the real SDK (request signing, HTTP, JSON.parse and model casting of 100 items). */
  callsPerSecond: number;
  /**
   * The emulator alone: a bare keep-alive HTTP client sends requests signed by the SDK's own
   * signer and discards the bodies. The gap to callsPerSecond is the SDK's client-side cost.
   */
  emulatorOnlyCallsPerSecond: number;
  /**
   * The SDK's own ceiling: the same client against a trivial server that replays one captured
   * 100-item body without any checks. callsPerSecond close to this means the emulator is not
   * the bottleneck; the SDK's decoding of the page is.
   */
  sdkCeilingCallsPerSecond: number;
  calls: number;
  seconds: number;
  pageSize: number;
  concurrency: number;
  imagesPerPage: number;
}

export async function measureEmulatorThroughput(opts: EmulatorThroughputOptions = {}): Promise<EmulatorThroughputResult> {
  const seconds = opts.seconds ?? 5;
  const concurrency = opts.concurrency ?? 16;
  const emu = await startEmulator({ seed: { accounts: 1, regions: ['cn-hangzhou'], imagesPerRegion: Math.max(100, opts.images ?? 150), seed: 7 } });
  try {
    const account = emu.accounts[0]!;
    const client = new Client(new Core.$OpenApiUtil.Config({
      accessKeyId: account.accessKeyId,
      accessKeySecret: account.accessKeySecret,
      endpoint: emu.endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
    }));
    const request = () => new SwasModule.ListCustomImagesRequest({ regionId: 'cn-hangzhou', pageSize: 100, pageNumber: 1 });
    let imagesPerPage = 0;
    const run = async (ms: number): Promise<number> => {
      const until = Date.now() + ms;
      let calls = 0;
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (Date.now() < until) {
          const res = await client.listCustomImages(request());
          imagesPerPage = res.body?.customImages?.length ?? 0;
          calls += 1;
        }
      }));
      return calls;
    };
    await run(Math.min(1000, seconds * 200));
    const started = process.hrtime.bigint();
    const calls = await run(seconds * 1000);
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    if (imagesPerPage !== 100) throw new Error(`expected full pages of 100, got ${imagesPerPage}`);
    const bare = await measureBare(emu.port, account, seconds, concurrency);
    const ceiling = await measureCeiling(await capturePage(emu.port, account), account, seconds, concurrency, request);
    return {
      callsPerSecond: Math.round(calls / elapsed),
      emulatorOnlyCallsPerSecond: bare,
      sdkCeilingCallsPerSecond: ceiling,
      calls, seconds: elapsed, pageSize: 100, concurrency, imagesPerPage,
    };
  } finally {
    await emu.stop();
  }
}

const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

type Account = { accessKeyId: string; accessKeySecret: string };

function signedHeaders(port: number, account: Account, query: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {
    host: `127.0.0.1:${port}`,
    'x-acs-action': 'ListCustomImages',
    'x-acs-version': '2020-06-01',
    'x-acs-date': `${new Date().toISOString().slice(0, 19)}Z`,
    'x-acs-signature-nonce': randomBytes(32).toString('hex'),
    'x-acs-content-sha256': EMPTY_SHA256,
  };
  headers.authorization = Core.OpenApiUtil.getAuthorization(
    { pathname: '/', method: 'POST', query, headers } as unknown as Parameters<typeof Core.OpenApiUtil.getAuthorization>[0],
    'ACS3-HMAC-SHA256', EMPTY_SHA256, account.accessKeyId, account.accessKeySecret,
  );
  return headers;
}

const PAGE_QUERY = { PageNumber: '1', PageSize: '100', RegionId: 'cn-hangzhou' };

function post(port: number, headers: Record<string, string>, agent?: http.Agent): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const path = `/?${new URLSearchParams(PAGE_QUERY).toString()}`;
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path, headers: { ...headers, 'content-length': '0' }, ...(agent ? { agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`HTTP ${res.statusCode ?? 0}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

function capturePage(port: number, account: Account): Promise<Buffer> {
  return post(port, signedHeaders(port, account, PAGE_QUERY));
}

async function measureCeiling(page: Buffer, account: Account, seconds: number, concurrency: number, request: () => InstanceType<typeof SwasModule.ListCustomImagesRequest>): Promise<number> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json;charset=utf-8', 'content-length': String(page.length) });
    res.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const client = new Client(new Core.$OpenApiUtil.Config({ ...account, endpoint: `127.0.0.1:${port}`, protocol: 'http', regionId: 'cn-hangzhou' }));
  const run = async (ms: number): Promise<number> => {
    const until = Date.now() + ms;
    let calls = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await client.listCustomImages(request());
        calls += 1;
      }
    }));
    return calls;
  };
  await run(500);
  const started = process.hrtime.bigint();
  const calls = await run(seconds * 1000);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return Math.round(calls / elapsed);
}

/** Signs like the SDK (its own OpenApiUtil.getAuthorization), sends, and counts the body bytes. */
async function measureBare(port: number, account: Account, seconds: number, concurrency: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const call = (): Promise<Buffer> => post(port, signedHeaders(port, account, PAGE_QUERY), agent);
  const run = async (ms: number): Promise<number> => {
    const until = Date.now() + ms;
    let calls = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await call();
        calls += 1;
      }
    }));
    return calls;
  };
  await run(500);
  const started = process.hrtime.bigint();
  const calls = await run(seconds * 1000);
  agent.destroy();
  return Math.round(calls / (Number(process.hrtime.bigint() - started) / 1e9));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string): number | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? undefined : Number(process.argv[i + 1]);
  };
  const seconds = arg('seconds');
  const concurrency = arg('concurrency');
  const result = await measureEmulatorThroughput({
    ...(seconds === undefined ? {} : { seconds }),
    ...(concurrency === undefined ? {} : { concurrency }),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`
    + `ListCustomImages PageSize=100 via the real SDK: ${result.callsPerSecond} calls/s (${result.calls} calls in ${result.seconds.toFixed(2)} s, concurrency ${result.concurrency}, one process)\n`
    + `emulator alone (bare signed HTTP client, bodies not parsed): ${result.emulatorOnlyCallsPerSecond} calls/s\n`
    + `SDK ceiling (same SDK against a server replaying one fixed page, no checks): ${result.sdkCeilingCallsPerSecond} calls/s\n`);
}
