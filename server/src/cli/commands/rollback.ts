import { rollbackMigrations } from '../../runner/rollback';
import type { CliCommand } from '../command';
import { asCliErrors, openProject, printReport, requireTextOrJson, RUN_FLAGS } from '../runner-front';

const command: CliCommand = {
  name: 'rollback',
  summary: 'Roll back the newest migration, or every one newer than --to VERSION',
  usage: [
    'tidemark rollback [--env NAME] [--to VERSION] [--confirm NAME] [--format text|json] [--cwd DIR] [--config FILE]',
    '',
    'Runs down sections newest first, each in a transaction with the removal of its history row.',
    'Without --to only the newest migration is rolled back. Protected environments need --confirm NAME.',
    'Exit code: 0 when every step succeeded, 1 when one failed, 2 for bad input (config, environment, connection).',
  ].join('\n'),
  flags: { ...RUN_FLAGS },
  async run(args, out) {
    const format = requireTextOrJson(args);
    const project = openProject(args);
    const report = await asCliErrors(() =>
      rollbackMigrations(project, args.common.env, {
        toVersion: args.flags.get('to') as string | undefined,
        confirm: args.flags.get('confirm') as string | undefined,
        progress: format === 'text' ? (message) => out.stderr(`${message}\n`) : undefined,
      }),
    );
    return printReport(project, report, format, out);
  },
};
export default command;
