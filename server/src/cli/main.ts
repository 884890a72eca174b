/**
 * The `tidemark` command: a thin front end over the engine. Each command lives in commands/ and
 * is listed once in the table below.
 */
import { parseArgs, UsageError } from './args';
import { CliError, type CliCommand, type Output } from './command';
import lint from './commands/lint';
import status from './commands/status';
import apply from './commands/apply';
import verify from './commands/verify';
import rollback from './commands/rollback';
import plan from './commands/plan';
import create from './commands/new';

export const commands: readonly CliCommand[] = [lint, status, apply, verify, rollback, plan, create];

function helpText(): string {
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
    const byName = (name: string | undefined) => commands.find((c) => c.name === name);
    const args = parseArgs(argv, (name) => byName(name)?.flags);
    const command = byName(args.command);
    if (!args.command || (args.flags.get('help') && !command)) {
      out.stdout(helpText() + '\n');
      return args.command || args.flags.get('help') ? 0 : 2;
    }
    if (!command) throw new UsageError(`unknown command "${args.command}"; commands: ${commands.map((c) => c.name).join(', ')}`);
    if (args.flags.get('help')) {
      out.stdout(`${command.usage}\n`);
      return 0;
    }
    return await command.run(args, out);
  } catch (error) {
    if (error instanceof UsageError || error instanceof CliError) {
      out.stderr(`tidemark: ${error.message}\n`);
      return error instanceof CliError ? error.exitCode : 2;
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
