import { verifyMigrations } from '../../runner/verify';
import { runCommand } from '../runner-front';
import { COMMAND_SUMMARIES } from '../command-summaries';

export default runCommand({
  name: 'verify',
  summary: COMMAND_SUMMARIES.verify,
  description: ['Verifies every applied migration with a verify section, up to --to VERSION.'],
  run: verifyMigrations,
});
