/**
 * The exit codes of every command, so a script can tell a typo from an outage:
 * 0 the work succeeded; 1 the work failed (a region failed or was left out, `status` found a stale
 * region); 2 usage or configuration error (unknown option or command, a bad value, a bad
 * environment variable or accounts file), found before any work was done.
 */
import { CommanderError } from 'commander';
import { UsageError } from '../domain/errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/**
 * The exit code an error ends the program with: the one place it is decided. A usage or
 * configuration error is a UsageError (src/domain/errors.ts; ConfigurationError, ConfigError,
 * AccountsFileError, WorkerConfigError, RedisEvictionPolicyError are): what was asked cannot be
 * done as asked, exit 2. Anything else is a failure of the work, exit 1.
 */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // help and --version end commander with "exit" errors: success, unless help was shown because
    // no command was given (commander's exit code 1 there), which is a usage error.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    // Every other commander error is about the command line (unknown option, missing or bad
    // value): commander gives most of them exit code 1, which would read as "the work failed".
    return EXIT_USAGE;
  }
  if (err instanceof UsageError) return EXIT_USAGE;
  return EXIT_FAILED;
}

/** 130 / 143: interrupted by SIGINT / SIGTERM (128 + the signal number, as shells report it). */
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;

/** The same codes by name, for the commands that pick one from a run's outcome. */
export const EXIT = { ok: EXIT_OK, failed: EXIT_FAILED, config: EXIT_USAGE, sigint: EXIT_SIGINT, sigterm: EXIT_SIGTERM } as const;

/** The exit code for a signal that stopped a command. */
export function signalExitCode(signal: string): number {
  return signal === 'SIGTERM' ? EXIT_SIGTERM : EXIT_SIGINT;
}
