#!/usr/bin/env node
/**
 * `swas-inventory`: one binary for the sync, the daemon, the reports and the emulator. The program
 * is built in program.ts; this entry point only runs it and sets the exit code.
 */
import { runCli } from './program.js';
import { endQuietlyWhenReaderLeaves } from './quiet-pipes.js';

endQuietlyWhenReaderLeaves();
process.exitCode = await runCli(process.argv);
