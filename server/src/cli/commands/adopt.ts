import { adoptEnvironment } from '../../adopt/adopt';
import { FOREIGN_TOOLS } from '../../database/foreign-history';
import type { AdoptReport } from '../../protocol';
import type { CliCommand } from '../command';
import { asCliErrors, openProject, requireTextOrJson } from '../runner-front';
import { COMMAND_SUMMARIES } from '../command-summaries';

const command: CliCommand = {
  name: 'adopt',
  summary: COMMAND_SUMMARIES.adopt,
  usage: [
    'tidemark adopt [--env NAME] [--from TOOL|table:SCHEMA.TABLE] [--to VERSION] [--dry-run] [--skip-failed] [--confirm NAME] [--format text|json] [--cwd DIR] [--config FILE]',
    '',
    `TOOL: ${FOREIGN_TOOLS.filter((t) => t !== 'table').join(', ')}.`,
    "--from imports exactly the versions another tool's history table lists (with its applied times); without",
    '--from or --to, the one history table found is used. --to VERSION records every migration up to VERSION (a baseline).',
    "Rows keep the file's checksum and SQL as of adoption, so drift is detected from then on. Failed versions",
    '(golang-migrate dirty, Flyway success = false) and versions with no file are refused unless --skip-failed.',
    '--dry-run prints what would be recorded. Protected environments need --confirm NAME.',
  ].join('\n'),
  flags: { from: 'value', to: 'value', 'dry-run': 'switch', 'skip-failed': 'switch', confirm: 'value' },
  async run(args, out) {
    const format = requireTextOrJson(args);
    const project = openProject(args);
    const report = await asCliErrors(() =>
      adoptEnvironment(project, args.common.env, {
        from: args.flags.get('from') as string | undefined,
        to: args.flags.get('to') as string | undefined,
        dryRun: args.flags.get('dry-run') === true,
        skipFailed: args.flags.get('skip-failed') === true,
        confirm: args.flags.get('confirm') as string | undefined,
        progress: format === 'text' ? (message) => out.stderr(`${message}\n`) : undefined,
      }),
    );
    out.stdout(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : adoptText(report));
    return 0;
  },
};
export default command;

function adoptText(r: AdoptReport): string {
  const verb = r.dryRun ? 'would record' : 'recorded';
  const lines = r.recorded.map((m) => `${verb} ${m.version} ${m.name}${m.appliedAt ? ` (applied ${m.appliedAt})` : ''}`);
  for (const s of r.skipped) lines.push(`skipped ${s.version}: ${s.reason}`);
  lines.push(r.summary);
  return `${lines.join('\n')}\n`;
}
