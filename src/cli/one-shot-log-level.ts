import type { Config, LogLevel } from '../config/env.js';

/**
 * The log level of a one-shot command (`sync`): on a terminal only warnings and errors, because
 * the summary (and the live progress line) say what happened; piped, the configured level (info
 * by default) for log shippers. An explicit LOG_LEVEL always wins.
 */
export function oneShotLogLevel(config: Pick<Config, 'logLevel'>, env: NodeJS.ProcessEnv, stderrIsTTY: boolean): LogLevel {
  const explicit = env.LOG_LEVEL !== undefined && env.LOG_LEVEL.trim() !== '';
  return explicit || !stderrIsTTY ? config.logLevel : 'warn';
}
