import assert from 'node:assert/strict';
import { renderHistory, renderPlanReport } from '../../../client/src/reports';

describe('client reports', () => {
  it('lists the locks each migration of a plan takes, strongest first', () => {
    const text = renderPlanReport({
      environment: 'staging',
      summary: 'Planned 1 migration on staging; rolled back.',
      steps: [
        {
          version: '004',
          name: 'add_email',
          action: 'plan',
          outcome: 'ok',
          durationMs: 12,
          locks: [
            { relation: 'public.accounts', mode: 'RowExclusiveLock', statement: 'UPDATE accounts SET x = 1' },
            { relation: 'public.events', mode: 'ShareUpdateExclusiveLock', statement: 'CREATE INDEX CONCURRENTLY ON events (at)' },
            { relation: 'public.users', mode: 'AccessExclusiveLock', statement: 'ALTER TABLE users\n  ADD COLUMN email text' },
          ],
        },
      ],
    });
    assert.match(text, /^# Plan for staging \(dry run, rolled back\)/);
    const users = text.indexOf('`public.users` | **AccessExclusiveLock** | `ALTER TABLE users ADD COLUMN email text`');
    const events = text.indexOf('`public.events` | ShareUpdateExclusiveLock |');
    const accounts = text.indexOf('`public.accounts` | RowExclusiveLock |');
    assert.ok(users > 0 && events > users && accounts > events, text);
  });

  it("shows a plan's failure with its position in the file", () => {
    const text = renderPlanReport({
      environment: 'sandbox',
      summary: 'Plan failed at 002.',
      steps: [],
      failure: {
        version: '002',
        file: '/p/migrations/002_x.sql',
        line: 4,
        character: 2,
        statement: 'ALTER TABLE nope ADD COLUMN a int',
        message: 'relation "nope" does not exist',
      },
    });
    assert.match(text, /\/p\/migrations\/002_x\.sql:5:3/);
    assert.match(text, /relation "nope" does not exist/);
  });

  it('renders history events as a table, failures in bold, pipes escaped', () => {
    const text = renderHistory('local', [
      { version: '001', kind: 'apply', actor: 'ana', clientHost: 'laptop', at: '2026-11-26T10:00:00Z', durationMs: 40 },
      { version: '002', kind: 'fail', actor: 'ana', clientHost: 'laptop', at: '2026-11-26T10:01:00Z', message: 'syntax error at "|"' },
    ]);
    assert.match(text, /\| 2026-11-26 10:00:00 \| apply \| 001 \| ana \| laptop \| 40 ms \|/);
    assert.match(text, /\| \*\*fail\*\* \| 002 .*syntax error at "\\\|"/);
    assert.match(renderHistory('local', []), /No events recorded yet/);
  });
});
