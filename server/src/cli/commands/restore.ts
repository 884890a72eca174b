import { restoreSandbox } from '../../backup/restore-sandbox';
import { UsageError } from '../args';
import type { CliCommand } from '../command';
import { asCliErrors, openProject, requireTextOrJson } from '../runner-front';
import { COMMAND_SUMMARIES } from '../command-summaries';

const command: CliCommand = {
  name: 'restore',
  summary: COMMAND_SUMMARIES.restore,
  usage: [
    'tidemark restore FILE [--env NAME] [--format text|json] [--cwd DIR] [--config FILE]',
    '',
    'FILE is a backup written before an apply or rollback (backup in tidemark.json). The current data folder',
    'is kept beside it, renamed. A server environment is restored with the pg_restore command printed when its',
    'backup was taken. Exit code: 0 when restored, 2 for bad input (no such file, not a sandbox backup).',
  ].join('\n'),
  flags: {},
  async run(args, out) {
    const format = requireTextOrJson(args);
    if (args.positionals.length !== 1) throw new UsageError('tidemark restore takes one backup file, e.g. tidemark restore .tidemark/backups/sandbox-20261204-101500.tar.gz');
    const project = openProject(args);
    const report = await asCliErrors(() => restoreSandbox(project, args.common.env, args.positionals[0]));
    out.stdout(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${report.summary}\n`);
    return 0;
  },
};
export default command;
