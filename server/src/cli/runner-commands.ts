/**
 * The commands that open a database (status, apply, verify, rollback, plan) and `new`. esbuild
 * bundles this module on its own (dist/cli-runner.js) and main.ts requires it only when one of
 * them runs, so `tidemark lint` does not load and compile pg, PGlite and the runner (and these
 * commands do not load the lint engine, bundled in dist/cli-lint.js).
 *
 * The bundle carries its own copies of the error classes; main.ts recognises errors thrown by
 * these commands through the classes exported here.
 */
import status from './commands/status';
import apply from './commands/apply';
import verify from './commands/verify';
import rollback from './commands/rollback';
import plan from './commands/plan';
import create from './commands/new';
import adopt from './commands/adopt';
import mark from './commands/mark';
import history from './commands/history';
import restore from './commands/restore';
import approve from './commands/approve';
import type { CliCommand } from './command';

export const commands: readonly CliCommand[] = [status, apply, verify, rollback, plan, create, adopt, mark, history, restore, approve];
export { CliError } from './command';
export { UsageError } from './args';
