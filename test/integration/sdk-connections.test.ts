/**
 * What the SDK holds per account (issue 24), through the real SDK against the emulator: TCP
 * connections are shared by every account's clients (one keep-alive pool per host, not per client
 * or per call), the client cache is bounded, and a finished call leaves no read timer armed behind
 * it that would cut the read timeout of the next call on its socket.
 *
 * Connections are counted by a loopback proxy in front of the emulator (each connection the SDK
 * opens is one accepted there); two host names for it (127.0.0.1 and localhost) stand for two
 * region endpoints.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { listCustomImagesPage } from '../../src/cloud/list-custom-images.js';
import { SwasClients, type Endpoint } from '../../src/cloud/swas-client.js';
import type { Account } from '../../src/config/accounts.js';

const REGION = 'cn-hangzhou';
const ACCOUNTS = 60;
const IN_FLIGHT = 4;

let emulator: EmulatorHandle;
let proxy: { port: number; accepted: () => number; close: () => Promise<void> };
let env: NodeJS.ProcessEnv;
let accounts: Account[];

beforeAll(async () => {
  emulator = await startEmulator({ seed: generateSeed({ accounts: ACCOUNTS, regions: [REGION], imagesPerRegion: 2, seed: 7 }) });
  proxy = await countingProxy(emulator.port);
  env = {};
  accounts = emulator.accounts.map((key, i): Account => {
    env[`AK_${i}`] = key.accessKeyId;
    env[`SK_${i}`] = key.accessKeySecret;
    return { name: `acct-${i}`, credentials: { type: 'access_key', accessKeyIdEnv: `AK_${i}`, accessKeySecretEnv: `SK_${i}` }, regions: { allow: null, deny: [] }, callsPerSecond: 100 };
  });
});

afterEach(() => emulator.reset());

afterAll(async () => {
  await proxy?.close();
  await emulator?.stop();
});

function clientsWith(options: { maxClients?: number; readTimeoutMs?: number; connectTimeoutMs?: number } = {}): SwasClients {
  return new SwasClients({
    config: { endpoint: null, readTimeoutMs: options.readTimeoutMs ?? 5_000, connectTimeoutMs: options.connectTimeoutMs ?? 5_000 },
    env,
    ...(options.maxClients === undefined ? {} : { maxClients: options.maxClients }),
  });
}

const page = (clients: SwasClients, account: Account, endpoint: Endpoint) =>
  listCustomImagesPage(clients, account, endpoint, { regionId: REGION, pageNumber: 1, pageSize: 10 });

describe('SDK clients and connections across accounts', () => {
  it(`${ACCOUNTS} accounts x 2 endpoints share connections: at most the calls in flight per host, not one per client`, async () => {
    const endpoints: Endpoint[] = [
      { protocol: 'http', host: `127.0.0.1:${proxy.port}` },
      { protocol: 'http', host: `localhost:${proxy.port}` },
    ];
    const clients = clientsWith({ maxClients: 16 });
    const work = accounts.flatMap((account) => endpoints.map((endpoint) => ({ account, endpoint })));
    const before = proxy.accepted();
    let next = 0;
    const answered: unknown[] = [];
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      for (let item = work[next++]; item !== undefined; item = work[next++]) {
        answered.push((await page(clients, item.account, item.endpoint)).customImages);
      }
    }));
    expect(answered).toHaveLength(ACCOUNTS * endpoints.length);
    for (const images of answered) expect(images).toHaveLength(2);
    // A client (or a call) with its own agent would open one connection per client: 120 here.
    expect(proxy.accepted() - before).toBeLessThanOrEqual(IN_FLIGHT * endpoints.length);
    // 120 (account, endpoint) pairs went through a cache of 16.
    expect(clients.cachedClients).toBe(16);
  });

  it('keeps the most recently used clients: one in use is reused, not rebuilt', async () => {
    const clients = clientsWith({ maxClients: 2 });
    const at: Endpoint = { protocol: 'http', host: `127.0.0.1:${proxy.port}` };
    const [a, b, c] = accounts as [Account, Account, Account];
    const first = clients.client(a, at);
    clients.client(b, at);
    expect(clients.client(a, at)).toBe(first);
    clients.client(c, at); // pushes b out, the least recently used
    expect(clients.client(a, at)).toBe(first);
    expect(clients.cachedClients).toBe(2);
    // A rebuilt client still signs with its account's key.
    expect((await page(clients, b, at)).customImages).toHaveLength(2);
  });

  it('a call on a reused socket within the read timeout of the previous call still times out at its own read timeout', async () => {
    // Socket inactivity (the connect timeout, httpx's `timeout`) far above the read timeout, so
    // the error says which of the two cut the call.
    const clients = clientsWith({ readTimeoutMs: 1_000, connectTimeoutMs: 20_000 });
    const at: Endpoint = { protocol: 'http', host: `127.0.0.1:${proxy.port}` };
    const account = accounts[0] as Account;
    await page(clients, account, at);
    const connections = proxy.accepted();
    // The next call goes out on the same keep-alive socket while the first call's read timer
    // (never cleared before the fix) is still pending; when that timer fired it cleared this
    // call's timer, so the hang below ran into the 20 s inactivity timeout instead.
    emulator.addFault({ kind: 'hang', ms: 30_000 });
    const failure = await page(clients, account, at).then(() => null, (error: unknown) => error as Error);
    expect(proxy.accepted()).toBe(connections);
    expect(failure?.message).toMatch(/^ReadTimeout\(1000\)/);
  });
});

/** A loopback TCP proxy to `target` that counts the connections it accepts. */
async function countingProxy(target: number): Promise<{ port: number; accepted: () => number; close: () => Promise<void> }> {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    accepted++;
    const upstream = connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    accepted: () => accepted,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
