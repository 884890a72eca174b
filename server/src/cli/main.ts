/**
 * The `tidemark` command: a thin front end over the engine. Each command lives in commands/ and
 * is bundled with what it needs: lint in lint-commands.ts, the database commands in
 * runner-commands.ts. This file only parses arguments and loads the one bundle the command needs
 * (both for the full command list): CI runs `tidemark lint` cold, and compiling pg, PGlite and
 * the runner was a tenth of its start-up; `tidemark status` compiling the lint engine and starting
 * a second copy of the WASM parser was a sixth of its own.
 */
import { parseArgs, UsageError } from './args';
import type { CliCommand, CliError, Output } from './command';
import { recordedLintRun } from './lint-options';
import { COMMAND_SUMMARIES } from './command-summaries';

/** What each command bundle exports: its commands and its own copies of the error classes. */
interface CommandBundle {
  readonly commands: readonly CliCommand[];
  readonly CliError: new (...args: never[]) => CliError;
  readonly UsageError: new (...args: never[]) => UsageError;
}

// esbuild.mjs rewrites these paths to the separate bundles dist/cli-lint.js, dist/cli-runner.js and dist/cli-check.js.
// Typed as the modules themselves, so the compiler checks that each exports a CommandBundle.
/* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand: each command loads only its own bundle */
const bundleLoaders = {
  lint: (): CommandBundle => require('./lint-commands') as typeof import('./lint-commands'),
  runner: (): CommandBundle => require('./runner-commands') as typeof import('./runner-commands'),
  check: (): CommandBundle => require('./check-commands') as typeof import('./check-commands'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

const loaded = new Map<keyof typeof bundleLoaders, CommandBundle>();

function bundle(kind: keyof typeof bundleLoaders): CommandBundle {
  let found = loaded.get(kind);
  if (!found) loaded.set(kind, (found = bundleLoaders[kind]()));
  return found;
}

/** Every command, in the order `tidemark --help` lists them. */
export function allCommands(): readonly CliCommand[] {
  return [...bundle('lint').commands, ...bundle('runner').commands, ...bundle('check').commands];
}

function findCommand(name: string | undefined): CliCommand | undefined {
  // A name help does not list loads no bundle to find out.
  if (name === undefined || !Object.hasOwn(COMMAND_SUMMARIES, name)) return undefined;
  // Only lint lives in the lint bundle and check in the check bundle: any other name is looked up among the database commands.
  return bundle(name === 'lint' ? 'lint' : name === 'check' ? 'check' : 'runner').commands.find((c) => c.name === name);
}

function isUsageError(error: unknown): error is Error {
  return error instanceof UsageError || [...loaded.values()].some((b) => error instanceof b.UsageError);
}

function isCliError(error: unknown): error is CliError {
  return [...loaded.values()].some((b) => error instanceof b.CliError);
}

/** From the list of summaries: help loads no command bundle. */
function helpText(): string {
  const commands = Object.entries(COMMAND_SUMMARIES);
  const width = Math.max(...commands.map(([name]) => name.length));
  return [
    'Usage: tidemark <command> [options]',
    '',
    'Commands:',
    ...commands.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`),
    '',
    'Options for every command: --cwd DIR, --config FILE, --env NAME, --format text|json|sarif',
    'Run "tidemark <command> --help" for a command\'s own options.',
  ].join('\n');
}

export async function runCli(argv: string[], out: Output): Promise<number> {
  try {
    // `lint --cache` re-run on an unchanged tree: answered before the lint bundle is even loaded.
    const recorded = argv[0] === 'lint' ? recordedLintRun(argv) : undefined;
    if (recorded) {
      if (recorded.stderr) out.stderr(recorded.stderr);
      out.stdout(recorded.stdout);
      return recorded.exitCode;
    }
    const args = parseArgs(argv, (name) => findCommand(name)?.flags);
    const command = findCommand(args.command);
    if (!args.command || (args.flags.get('help') && !command)) {
      out.stdout(helpText() + '\n');
      return args.command || args.flags.get('help') ? 0 : 2;
    }
    if (!command) throw new UsageError(`unknown command "${args.command}"; commands: ${Object.keys(COMMAND_SUMMARIES).join(', ')}`);
    if (args.flags.get('help')) {
      out.stdout(`${command.usage}\n`);
      return 0;
    }
    return await command.run(args, out);
  } catch (error) {
    if (isUsageError(error) || isCliError(error)) {
      out.stderr(`tidemark: ${error.message}\n`);
      return isCliError(error) ? error.exitCode : 2;
    }
    out.stderr(`tidemark: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 3;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  }).then((code) => {
    process.exitCode = code;
  });
}
