import { planMigrations } from '../../runner/plan';
import { runCommand } from '../runner-front';

export default runCommand({
  name: 'plan',
  summary: 'Dry run: apply pending migrations in a transaction that is rolled back, showing the locks each statement takes',
  description: ['Reports per migration: errors, duration and the locks taken per relation (mode, relation, statement).'],
  run: planMigrations,
});
