import { approveMigration } from '../../runner/approve';
import { UsageError } from '../args';
import type { CliCommand } from '../command';
import { asCliErrors, openProject, requireTextOrJson } from '../runner-front';
import { COMMAND_SUMMARIES } from '../command-summaries';

const command: CliCommand = {
  name: 'approve',
  summary: COMMAND_SUMMARIES.approve,
  usage: [
    'tidemark approve VERSION --env NAME --as NAME --reason TEXT [--format text|json] [--cwd DIR] [--config FILE]',
    '',
    'A migration with -- tidemark:requires-approval is applied to a protected environment only once it is approved',
    'there; an environment with "approvers" in tidemark.json needs an approval by one of them for every migration.',
    'The approval is for this version of the file: editing the migration afterwards needs a new one.',
  ].join('\n'),
  flags: { as: 'value', reason: 'value' },
  async run(args, out) {
    const format = requireTextOrJson(args);
    if (args.positionals.length !== 1) throw new UsageError('tidemark approve needs exactly one VERSION');
    if (!args.common.env) throw new UsageError('tidemark approve needs --env NAME: an approval is for one environment');
    const by = args.flags.get('as') as string | undefined;
    const reason = args.flags.get('reason') as string | undefined;
    if (!by) throw new UsageError('tidemark approve needs --as NAME: who approves');
    if (!reason) throw new UsageError('tidemark approve needs --reason TEXT: why it may be applied');
    const project = openProject(args);
    const report = await asCliErrors(() => approveMigration(project, args.common.env, args.positionals[0], by, reason));
    out.stdout(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${report.summary}\n`);
    return 0;
  },
};
export default command;
