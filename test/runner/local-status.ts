/** What the adopt and managed-environment suites ask of the `local` environment: its status, and a refusal's message. */
import assert from 'node:assert/strict';
import { RunnerInputError } from '../../server/src/database/environments';
import { getStatus } from '../../server/src/runner/status';
import type { Fixture } from './backends';

export async function status(f: Fixture, environment = 'local') {
  const [s] = await getStatus(f.project(), environment, f.options);
  assert.equal(s.error, undefined, s.error);
  return s;
}

/** The message of the RunnerInputError `work` is refused with; fails when it is not refused. */
export async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof RunnerInputError, String(error));
    return error.message;
  }
  assert.fail('expected a refusal');
}
