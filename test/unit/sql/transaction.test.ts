import assert from 'node:assert/strict';
import { ensureParser, parseStatements } from '../../support/parse';
import { transactionIncompatibility, transactionControl } from '../../../server/src/sql/transaction';

const judge = (sql: string) => parseStatements(sql).map((s) => transactionIncompatibility(s.node));

describe('sql/transaction: statements that cannot run in a transaction block', () => {
  before(ensureParser);

  it('names each statement PostgreSQL refuses inside a transaction', () => {
    assert.deepEqual(
      judge(`CREATE INDEX CONCURRENTLY i ON t (a);
DROP INDEX CONCURRENTLY IF EXISTS i;
REINDEX INDEX CONCURRENTLY i;
VACUUM (ANALYZE) t;
ALTER SYSTEM SET work_mem = '64MB';
CREATE DATABASE x;
ALTER TABLE p DETACH PARTITION c CONCURRENTLY;`),
      [
        'CREATE INDEX CONCURRENTLY',
        'DROP INDEX CONCURRENTLY',
        'REINDEX CONCURRENTLY',
        'VACUUM',
        'ALTER SYSTEM',
        'CREATE DATABASE',
        'ALTER TABLE ... DETACH PARTITION CONCURRENTLY',
      ],
    );
  });

  it('leaves ordinary DDL, plain index builds and ANALYZE alone', () => {
    assert.deepEqual(judge('CREATE INDEX i ON t (a); ANALYZE t; REINDEX INDEX i; DROP INDEX i; ALTER TABLE p DETACH PARTITION c;'), [
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('recognises transaction control written into a migration', () => {
    assert.deepEqual(
      parseStatements('BEGIN; COMMIT; ROLLBACK; SELECT 1;').map((s) => transactionControl(s.node)),
      ['BEGIN', 'COMMIT', 'ROLLBACK', undefined],
    );
  });
});
