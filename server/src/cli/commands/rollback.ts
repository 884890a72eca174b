import { rollbackMigrations } from '../../runner/rollback';
import { runCommand } from '../runner-front';

export default runCommand({
  name: 'rollback',
  summary: 'Roll back the newest migration, or every one newer than --to VERSION',
  description: [
    'Runs down sections newest first, each in a transaction with the removal of its history row.',
    'Without --to only the newest migration is rolled back. Protected environments need --confirm NAME.',
  ],
  run: rollbackMigrations,
});
