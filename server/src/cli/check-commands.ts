/**
 * `tidemark check`, bundled on its own (dist/cli-check.js): it carries PGlite and the replay
 * engine, which neither `tidemark lint` nor the database commands should load. `lint --replay`
 * requires this bundle too, for replayFindings.
 *
 * The bundle carries its own copies of the error classes; main.ts recognises errors thrown by
 * this command through the classes exported here.
 */
import check from './commands/check';
import type { CliCommand } from './command';

export const commands: readonly CliCommand[] = [check];
export { replayFindings, lintAndReplayRules } from './commands/check';
export { CliError } from './command';
export { UsageError } from './args';
