import { markMigrations } from '../../adopt/mark';
import { UsageError } from '../args';
import type { CliCommand } from '../command';
import { asCliErrors, openProject, requireTextOrJson } from '../runner-front';
import { COMMAND_SUMMARIES } from '../command-summaries';

const command: CliCommand = {
  name: 'mark',
  summary: COMMAND_SUMMARIES.mark,
  usage: [
    'tidemark mark applied|pending VERSION... [--env NAME] [--reason TEXT] [--confirm NAME] [--format text|json] [--cwd DIR] [--config FILE]',
    '',
    'mark applied: a migration applied by hand (or a failed no-transaction one an operator finished); it needs a file.',
    'mark pending: remove the row of a migration an operator undid or cleaned up. Each writes an event with the reason,',
    "shown by history; the output names each version's state before the change. Protected environments need --confirm NAME.",
  ].join('\n'),
  flags: { reason: 'value', confirm: 'value' },
  async run(args, out) {
    const format = requireTextOrJson(args);
    const [mark, ...versions] = args.positionals;
    if (mark !== 'applied' && mark !== 'pending') throw new UsageError(`tidemark mark needs "applied" or "pending" first, then versions, not "${mark ?? ''}"`);
    if (versions.length === 0) throw new UsageError(`tidemark mark ${mark} needs at least one VERSION`);
    const project = openProject(args);
    const report = await asCliErrors(() =>
      markMigrations(project, args.common.env, mark, versions, {
        reason: args.flags.get('reason') as string | undefined,
        confirm: args.flags.get('confirm') as string | undefined,
        progress: format === 'text' ? (message) => out.stderr(`${message}\n`) : undefined,
      }),
    );
    for (const warning of report.warnings ?? []) out.stderr(`tidemark: warning: ${warning}\n`);
    if (format === 'json') out.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else out.stdout(`${[...report.changes.map((c) => `${c.version} ${c.name}: was ${c.before}; now ${c.after}`), report.summary].join('\n')}\n`);
    return 0;
  },
};
export default command;
