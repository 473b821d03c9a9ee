/**
 * ListCustomImages calls per second at PageSize 100, through the real SDK, latency off.
 * The emulator must never be the bottleneck of the project's benchmarks; this shows it.
 *   npx tsx bench/emulator-throughput.ts [--seconds 5] [--concurrency 16]
 * Client and emulator share this one process, so every figure is "on one core". Each is given
 * per wall-clock second and per CPU second of this process: on a busy machine the wall figure
 * drops with the share of the core the process gets, the CPU figure does not.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as SwasModule from '@alicloud/swas-open20200601';
import * as Core from '@alicloud/openapi-core';
import { startEmulator } from '../src/emulator/index.js';

type ClientClass = typeof SwasModule.default.default;
const moduleDefault = SwasModule.default as { default?: ClientClass };
const Client: ClientClass = moduleDefault.default ?? (moduleDefault as unknown as ClientClass);

export interface EmulatorThroughputOptions {
  /** How long to measure each figure, after a short warm-up (default 5 s). */
  seconds?: number;
  /** Calls in flight at once (default 16). */
  concurrency?: number;
  /** Images in the measured region; at least 100 so every page is full (default 150). */
  images?: number;
}

export interface Rate {
  /** Calls per wall-clock second. */
  perSecond: number;
  /** Calls per CPU second used by this process (user + system). */
  perCpuSecond: number;
  calls: number;
}

export interface EmulatorThroughputResult {
  /** Through the real SDK: signing, HTTP, JSON.parse and model casting of 100 items. The headline figure. */
  callsPerSecond: number;
  sdk: Rate;
  /** The emulator alone: a bare keep-alive HTTP client sends requests signed by the SDK's own signer and does not parse the bodies. */
  emulatorOnly: Rate;
  /**
   * The emulator in its own process, driven by bare clients from this one: calls per CPU second
   * of the emulator process alone, i.e. what one core running only the emulator serves.
   */
  emulatorProcess: { perSecond: number; perEmulatorCpuSecond: number; calls: number };
  /** The SDK's ceiling: the same client against a trivial server replaying one captured page with no checks. */
  sdkCeiling: Rate;
  pageSize: 100;
  concurrency: number;
  seconds: number;
}

type Account = { accessKeyId: string; accessKeySecret: string };
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');
const PAGE_QUERY = { PageNumber: '1', PageSize: '100', RegionId: 'cn-hangzhou' };

/** Runs `call` from `concurrency` loops for `seconds` after a warm-up; counts wall and CPU time. */
async function measure(call: () => Promise<unknown>, seconds: number, concurrency: number, warmupMs = Math.min(1000, seconds * 200)): Promise<Rate> {
  const loop = async (ms: number): Promise<number> => {
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
  if (warmupMs > 0) await loop(warmupMs);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const calls = await loop(seconds * 1000);
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return { perSecond: Math.round(calls / wall), perCpuSecond: Math.round(calls / cpuSeconds), calls };
}

function sdkClient(endpoint: string, account: Account): InstanceType<ClientClass> {
  return new Client(new Core.$OpenApiUtil.Config({ ...account, endpoint, protocol: 'http', regionId: 'cn-hangzhou' }));
}

function signedHeaders(port: number, account: Account): Record<string, string> {
  const headers: Record<string, string> = {
    host: `127.0.0.1:${port}`,
    'x-acs-action': 'ListCustomImages',
    'x-acs-version': '2020-06-01',
    'x-acs-date': `${new Date().toISOString().slice(0, 19)}Z`,
    'x-acs-signature-nonce': randomBytes(32).toString('hex'),
    'x-acs-content-sha256': EMPTY_SHA256,
  };
  headers.authorization = Core.OpenApiUtil.getAuthorization(
    { pathname: '/', method: 'POST', query: PAGE_QUERY, headers } as unknown as Parameters<typeof Core.OpenApiUtil.getAuthorization>[0],
    'ACS3-HMAC-SHA256', EMPTY_SHA256, account.accessKeyId, account.accessKeySecret,
  );
  return headers;
}

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

/** A server that answers every request with the same bytes: what the SDK alone can absorb. */
async function replayServer(page: Buffer): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json;charset=utf-8', 'content-length': String(page.length) });
    res.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function measureEmulatorThroughput(opts: EmulatorThroughputOptions = {}): Promise<EmulatorThroughputResult> {
  const seconds = opts.seconds ?? 5;
  const concurrency = opts.concurrency ?? 16;
  const emu = await startEmulator({ seed: { accounts: 1, regions: ['cn-hangzhou'], imagesPerRegion: Math.max(100, opts.images ?? 150), seed: 7 } });
  try {
    const account = emu.accounts[0]!;
    const request = () => new SwasModule.ListCustomImagesRequest({ regionId: 'cn-hangzhou', pageSize: 100, pageNumber: 1 });
    const client = sdkClient(emu.endpoint, account);
    const first = await client.listCustomImages(request());
    if (first.body?.customImages?.length !== 100) throw new Error(`expected a full page of 100, got ${first.body?.customImages?.length}`);

    const sdk = await measure(() => client.listCustomImages(request()), seconds, concurrency);
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const emulatorOnly = await measure(() => post(emu.port, signedHeaders(emu.port, account), agent), seconds, concurrency);
    agent.destroy();
    const replay = await replayServer(await post(emu.port, signedHeaders(emu.port, account)));
    const ceilingClient = sdkClient(replay.endpoint, account);
    const sdkCeiling = await measure(() => ceilingClient.listCustomImages(request()), seconds, concurrency);
    await replay.close();
    const emulatorProcess = await measureEmulatorProcess(seconds, concurrency, Math.max(100, opts.images ?? 150));
    return { callsPerSecond: sdk.perSecond, sdk, emulatorOnly, emulatorProcess, sdkCeiling, pageSize: 100, concurrency, seconds };
  } finally {
    await emu.stop();
  }
}

type ChildMessage = { port: number; account: Account } | { cpuMicros: number };

/** Forks this file with `--serve`: an emulator alone in a process that reports its CPU use. */
async function measureEmulatorProcess(seconds: number, concurrency: number, images: number): Promise<{ perSecond: number; perEmulatorCpuSecond: number; calls: number }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', String(images)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (): Promise<ChildMessage> => new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as ChildMessage));
    child.once('error', reject);
  });
  try {
    const ready = await next();
    if (!('port' in ready)) throw new Error('emulator child did not report its port');
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const call = () => post(ready.port, signedHeaders(ready.port, ready.account), agent);
    // Warm the child's JIT by call count, not time: on a loaded machine a second may be a few calls.
    for (let i = 0; i < 400; i += concurrency) await Promise.all(Array.from({ length: concurrency }, call));
    const cpuBefore = next();
    child.send('cpu');
    const before = await cpuBefore;
    const rate = await measure(call, seconds, concurrency, 0);
    const cpuAfter = next();
    child.send('cpu');
    const after = await cpuAfter;
    agent.destroy();
    if (!('cpuMicros' in before) || !('cpuMicros' in after)) throw new Error('emulator child did not report its CPU use');
    const childCpuSeconds = (after.cpuMicros - before.cpuMicros) / 1e6;
    return { perSecond: rate.perSecond, perEmulatorCpuSecond: Math.round(rate.calls / childCpuSeconds), calls: rate.calls };
  } finally {
    child.kill();
  }
}

if (process.argv[2] === '--serve' && process.send) {
  const emu = await startEmulator({ seed: { accounts: 1, regions: ['cn-hangzhou'], imagesPerRegion: Number(process.argv[3] ?? 150), seed: 7 } });
  const send = process.send.bind(process);
  process.on('message', () => {
    const used = process.cpuUsage();
    send({ cpuMicros: used.user + used.system });
  });
  process.on('disconnect', () => void emu.stop().then(() => process.exit(0)));
  send({ port: emu.port, account: emu.accounts[0]! });
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string): number | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? undefined : Number(process.argv[i + 1]);
  };
  const seconds = arg('seconds');
  const concurrency = arg('concurrency');
  const r = await measureEmulatorThroughput({
    ...(seconds === undefined ? {} : { seconds }),
    ...(concurrency === undefined ? {} : { concurrency }),
  });
  const line = (label: string, rate: Rate): string => `${label}: ${rate.perSecond} calls/s wall, ${rate.perCpuSecond} calls per CPU second (${rate.calls} calls)`;
  process.stdout.write(`${JSON.stringify(r)}\n`
    + `ListCustomImages PageSize=100, concurrency ${r.concurrency}, ${r.seconds} s each, one process:\n`
    + `  ${line('through the real SDK         ', r.sdk)}\n`
    + `  ${line('emulator alone (bare client)  ', r.emulatorOnly)}\n`
    + `  emulator in its own process    : ${r.emulatorProcess.perSecond} calls/s wall, ${r.emulatorProcess.perEmulatorCpuSecond} calls per emulator CPU second\n`
    + `  ${line('SDK ceiling (replayed page)   ', r.sdkCeiling)}\n`);
}
