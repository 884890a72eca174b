import type { CliCommand } from '../command';
import { CliError } from '../command';

// Placeholder until the command is built; the table in main.ts already lists it.
const command: CliCommand = {
  name: 'rollback',
  summary: '(not yet available)',
  usage: 'tidemark rollback',
  flags: {},
  async run() {
    throw new CliError('tidemark rollback is not available yet');
  },
};
export default command;
