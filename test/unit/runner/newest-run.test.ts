/** The one rule status and apply read for "out of order": which history row is the newest that ran. */
import assert from 'node:assert/strict';
import type { HistoryRow } from '../../../server/src/database/history';
import { migrationStates, newestRun } from '../../../server/src/runner/status';
import type { Migration } from '../../../server/src/migrations/types';
import { classifyFile } from '../../../server/src/migrations/version';

const row = (version: string, state: HistoryRow['state'], statementsDone = 0, statementStarted?: number): HistoryRow => ({
  version,
  name: `m${version}`,
  checksum: 'c',
  upSql: '',
  appliedAt: '2026-12-01T00:00:00Z',
  appliedBy: 'test',
  state,
  statementsDone,
  statementStarted,
});

const migration = (version: string) =>
  ({
    version,
    name: `m${version}`,
    versionKey: classifyFile(`${version}_m.sql`)!.versionKey,
    checksum: 'c',
    up: { file: { path: `/m/${version}.sql` } },
    blockedReasons: [],
  }) as unknown as Migration;

describe('newestRun: the newest version that ran, for out-of-order', () => {
  it('counts applied rows and failed rows that got past their start; not a failed row that changed nothing', () => {
    assert.equal(newestRun([row('001', 'applied'), row('003', 'failed', 2)])?.version, '003');
    assert.equal(newestRun([row('001', 'applied'), row('003', 'failed', 0, 1)])?.version, '003', 'a bare statement that may have run counts');
    assert.equal(newestRun([row('001', 'applied'), row('003', 'failed', 0)])?.version, '001');
    assert.equal(newestRun([row('003', 'failed', 0)]), undefined);
  });

  it('status marks a pending migration out-of-order exactly when it is older than newestRun', () => {
    const states = (rows: HistoryRow[]) => Object.fromEntries(migrationStates(['001', '002', '003'].map(migration), rows).map((m) => [m.version, m.state]));
    assert.deepEqual(states([row('001', 'applied'), row('003', 'failed', 2)]), { '001': 'applied', '002': 'out-of-order', '003': 'failed' });
    assert.deepEqual(states([row('001', 'applied'), row('003', 'failed', 0)]), { '001': 'applied', '002': 'pending', '003': 'failed' });
  });
});
