import { planMigrations } from '../../runner/plan';
import type { CliCommand } from '../command';
import { asCliErrors, openProject, printReport, requireTextOrJson, RUN_FLAGS } from '../runner-front';

const command: CliCommand = {
  name: 'plan',
  summary: 'Dry run: apply pending migrations in a transaction that is rolled back, showing the locks each statement takes',
  usage: [
    'tidemark plan [--env NAME] [--to VERSION] [--confirm NAME] [--format text|json] [--cwd DIR] [--config FILE]',
    '',
    'Reports per migration: errors, duration and the locks taken per relation (mode, relation, statement).',
    'Exit code: 0 when every step succeeded, 1 when one failed, 2 for bad input (config, environment, connection).',
  ].join('\n'),
  flags: { ...RUN_FLAGS },
  async run(args, out) {
    const format = requireTextOrJson(args);
    const project = openProject(args);
    const report = await asCliErrors(() =>
      planMigrations(project, args.common.env, {
        toVersion: args.flags.get('to') as string | undefined,
        confirm: args.flags.get('confirm') as string | undefined,
        progress: format === 'text' ? (message) => out.stderr(`${message}\n`) : undefined,
      }),
    );
    return printReport(project, report, format, out);
  },
};
export default command;
