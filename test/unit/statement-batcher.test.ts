/**
 * The group-commit scheduler (src/db/statement-batcher.ts) with a hand-driven `send`: a lone
 * request goes out at once, requests made while a batch is in flight go out together next (never
 * into the batch already sent), answers reach their own requests, and a failed batch is re-sent
 * request by request so each fails or succeeds on its own.
 */
import { describe, expect, it } from 'vitest';
import { StatementBatcher } from '../../src/db/statement-batcher.js';

/** A `send` whose answers the test releases: each call is recorded with its requests. */
function heldSend(answer: (requests: readonly number[]) => readonly string[] | Error = (r) => r.map((n) => `r${n}`)) {
  const calls: Array<{ requests: readonly number[]; release: () => void }> = [];
  const send = (requests: readonly number[]) => new Promise<readonly string[]>((resolve, reject) => {
    calls.push({ requests, release: () => { const a = answer(requests); if (a instanceof Error) reject(a); else resolve(a); } });
  });
  return { calls, send };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('StatementBatcher', () => {
  it('sends a lone request at once and batches what arrives while it is in flight', async () => {
    const { calls, send } = heldSend();
    const b = new StatementBatcher(send);
    const first = b.submit(1);
    await tick();
    expect(calls.map((c) => c.requests)).toEqual([[1]]);
    const later = [b.submit(2), b.submit(3), b.submit(4)];
    await tick();
    // Nothing joins the batch in flight: its answer was computed before these were made.
    expect(calls.map((c) => c.requests)).toEqual([[1]]);
    calls[0]!.release();
    expect(await first).toBe('r1');
    await tick();
    expect(calls.map((c) => c.requests)).toEqual([[1], [2, 3, 4]]);
    calls[1]!.release();
    expect(await Promise.all(later)).toEqual(['r2', 'r3', 'r4']);
  });

  it('keeps batches within maxBatch and runs up to maxInFlight at once', async () => {
    const { calls, send } = heldSend();
    const b = new StatementBatcher(send, 2, 2);
    const all = [1, 2, 3, 4, 5, 6].map((n) => b.submit(n));
    await tick();
    expect(calls.map((c) => c.requests)).toEqual([[1], [2]]);
    calls[0]!.release();
    await tick(); await tick();
    expect(calls.map((c) => c.requests)).toEqual([[1], [2], [3, 4]]);
    calls[1]!.release(); calls[2]!.release();
    await tick(); await tick();
    expect(calls.map((c) => c.requests)).toEqual([[1], [2], [3, 4], [5, 6]]);
    calls[3]!.release();
    expect(await Promise.all(all)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
  });

  it('re-sends a failed batch request by request: only the bad one fails, with its own error', async () => {
    // Any batch holding 13 fails; 13 alone fails with its own message.
    const { calls, send } = heldSend((r) => (r.includes(13) ? new Error(r.length === 1 ? 'thirteen alone' : 'batch of 13') : r.map((n) => `r${n}`)));
    const b = new StatementBatcher(send);
    const first = b.submit(1);
    await tick();
    const batch = [b.submit(12), b.submit(13), b.submit(14)];
    calls[0]!.release();
    await first;
    await tick();
    calls[1]!.release();
    await tick();
    expect(calls.map((c) => c.requests)).toEqual([[1], [12, 13, 14], [12], [13], [14]]);
    for (const c of calls.slice(2)) c.release();
    const settled = await Promise.allSettled(batch);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual(['r12', 'thirteen alone', 'r14']);
  });

  it('a batch failed by an error retryAlone refuses (a lost connection) fails every request with it, re-sending none', async () => {
    const lost = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const { calls, send } = heldSend((r) => (r.length > 1 ? lost : r.map((n) => `r${n}`)));
    const b = new StatementBatcher(send, 1, 64, (e) => (e as { code?: string }).code !== 'ECONNRESET');
    const first = b.submit(1);
    await tick();
    const batch = [b.submit(2), b.submit(3)];
    calls[0]!.release();
    await first;
    await tick();
    calls[1]!.release();
    const settled = await Promise.allSettled(batch);
    expect(settled.map((s) => (s.status === 'rejected' ? s.reason : s.value))).toEqual([lost, lost]);
    expect(calls.map((c) => c.requests)).toEqual([[1], [2, 3]]);
  });

  it('a batch failed by an error retryAlone refuses also fails the requests queued behind it: they waited on the same unanswering server', async () => {
    const timedOut = Object.assign(new Error('The query did not finish within query_timeout (30 seconds)'), { code: 'QUERY_TIMEOUT' });
    const { calls, send } = heldSend((r) => (r.includes(1) ? timedOut : r.map((n) => `r${n}`)));
    const b = new StatementBatcher(send, 1, 64, (e) => (e as { code?: string }).code !== 'QUERY_TIMEOUT');
    const stuck = b.submit(1);
    await tick();
    const queued = [b.submit(2), b.submit(3)];
    await tick();
    expect(calls.map((c) => c.requests)).toEqual([[1]]);
    calls[0]!.release();
    const settled = await Promise.allSettled([stuck, ...queued]);
    expect(settled.map((s) => (s.status === 'rejected' ? s.reason : s.value))).toEqual([timedOut, timedOut, timedOut]);
    // Nothing was sent for them; a request made afterwards goes out on its own.
    const later = b.submit(4);
    await tick();
    expect(calls.map((c) => c.requests)).toEqual([[1], [4]]);
    calls[1]!.release();
    expect(await later).toBe('r4');
  });

  it('a statement error of the batch ahead leaves the queued requests to go out as the next batch', async () => {
    const bad = Object.assign(new Error('division by zero'), { code: '22012' });
    const { calls, send } = heldSend((r) => (r.includes(1) ? bad : r.map((n) => `r${n}`)));
    const b = new StatementBatcher(send, 1, 64, (e) => (e as { code?: string }).code === '22012');
    const first = b.submit(1);
    await tick();
    const queued = [b.submit(2), b.submit(3)];
    calls[0]!.release();
    await expect(first).rejects.toBe(bad);
    await tick();
    expect(calls.map((c) => c.requests)).toEqual([[1], [2, 3]]);
    calls[1]!.release();
    expect(await Promise.all(queued)).toEqual(['r2', 'r3']);
  });

  it('a lone failed request is rejected with the error as it came, and an answer of the wrong length is an error', async () => {
    const cause = Object.assign(new Error('connection ended'), { code: 'CONNECTION_ENDED' });
    const lone = new StatementBatcher<number, string>(() => Promise.reject(cause));
    await expect(lone.submit(1)).rejects.toBe(cause);
    const short = new StatementBatcher<number, string>(() => Promise.resolve([]));
    await expect(short.submit(1)).rejects.toThrow('answered 0 results for 1 requests');
  });
});
