import { describe, expect, it } from 'vitest';
import { passErrorText } from '../../src/notify/pass-error-text.js';

const failedQuery = (cause: unknown) => Object.assign(new Error("Failed query: update swas.notification_deliveries set state = 'delivered'\nparams: ops,42"), { cause });

describe('passErrorText', () => {
  it('names the driver error under a failed statement, never its SQL or parameters', () => {
    const text = passErrorText(failedQuery(Object.assign(new Error('write CONNECTION_CLOSED 127.0.0.1:5432'), { code: 'CONNECTION_CLOSED' })));
    expect(text).toBe('database error CONNECTION_CLOSED: write CONNECTION_CLOSED 127.0.0.1:5432');
    const unknown = passErrorText(failedQuery(Object.assign(new Error('odd'), { code: 'EWHATEVER' })));
    expect(unknown).toBe('a database statement failed (EWHATEVER)');
    for (const t of [text, unknown]) expect(t).not.toMatch(/update|params|ops,42/);
  });
  it('keeps the first line of other errors', () => {
    expect(passErrorText(new Error('subscription ops has no cursor\nmore'))).toBe('subscription ops has no cursor');
    expect(passErrorText('x')).toBe('unknown error');
  });
});
