/** `tidemark new` continues the project's numbering in its own style. */
import assert from 'node:assert/strict';
import { nextVersion } from '../../../server/src/runner/scaffold';
import { classifyFile } from '../../../server/src/migrations/version';
import type { Migration } from '../../../server/src/migrations/types';

const now = new Date('2026-11-26T13:45:07Z');
const last = (file: string) => {
  const info = classifyFile(file)!;
  return { version: info.version, versionKey: info.versionKey } as Migration;
};

describe('nextVersion', () => {
  it('starts at 001 in an empty project', () => assert.equal(nextVersion(undefined, now), '001'));
  it("keeps a counter's width", () => {
    assert.equal(nextVersion(last('009_x.sql'), now), '010');
    assert.equal(nextVersion(last('0099_x.up.sql'), now), '0100');
    assert.equal(nextVersion(last('999_x.sql'), now), '1000');
  });
  it('continues a timestamp with the current time', () => {
    assert.equal(nextVersion(last('20251026000001_x.sql'), now), '20261126134507');
  });
  it('adds one to a timestamp from the future rather than going back in time', () => {
    assert.equal(nextVersion(last('20991231235959_x.sql'), now), '20991231235960');
  });
  it('continues a date_counter version: next counter today, 001 on a new day', () => {
    assert.equal(nextVersion(last('20261126_004_x.sql'), now), '20261126_005');
    assert.equal(nextVersion(last('20251126_004_x.sql'), now), '20261126_001');
  });
  it('increments the last group of a Flyway version', () => {
    assert.equal(nextVersion(last('V1_2__x.sql'), now), '1.3');
  });
});
