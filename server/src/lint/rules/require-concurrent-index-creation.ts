import type { IndexStmt } from '@pgsql/types';
import type { Rule } from '../types';
import { relationRange, statementTokens } from '../../sql/clauses';
import { qualifiedName } from '../../sql/names';
import { findWord } from '../../sql/tokens';
import { tableCreatedEarlier } from '../created-in-migration';

/**
 * CREATE INDEX holds a SHARE lock on the table for the whole build: reads go on, every INSERT,
 * UPDATE and DELETE waits. CONCURRENTLY builds the index in passes that let writes through.
 */
const rule: Rule = {
  id: 'require-concurrent-index-creation',
  defaultSeverity: 'warning',
  summary: 'CREATE INDEX on an existing table without CONCURRENTLY blocks writes during the build.',
  lint(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const statement of section.statementsWithEmbedded) {
        const index = (statement.node as { IndexStmt?: IndexStmt } | undefined)?.IndexStmt;
        if (!index?.relation || index.concurrent) continue;
        // ON ONLY parent: the partitioned-table pattern, instant, and CONCURRENTLY is not allowed there.
        if (!index.relation.inh) continue;
        if (tableCreatedEarlier(section, statement, index.relation)) continue;
        const table = qualifiedName(index.relation);
        const tokens = statementTokens(statement);
        const keyword = findWord(tokens, 'index');
        const name = relationRange(statement, index.relation);
        const at = keyword >= 0 ? statement.start + tokens[keyword].end : undefined;
        report({
          section,
          statement,
          start: statement.start,
          end: name?.end ?? statement.end,
          message: `Creating index ${index.idxname ?? '(unnamed)'} on existing table ${table} without CONCURRENTLY holds a SHARE lock for the whole build, blocking every INSERT, UPDATE and DELETE on ${table}; use CREATE INDEX CONCURRENTLY (it cannot run in a transaction: Tidemark then runs the migration statement by statement).`,
          fixes:
            at === undefined || statement.embedding ? [] : [{ title: 'Create the index CONCURRENTLY', preferred: true, edits: [{ start: at, end: at, newText: ' CONCURRENTLY' }] }],
        });
      }
    }
  },
};
export default rule;
