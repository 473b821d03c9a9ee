/**
 * The exit codes of every command (the README's "Exit codes" table), so a script can tell a typo
 * from an outage: 0 the work succeeded, or a daemon stopped cleanly when asked; 1 the work failed
 * (a region failed or was left out, `status` found a stale region, a service unreachable); 2 usage
 * or configuration error (unknown option or command, a bad value, a bad environment variable or
 * accounts file), found before any work was done; 70 the embedded database's lock was taken from
 * this process; 130 / 143 a command interrupted by SIGINT / SIGTERM before its work was done.
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

/**
 * 70 (EX_SOFTWARE in sysexits.h): another process took the embedded database's folder over as
 * stale while this one held it (this process stalled past the stale time); it stops at once rather
 * than let two processes write the folder.
 */
export const EXIT_LOCK_LOST = 70;

/**
 * 130 / 143: a command interrupted by SIGINT / SIGTERM before its work was done (128 + the signal
 * number, as shells report it): `sync`, `history --follow`. A daemon (`worker`, `console`,
 * `emulator`) is not interrupted by them: stopping on a signal is how it ends, so once it has closed
 * cleanly it exits 0, which is what systemd (without SuccessExitStatus=), Kubernetes and docker's
 * restart policies count as a clean stop.
 */
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;

/** The same codes by name, for the commands that pick one from a run's outcome. */
export const EXIT = { ok: EXIT_OK, failed: EXIT_FAILED, config: EXIT_USAGE, lockLost: EXIT_LOCK_LOST, sigint: EXIT_SIGINT, sigterm: EXIT_SIGTERM } as const;

/** The exit code for a signal that stopped a command. */
export function signalExitCode(signal: string): number {
  return signal === 'SIGTERM' ? EXIT_SIGTERM : EXIT_SIGINT;
}
