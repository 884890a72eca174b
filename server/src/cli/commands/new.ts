import { relative } from 'node:path';
import { scaffoldMigration } from '../../runner/scaffold';
import { CHANGE_KINDS, generateExpandContract, isChangeKind } from '../../expand-contract/generate';
import type { CliCommand } from '../command';
import { UsageError } from '../args';
import { asCliErrors, openProject } from '../runner-front';
import { COMMAND_SUMMARIES } from '../command-summaries';

const KIND_USAGE = Object.values(CHANGE_KINDS).map((k) => `  tidemark new --expand-contract ${k.usage}`);

const command: CliCommand = {
  name: 'new',
  summary: COMMAND_SUMMARIES.new,
  usage: [
    'tidemark new NAME [--cwd DIR] [--config FILE]',
    ...KIND_USAGE,
    '       [--batch-size N]',
    '',
    'The layout follows the newest existing migration: one file with -- migrate:up/down/verify sections,',
    'NAME.up.sql/.down.sql/.verify.sql, rollback/ and verify/ folders, or Flyway V/U files. The version',
    'continues the existing numbering (counter width, timestamp or date_counter); 001 in an empty project.',
    '',
    '--expand-contract writes three migrations (expand, backfill, contract; a table rename: expand,',
    'switch, contract) for a change made while old and new code run side by side. The table is read',
    "from the schema the project's migrations build. split-column and merge-columns take --first and",
    '--second (each part from the whole column) and --join (the whole from the parts). Soak times come',
    'from expandContract.soak in tidemark.json (defaults: 48h before the backfill; before the contract 48h, 7d in protected environments).',
  ].join('\n'),
  flags: { 'expand-contract': 'value', using: 'value', reverse: 'value', fill: 'value', first: 'value', second: 'value', join: 'value', 'batch-size': 'value' },
  async run(args, out) {
    const kind = args.flags.get('expand-contract') as string | undefined;
    const json = args.common.format === 'json';
    const show = (f: string) => relative(args.common.cwd, f) || f;
    if (kind !== undefined) {
      if (!isChangeKind(kind)) throw new UsageError(`--expand-contract takes one of ${Object.keys(CHANGE_KINDS).join(', ')}, not "${kind}"`);
      const batch = args.flags.get('batch-size') as string | undefined;
      if (batch !== undefined && !/^[1-9]\d*$/.test(batch)) throw new UsageError(`--batch-size must be a positive whole number, not "${batch}"`);
      openProject(args);
      const result = await asCliErrors(() =>
        generateExpandContract(args.common.cwd, args.common.config, {
          kind,
          args: args.positionals,
          using: args.flags.get('using') as string | undefined,
          reverse: args.flags.get('reverse') as string | undefined,
          fill: args.flags.get('fill') as string | undefined,
          first: args.flags.get('first') as string | undefined,
          second: args.flags.get('second') as string | undefined,
          join: args.flags.get('join') as string | undefined,
          batchSize: batch === undefined ? undefined : Number(batch),
        }),
      );
      if (json) out.stdout(`${JSON.stringify({ phases: result.phases.map((p) => ({ ...p, files: p.files.map(show) })), notes: result.notes }, null, 2)}\n`);
      else {
        for (const p of result.phases) out.stdout(p.files.map((f) => `created ${show(f)}  (${p.role})\n`).join(''));
        for (const n of result.notes) out.stdout(`note: ${n}\n`);
      }
      return 0;
    }
    for (const flag of ['using', 'reverse', 'fill', 'first', 'second', 'join', 'batch-size'])
      if (args.flags.has(flag)) throw new UsageError(`--${flag} is only for --expand-contract`);
    if (args.positionals.length !== 1) throw new UsageError('tidemark new needs exactly one NAME, e.g. tidemark new add_users_email');
    const project = openProject(args);
    const { files } = asCliErrors(() => scaffoldMigration(project, args.positionals[0]));
    if (json) out.stdout(`${JSON.stringify({ files: files.map(show) })}\n`);
    else out.stdout(files.map((f) => `created ${show(f)}\n`).join(''));
    return 0;
  },
};
export default command;
