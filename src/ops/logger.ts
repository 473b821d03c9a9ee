import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type pinoPrettyModule from 'pino-pretty';

// pino-pretty only for a person's terminal: loaded when a pretty logger is made (the JSON logs of
// the worker, and a piped or cron sync, never need it). CommonJS, so a synchronous require.
const require = createRequire(import.meta.url);
const loadPinoPretty = (): typeof pinoPrettyModule => require('pino-pretty') as typeof pinoPrettyModule;

export type { Logger };

/**
 * Paths pino blanks out wherever they appear in a log object. Secrets reach logs by accident
 * (an error carrying its request config, a credentials object logged whole), so we redact by
 * name at the sink rather than trusting every call site.
 */
export const REDACT_PATHS = [
  'accessKeyId', 'accessKeySecret', 'securityToken', 'password', 'secret', 'token', 'authorization',
  '*.accessKeyId', '*.accessKeySecret', '*.securityToken', '*.password', '*.secret', '*.token', '*.authorization',
  '*.*.accessKeySecret', '*.*.securityToken', '*.*.password', '*.*.authorization',
  'headers.authorization', '*.headers.authorization', '*.headers["x-acs-security-token"]', 'headers["x-acs-security-token"]',
  'databaseUrl', '*.databaseUrl', 'DATABASE_URL', '*.DATABASE_URL',
];

export interface LoggerOptions {
  level?: string;
  /** Pretty output for humans; default: when stdout is a TTY. JSON otherwise (for log shippers). */
  pretty?: boolean;
  /** Write to stderr (default) so stdout stays clean for `--json` and table output. */
  destination?: NodeJS.WritableStream;
  /** Colors in pretty output. Default: unless NO_COLOR is set (no-color.org). */
  color?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? Boolean(process.stderr.isTTY);
  const base = { level: options.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  const colorize = options.color ?? !(process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '');
  if (pretty && options.destination) {
    // In-thread and synchronous: a one-shot command's last log line is out before its summary.
    return pino(base, loadPinoPretty()({ destination: options.destination, colorize, sync: true }));
  }
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { destination: 2, colorize } } });
  }
  return pino(base, (options.destination ?? process.stderr) as pino.DestinationStream);
}

/** A logger that discards everything: for library callers and tests that do not care. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
