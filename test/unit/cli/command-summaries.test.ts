/**
 * `tidemark --help` lists the commands from COMMAND_SUMMARIES without loading their bundles: the
 * list must name every command, in the order the bundles hold them, each with its own summary.
 */
import assert from 'node:assert/strict';
import { allCommands } from '../../../server/src/cli/main';
import { COMMAND_SUMMARIES } from '../../../server/src/cli/command-summaries';

describe('command summaries (tidemark --help)', () => {
  it('name every command in the bundles, in order, with its summary', () => {
    assert.deepEqual(
      Object.entries(COMMAND_SUMMARIES),
      allCommands().map((c) => [c.name, c.summary]),
    );
  });
});
