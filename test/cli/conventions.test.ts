/** The conventions every command shares, through the program's entry (runCli) with a process's streams and exit code. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/cli.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** No database is ever opened: a configured one would be a bug these checks must see. */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCommand(args, { HOME: undefined, LOG_LEVEL: undefined, DATABASE_URL: '', SWAS_DATA_DIR: '/nonexistent/never-opened', ...env });
}

describe('command-line conventions', () => {
  it('--version, usage errors (exit 2, one line and a hint), configuration errors (exit 2), help with examples', async () => {
    const [version, unknownOption, unknownCommand, badValue, badEnv, help, noCommand] = await Promise.all([
      cli(['--version']),
      cli(['images', '--formt', 'json']),
      cli(['imagez']),
      cli(['sync', '--format', 'xml']),
      cli(['images'], { LOG_LEVEL: 'loud' }),
      cli(['history', '--help']),
      cli([]),
    ]);
    expect(version).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });

    expect(unknownOption).toEqual({ code: 2, stdout: '',
      stderr: "error: unknown option '--formt' (did you mean --format?)\nRun 'swas-inventory images --help' for usage.\n" });
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toBe("error: unknown command 'imagez' (did you mean images?)\nRun 'swas-inventory --help' for usage.\n");
    expect(badValue.code).toBe(2);
    expect(badValue.stderr.trimEnd().split('\n')).toEqual([
      "error: option '--format <format>' argument 'xml' is invalid. unknown format 'xml': expected one of table, json, csv",
      "Run 'swas-inventory sync --help' for usage.",
    ]);

    // A bad environment is a configuration error, not a failed run.
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toMatch(/^swas-inventory: Invalid configuration; fix these environment variables:\n {2}- LOG_LEVEL: /);

    expect(help.code).toBe(0);
    expect(help.stdout.trimEnd().split('\n').slice(-5)).toEqual([
      'Examples:',
      '  $ swas-inventory history --since 1h',
      '  $ swas-inventory history --image m-bp1abc --oldest-first',
      '  $ swas-inventory history --kind deleted,restored --since 7d --format csv > removals.csv',
      '  $ swas-inventory history --follow --kind status_changed,deleted',
    ]);
    // No command: the usage, and exit 2 (not "the work failed").
    expect(noCommand.code).toBe(2);
    expect(noCommand.stderr).toContain('Usage: swas-inventory [options] [command]');
  });
});
