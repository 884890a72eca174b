import type { CliCommand } from '../command';
import { CliError } from '../command';

// Placeholder until the command is built; the table in main.ts already lists it.
const command: CliCommand = {
  name: 'verify',
  summary: '(not yet available)',
  usage: 'tidemark verify',
  flags: {},
  async run() {
    throw new CliError('tidemark verify is not available yet');
  },
};
export default command;
