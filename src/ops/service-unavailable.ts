/**
 * Every command ends: a Postgres or Redis that refuses connections, or accepts them and never
 * answers, must not leave a command waiting for ever (or printing reconnect stack traces). A
 * probe with a deadline runs before the real work, and its failure is one line naming the
 * service, the variable and the address (password masked).
 */

/** How long connecting to (and a first answer from) Postgres or Redis may take. */
export const CONNECT_TIMEOUT_MS = 10_000;

export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';

  /** `hint`: what to check, when the reason says more than "not reachable" (a TLS refusal). */
  constructor(readonly service: 'PostgreSQL' | 'Redis', address: string, envVar: string, reason: string,
    hint = 'Is it running and reachable from here?') {
    super(`cannot reach ${service} at ${address} (${envVar}): ${reason.replace(/\.$/, '')}. ${hint}`);
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
