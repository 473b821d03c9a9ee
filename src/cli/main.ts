#!/usr/bin/env node
/**
 * `swas-inventory`: one binary for the sync, the daemon, the reports and the emulator. The program
 * is built in program.ts; this entry point only runs it and sets the exit code.
 */
import { exitSoonAfterFailure } from './end-after-failure.js';
import { runCli } from './program.js';
import { endQuietlyWhenReaderLeaves } from './quiet-pipes.js';

endQuietlyWhenReaderLeaves();
const code = await runCli(process.argv);
process.exitCode = code;
exitSoonAfterFailure(code);
