/**
 * `tidemark lint`, bundled on its own (dist/cli-lint.js) like the database commands
 * (runner-commands.ts, dist/cli-runner.js): main.ts requires the one bundle the command needs,
 * so `tidemark apply` does not compile the lint engine or start a second copy of the parser.
 *
 * The bundle carries its own copies of the error classes; main.ts recognises errors thrown by
 * this command through the classes exported here.
 */
import lint from './commands/lint';
import type { CliCommand } from './command';

export const commands: readonly CliCommand[] = [lint];
export { CliError } from './command';
export { UsageError } from './args';
export { serveLintThread } from './lint-threads';
