import type { CliCommand } from '../command';
import { CliError } from '../command';

// Placeholder until the command is built; the table in main.ts already lists it.
const command: CliCommand = {
  name: 'plan',
  summary: '(not yet available)',
  usage: 'tidemark plan',
  flags: {},
  async run() {
    throw new CliError('tidemark plan is not available yet');
  },
};
export default command;
