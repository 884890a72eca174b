import { applyMigrations } from '../../runner/apply';
import type { CliCommand } from '../command';
import { asCliErrors, openProject, printReport, requireTextOrJson, RUN_FLAGS } from '../runner-front';

const command: CliCommand = {
  name: 'apply',
  summary: 'Apply pending migrations (all, or up to --to VERSION), verifying each after it',
  usage: [
    'tidemark apply [--env NAME] [--to VERSION] [--confirm NAME] [--format text|json] [--cwd DIR] [--config FILE]',
    '',
    'Each migration runs in one transaction with its history row; one holding statements that cannot run in a',
    'transaction (CREATE INDEX CONCURRENTLY, VACUUM...) or -- tidemark:no-transaction runs statement by statement and',
    'resumes at the failed statement on the next apply. Protected environments need --confirm NAME.',
    'Exit code: 0 when every step succeeded, 1 when one failed, 2 for bad input (config, environment, connection).',
  ].join('\n'),
  flags: { ...RUN_FLAGS },
  async run(args, out) {
    const format = requireTextOrJson(args);
    const project = openProject(args);
    const report = await asCliErrors(() =>
      applyMigrations(project, args.common.env, {
        toVersion: args.flags.get('to') as string | undefined,
        confirm: args.flags.get('confirm') as string | undefined,
        progress: format === 'text' ? (message) => out.stderr(`${message}\n`) : undefined,
      }),
    );
    return printReport(project, report, format, out);
  },
};
export default command;
