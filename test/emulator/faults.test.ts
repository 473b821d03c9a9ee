import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle, type FaultRuleInput } from '../../src/emulator/index.js';
import { A, B, fixtureSeed } from './fixture-seed.js';
import { ClientError, ListCustomImagesRequest, ListRegionsRequest, ServerError, ThrottlingError, sdkClient, type SwasClient } from './sdk-client.js';
import { rawCall } from './signed-request.js';

let emu: EmulatorHandle;
let clockOffsetMs = 0;
let client: SwasClient;
beforeAll(async () => {
  emu = await startEmulator({ seed: fixtureSeed(), faultSeed: 42, now: () => new Date(Date.now() + clockOffsetMs) });
  client = sdkClient(emu.endpoint, { ...A, readTimeout: 1000 });
});
afterEach(() => {
  emu.reset();
  clockOffsetMs = 0;
});
afterAll(async () => {
  await emu.stop();
});

const list = (args: ConstructorParameters<typeof ListCustomImagesRequest>[0] = {}) =>
  new ListCustomImagesRequest({ regionId: 'cn-hangzhou', ...args });
const outcome = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'ok', (e: unknown) => e);

describe('latency', () => {
  it('fixed latency delays the answer by at least that much', async () => {
    emu.addFault({ kind: 'latency', ms: 200 });
    const started = Date.now();
    expect((await client.listCustomImages(list())).statusCode).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    expect(emu.callLog().at(-1)?.durationMs).toBeGreaterThanOrEqual(195);
  });

  it('latency beyond the client\'s read timeout: the SDK times out, the log says the client left', async () => {
    emu.addFault({ kind: 'latency', ms: 2000 });
    const e = await outcome(sdkClient(emu.endpoint, { ...A, readTimeout: 300 }).listCustomImages(list()));
    expect((e as Error).name).toBe('RequestTimeoutError');
    await expect.poll(() => emu.callLog().at(-1)?.code, { timeout: 5000 }).toBe('client-closed');
    expect(emu.callLog().at(-1)?.durationMs).toBeLessThan(1900);
  });

  it('random latency stays within [minMs, maxMs]', async () => {
    emu.addFault({ id: 'jitter', kind: 'latency', minMs: 20, maxMs: 60 });
    for (let i = 0; i < 3; i += 1) await client.listRegions(new ListRegionsRequest({}));
    const durations = emu.callLog().map((c) => c.durationMs);
    expect(durations.every((d) => d >= 19)).toBe(true);
    expect(emu.callLog().every((c) => c.faults.includes('jitter'))).toBe(true);
  });
});

describe('throttling', () => {
  it('a per-AccessKey rate limit answers Throttling.User 400 with x-acs-retry-after; the SDK raises ThrottlingError with retryAfter', async () => {
    emu.addFault({ kind: 'rateLimit', limit: 2, windowMs: 60_000 });
    await client.listCustomImages(list());
    await client.listCustomImages(list());
    const e = await outcome(client.listCustomImages(list()));
    expect(e).toBeInstanceOf(ThrottlingError);
    const t = e as InstanceType<typeof ThrottlingError>;
    expect([t.statusCode, t.code]).toEqual([400, 'Throttling.User']);
    expect(t.retryAfter).toBeGreaterThan(50_000);
    expect(t.retryAfter).toBeLessThanOrEqual(60_000);
    // Another AccessKey has its own budget.
    expect((await sdkClient(emu.endpoint, B).listCustomImages(list())).statusCode).toBe(200);
    // The window ends: the key is served again.
    clockOffsetMs = 61_000;
    expect((await client.listCustomImages(list())).statusCode).toBe(200);
  });

  it('throttling on demand, for N calls, then normal service', async () => {
    emu.addFault({ kind: 'throttle', retryAfterMs: 2500, count: 2 });
    for (let i = 0; i < 2; i += 1) {
      const e = await outcome(client.listCustomImages(list()));
      expect(e).toBeInstanceOf(ThrottlingError);
      expect((e as InstanceType<typeof ThrottlingError>).retryAfter).toBe(2500);
    }
    expect((await client.listCustomImages(list())).statusCode).toBe(200);
    expect(emu.callLog().map((c) => c.code)).toEqual(['Throttling.User', 'Throttling.User', 'OK']);
  });

  it('the raw answer carries both the Throttling code and the header', async () => {
    emu.addFault({ kind: 'throttle', code: 'Throttling.Api', retryAfterMs: 700 });
    const res = await rawCall({ port: emu.port, ...A, query: { RegionId: 'cn-hangzhou' } });
    expect([res.status, res.json.Code, res.headers['x-acs-retry-after']]).toEqual([400, 'Throttling.Api', '700']);
  });
});

describe('server errors', () => {
  it('InternalError 500 and ServiceUnavailable 503 are ServerErrors', async () => {
    emu.addFault({ kind: 'error', code: 'InternalError', count: 1 });
    const internal = await outcome(client.listCustomImages(list()));
    expect(internal).toBeInstanceOf(ServerError);
    expect([(internal as InstanceType<typeof ServerError>).statusCode, (internal as InstanceType<typeof ServerError>).code]).toEqual([500, 'InternalError']);
    emu.setFaults([{ kind: 'error', code: 'ServiceUnavailable' }]);
    const unavailable = await outcome(client.listCustomImages(list()));
    expect(unavailable).toBeInstanceOf(ServerError);
    expect((unavailable as InstanceType<typeof ServerError>).statusCode).toBe(503);
  });

  it('on the Nth call and for N calls', async () => {
    emu.addFault({ kind: 'error', nth: 3, count: 2 });
    const results: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const r = await outcome(client.listCustomImages(list()));
      results.push(r === 'ok' ? 'ok' : (r as InstanceType<typeof ServerError>).code ?? '?');
    }
    expect(results).toEqual(['ok', 'ok', 'InternalError', 'InternalError', 'ok', 'ok']);
  });

  it('at a rate, the same sequence for the same faultSeed', async () => {
    const run = async (faultSeed: number): Promise<string> => {
      const other = await startEmulator({ seed: fixtureSeed(), faultSeed, faults: [{ kind: 'error', rate: 0.5 }] });
      try {
        const c = sdkClient(other.endpoint, A);
        let pattern = '';
        for (let i = 0; i < 24; i += 1) pattern += (await outcome(c.listRegions(new ListRegionsRequest({})))) === 'ok' ? '.' : 'x';
        return pattern;
      } finally {
        await other.stop();
      }
    };
    const first = await run(7);
    expect(first).toMatch(/x/);
    expect(first).toMatch(/\./);
    expect(await run(7)).toBe(first);
    expect(await run(8)).not.toBe(first);
  });
});

describe('matching on account / region / action', () => {
  it('only the matching subset fails', async () => {
    const rules: FaultRuleInput[] = [
      { kind: 'error', match: { region: 'cn-shanghai', action: 'ListCustomImages' } },
      { kind: 'error', code: 'ServiceUnavailable', match: { accountUid: B.uid } },
    ];
    emu.setFaults(rules);
    expect((await client.listCustomImages(list())).statusCode).toBe(200);
    expect(await outcome(client.listCustomImages(list({ regionId: 'cn-shanghai' })))).toBeInstanceOf(ServerError);
    expect((await client.listRegions(new ListRegionsRequest({}))).statusCode).toBe(200);
    const b = await outcome(sdkClient(emu.endpoint, B).listRegions(new ListRegionsRequest({})));
    expect((b as InstanceType<typeof ServerError>).statusCode).toBe(503);
  });

  it('page matching fails page 2 only', async () => {
    emu.addFault({ kind: 'error', match: { page: 2 } });
    expect((await client.listCustomImages(list({ pageSize: 2, pageNumber: 1 }))).statusCode).toBe(200);
    expect(await outcome(client.listCustomImages(list({ pageSize: 2, pageNumber: 2 })))).toBeInstanceOf(ServerError);
  });
});

describe('transport faults surface as the SDK\'s network and parse errors', () => {
  it('a hang longer than the client timeout: the SDK raises its RequestTimeoutError', async () => {
    emu.addFault({ kind: 'hang', ms: 30_000 });
    const started = Date.now();
    const e = await outcome(sdkClient(emu.endpoint, { ...A, readTimeout: 500 }).listCustomImages(list()));
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(ClientError);
    // httpx names both its timeouts RequestTimeoutError; which one fires first (ReadTimeout(n) or
    // "ConnectTimeout") depends on socket reuse inside the SDK, not on the emulator.
    expect((e as Error).name).toBe('RequestTimeoutError');
    expect((e as Error).message).toMatch(/Timeout/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(emu.callLog().at(-1)).toMatchObject({ status: 0, code: 'hang' });
  });

  it('a connection reset mid-response: ECONNRESET', async () => {
    emu.addFault({ kind: 'reset' });
    const e = await outcome(client.listCustomImages(list()));
    expect((e as NodeJS.ErrnoException).code).toBe('ECONNRESET');
  });

  it('truncated and malformed JSON with a 200: the SDK fails to parse', async () => {
    emu.addFault({ kind: 'truncate', count: 1 });
    expect(await outcome(client.listCustomImages(list()))).toBeInstanceOf(SyntaxError);
    emu.setFaults([{ kind: 'malformed', body: '<html>bad gateway</html>' }]);
    expect(await outcome(client.listCustomImages(list()))).toBeInstanceOf(SyntaxError);
  });
});

describe('page drift between page k and k+1 of one listing', () => {
  const walk = async (): Promise<{ ids: string[]; totals: string[] }> => {
    const ids: string[] = [];
    const totals: string[] = [];
    for (let page = 1; page <= 3; page += 1) {
      const res = await client.listCustomImages(list({ pageSize: 2, pageNumber: page }));
      ids.push(...(res.body?.customImages ?? []).map((img) => img.imageId ?? ''));
      totals.push(res.body?.totalCount ?? '');
    }
    return { ids, totals };
  };

  it('insert after page 1: the last item of page 1 is seen again on page 2', async () => {
    emu.addFault({ kind: 'pageDrift', afterPage: 1, mode: 'insert' });
    const { ids, totals } = await walk();
    expect(ids.slice(0, 3)).toEqual(['m-b001', 'm-a001', 'm-a001']);
    expect(totals).toEqual(['5', '6', '6']);
    expect(emu.images({ accountUid: A.uid, regionId: 'cn-hangzhou' })).toHaveLength(5);
  });

  it('remove after page 1: an item slides onto page 1 and is never seen', async () => {
    emu.addFault({ kind: 'pageDrift', afterPage: 1, mode: 'remove' });
    const { ids, totals } = await walk();
    expect(ids).toEqual(['m-b001', 'm-a001', 'm-a003', 'm-a004']);
    expect(ids).not.toContain('m-a002');
    expect(totals).toEqual(['5', '4', '4']);
  });
});

describe('oddly typed but valid responses, and broken items', () => {
  it('numbers as strings, counts as numbers, booleans as strings: valid JSON the SDK still maps', async () => {
    emu.addFault({ kind: 'oddTypes', variants: ['numbersAsStrings', 'countsAsNumbers', 'booleansAsStrings'] });
    const raw = await rawCall({ port: emu.port, ...A, query: { RegionId: 'cn-hangzhou', PageSize: '2' } });
    expect(raw.json.TotalCount).toBe(5);
    const item = (raw.json.CustomImages as Array<Record<string, unknown>>)[0]!;
    expect([item.UserId, item.Status, item.InShare]).toEqual([B.uid, 1, 'false']);
    const res = await client.listCustomImages(list({ pageSize: 2 }));
    expect(res.body?.customImages?.[0]?.imageId).toBe('m-b001');
  });

  it('missing optional fields and nulls', async () => {
    emu.addFault({ kind: 'oddTypes', variants: ['missingOptional', 'nulls'] });
    const raw = await rawCall({ port: emu.port, ...A, query: { RegionId: 'cn-hangzhou', PageSize: '2' } });
    const [even, odd] = raw.json.CustomImages as Array<Record<string, unknown>>;
    expect(Object.keys(even!).sort()).toEqual(['CreationTime', 'ImageId', 'Name', 'RegionId', 'Status', 'UserId']);
    expect([odd!.Tags, odd!.Description, odd!.CreateInstances]).toEqual([null, null, null]);
    const res = await client.listCustomImages(list({ pageSize: 2 }));
    expect(res.body?.customImages).toHaveLength(2);
  });

  it('an item without ImageId reaches the caller through the SDK', async () => {
    emu.addFault({ kind: 'badItem', mode: 'missingImageId', index: 1 });
    const res = await client.listCustomImages(list({ pageSize: 3 }));
    expect(res.body?.customImages?.map((img) => img.imageId)).toEqual(['m-b001', undefined, 'm-a002']);
  });

  it('a wrong-typed field: Status true by default (the SDK stringifies it), an object makes the SDK throw', async () => {
    emu.addFault({ kind: 'badItem', mode: 'wrongType', count: 1 });
    const raw = await rawCall({ port: emu.port, ...A, query: { RegionId: 'cn-hangzhou' } });
    expect((raw.json.CustomImages as Array<Record<string, unknown>>)[0]!.Status).toBe(true);
    emu.setFaults([{ kind: 'badItem', mode: 'wrongType', field: 'CreationTime', value: { seconds: 1 } }]);
    const e = await outcome(client.listCustomImages(list()));
    expect((e as Error).message).toMatch(/type of creationTime is mismatch/);
  });
});
