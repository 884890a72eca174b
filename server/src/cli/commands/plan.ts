import { planMigrations } from '../../runner/plan';
import { runCommand } from '../runner-front';
import { COMMAND_SUMMARIES } from '../command-summaries';

export default runCommand({
  name: 'plan',
  summary: COMMAND_SUMMARIES.plan,
  description: ['Reports per migration: errors, duration and the locks taken per relation (mode, relation, statement).'],
  run: planMigrations,
});
