/**
 * The `tidemark` command: a thin front end over the engine. Each command lives in commands/;
 * lint is listed here, the database commands in runner-commands.ts, which is loaded only when
 * one of them (or the full command list) is needed: CI runs `tidemark lint` cold, and compiling
 * pg, PGlite and the runner was a tenth of its start-up.
 */
import { parseArgs, UsageError } from './args';
import { CliError, type CliCommand, type Output } from './command';
import lint from './commands/lint';

type RunnerModule = typeof import('./runner-commands');
let runner: RunnerModule | undefined;

function loadRunner(): RunnerModule {
  // esbuild.mjs rewrites this path to the separate bundle dist/cli-runner.js.
  return (runner ??= require('./runner-commands') as RunnerModule);
}

/** Every command, in the order `tidemark --help` lists them. */
export function allCommands(): readonly CliCommand[] {
  return [lint, ...loadRunner().runnerCommands];
}

function findCommand(name: string | undefined): CliCommand | undefined {
  if (name === undefined) return undefined;
  if (name === lint.name) return lint;
  return allCommands().find((c) => c.name === name);
}

function isUsageError(error: unknown): error is Error {
  return error instanceof UsageError || (runner !== undefined && error instanceof runner.UsageError);
}

function isCliError(error: unknown): error is CliError {
  return error instanceof CliError || (runner !== undefined && error instanceof runner.CliError);
}

function helpText(): string {
  const commands = allCommands();
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: tidemark <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options for every command: --cwd DIR, --config FILE, --env NAME, --format text|json|sarif',
    'Run "tidemark <command> --help" for a command\'s own options.',
  ].join('\n');
}

export async function runCli(argv: string[], out: Output): Promise<number> {
  try {
    const args = parseArgs(argv, (name) => findCommand(name)?.flags);
    const command = findCommand(args.command);
    if (!args.command || (args.flags.get('help') && !command)) {
      out.stdout(helpText() + '\n');
      return args.command || args.flags.get('help') ? 0 : 2;
    }
    if (!command) throw new UsageError(`unknown command "${args.command}"; commands: ${allCommands().map((c) => c.name).join(', ')}`);
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
