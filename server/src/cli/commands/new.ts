import { relative } from 'node:path';
import { scaffoldMigration } from '../../runner/scaffold';
import type { CliCommand } from '../command';
import { UsageError } from '../args';
import { asCliErrors, openProject } from '../runner-front';

const command: CliCommand = {
  name: 'new',
  summary: 'Create the next migration (up, down and verify parts) in the layout the project uses',
  usage: [
    'tidemark new NAME [--cwd DIR] [--config FILE]',
    '',
    'The layout follows the newest existing migration: one file with -- migrate:up/down/verify sections,',
    'NAME.up.sql/.down.sql/.verify.sql, rollback/ and verify/ folders, or Flyway V/U files. The version',
    'continues the existing numbering (counter width, timestamp or date_counter); 001 in an empty project.',
  ].join('\n'),
  flags: {},
  async run(args, out) {
    if (args.positionals.length !== 1) throw new UsageError('tidemark new needs exactly one NAME, e.g. tidemark new add_users_email');
    const project = openProject(args);
    const { files } = asCliErrors(() => scaffoldMigration(project, args.positionals[0]));
    if (args.common.format === 'json') out.stdout(`${JSON.stringify({ files: files.map((f) => relative(args.common.cwd, f) || f) })}\n`);
    else out.stdout(files.map((f) => `created ${relative(args.common.cwd, f) || f}\n`).join(''));
    return 0;
  },
};
export default command;
