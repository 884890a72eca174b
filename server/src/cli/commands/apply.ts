import { applyMigrations } from '../../runner/apply';
import { UsageError } from '../args';
import { runCommand } from '../runner-front';
import { COMMAND_SUMMARIES } from '../command-summaries';

export default runCommand({
  name: 'apply',
  summary: COMMAND_SUMMARIES.apply,
  description: [
    'Each migration runs in one transaction with its history row; one holding statements that cannot run in a',
    'transaction (CREATE INDEX CONCURRENTLY, VACUUM...) or -- tidemark:no-transaction runs statement by statement and',
    'resumes at the failed statement on the next apply. Protected environments need --confirm NAME.',
    'Apply stops before a migration waiting on its -- tidemark:soak time or on an approval (tidemark approve);',
    '--ignore-soak --confirm ENV --reason TEXT goes past soak times and records an ignore-soak event with the reason.',
  ],
  usage: ' [--ignore-soak --reason TEXT]',
  flags: { 'ignore-soak': 'switch', reason: 'value' },
  options(args) {
    const reason = args.flags.get('reason') as string | undefined;
    if (!args.flags.has('ignore-soak')) {
      if (reason !== undefined) throw new UsageError('--reason is only for --ignore-soak');
      return {};
    }
    if (!reason?.trim()) throw new UsageError('--ignore-soak needs --reason TEXT: it is recorded in the history');
    return { ignoreSoak: { reason } };
  },
  run: applyMigrations,
});
