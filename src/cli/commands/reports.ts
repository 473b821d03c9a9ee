/**
 * The report commands (`images`, `history`, `report`, `runs`, `status`), registered on the program that
 * src/cli/main.ts builds. Bad input exits with code 2 and a message on stderr; output goes through
 * commander's output configuration (stdout by default).
 */
import type { Command } from 'commander';
import { addHistoryCommand } from './history.js';
import { addImagesCommand } from './images.js';
import { addReportCommand } from './report.js';
import { addRunsCommand } from './runs.js';
import { addStatusCommand } from './status.js';

import type { ReportDeps } from '../command-options.js';

export { USAGE_EXIT_CODE, type ReportDeps } from '../command-options.js';

export function registerReportCommands(program: Command, deps: ReportDeps): void {
  addImagesCommand(program, deps);
  addHistoryCommand(program, deps);
  addReportCommand(program, deps);
  addRunsCommand(program, deps);
  addStatusCommand(program, deps);
}
