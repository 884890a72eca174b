import { rollbackMigrations } from '../../runner/rollback';
import { runCommand } from '../runner-front';
import { COMMAND_SUMMARIES } from '../command-summaries';

export default runCommand({
  name: 'rollback',
  summary: COMMAND_SUMMARIES.rollback,
  description: [
    'Runs down sections newest first, each in a transaction with the removal of its history row.',
    'Without --to only the newest migration is rolled back. Protected environments need --confirm NAME.',
  ],
  run: rollbackMigrations,
});
