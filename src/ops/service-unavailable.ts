/**
 * Every command ends: a Postgres or Redis that refuses connections, or accepts them and never
 * answers, must not leave a command waiting for ever (or printing reconnect stack traces). A
 * probe with a deadline runs before the real work, and its failure is one line naming the
 * service, the variable and the address (password masked).
 */
import { maskUrl } from './mask-url.js';

/** How long connecting to (and a first answer from) Postgres or Redis may take. */
export const CONNECT_TIMEOUT_MS = 10_000;

export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';

  constructor(readonly service: 'PostgreSQL' | 'Redis', address: string, envVar: string, reason: string) {
    super(`cannot reach ${service} at ${address} (${envVar}): ${reason.replace(/\.$/, '')}. Is it running and reachable from here?`);
  }
}

/** `promise`, or `onTimeout()` thrown after `ms`. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(onTimeout()), ms); }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** One line: the error's code and first message line, never a stack. */
export function shortReason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; errors?: unknown } | null;
  // AggregateError (a host with several addresses) carries the interesting errors inside.
  const inner = Array.isArray(e?.errors) && e.errors.length > 0 ? e.errors[0] as { code?: unknown; message?: unknown } : null;
  const message = String(inner?.message ?? e?.message ?? err).split('\n')[0] ?? '';
  const code = typeof (inner?.code ?? e?.code) === 'string' ? String(inner?.code ?? e?.code) : '';
  return code !== '' && !message.includes(code) ? `${code} (${message})` : message;
}

/** Resolves once Redis answers PING; else throws a ServiceUnavailableError within about `timeoutMs`. */
export async function assertRedisReachable(url: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  // Loaded here, not at the top: every command probes Postgres through this module, and only the
  // worker's commands need Redis (ioredis is ~10 MB of a one-shot sync's heap otherwise).
  const { Redis } = await import('ioredis');
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectionName: 'swas-inventory-probe',
  });
  let lastError: unknown = null;
  probe.on('error', (err: unknown) => { lastError = err; });
  try {
    await withDeadline(probe.connect().then(() => probe.ping()), timeoutMs,
      () => new Error(`no answer within ${timeoutMs} ms${lastError !== null ? ` (${shortReason(lastError)})` : ''}`));
  } catch (err) {
    // ioredis rejects with "Connection is closed"; the socket's own error (ECONNREFUSED...) says more.
    throw new ServiceUnavailableError('Redis', maskUrl(url), 'REDIS_URL', shortReason(lastError ?? err));
  } finally {
    probe.disconnect();
  }
}
