import { verifyMigrations } from '../../runner/verify';
import { runCommand } from '../runner-front';

export default runCommand({
  name: 'verify',
  summary: 'Run the verify sections of applied migrations (in a transaction that is rolled back)',
  description: ['Verifies every applied migration with a verify section, up to --to VERSION.'],
  run: verifyMigrations,
});
