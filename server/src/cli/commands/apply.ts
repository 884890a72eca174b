import { applyMigrations } from '../../runner/apply';
import { runCommand } from '../runner-front';

export default runCommand({
  name: 'apply',
  summary: 'Apply pending migrations (all, or up to --to VERSION), verifying each after it',
  description: [
    'Each migration runs in one transaction with its history row; one holding statements that cannot run in a',
    'transaction (CREATE INDEX CONCURRENTLY, VACUUM...) or -- tidemark:no-transaction runs statement by statement and',
    'resumes at the failed statement on the next apply. Protected environments need --confirm NAME.',
  ],
  run: applyMigrations,
});
