import type { DeleteStmt, UpdateStmt } from '@pgsql/types';
import type { Rule } from '../types';
import { relationRange } from '../../sql/clauses';
import { qualifiedName } from '../../sql/names';
import { tableCreatedEarlier } from '../created-in-migration';

/**
 * One UPDATE or DELETE of a whole live table holds a row lock on every row until the migration
 * commits (blocking every concurrent writer of those rows), writes a new version of each row in
 * one go (table bloat, a burst of WAL, replica lag) and cannot be resumed when it fails.
 */
const rule: Rule = {
  id: 'unbatched-backfill',
  defaultSeverity: 'warning',
  summary: 'UPDATE or DELETE without WHERE on an existing table touches every row in one transaction.',
  lint(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const statement of section.statementsWithEmbedded) {
        const node = statement.node as { UpdateStmt?: UpdateStmt; DeleteStmt?: DeleteStmt } | undefined;
        const stmt = node?.UpdateStmt ?? node?.DeleteStmt;
        if (!stmt?.relation || stmt.whereClause) continue;
        if (tableCreatedEarlier(section, statement, stmt.relation)) continue;
        const verb = node?.UpdateStmt ? 'Updating' : 'Deleting';
        const table = qualifiedName(stmt.relation);
        const name = relationRange(statement, stmt.relation);
        report({
          section,
          statement,
          start: statement.start,
          end: name?.end ?? statement.end,
          message: `${verb} every row of existing table ${table} in one statement locks all its rows until the migration commits, blocking concurrent writes to them, and bloats the table and its replicas' WAL at once; backfill in batches (for example 1,000–10,000 rows by primary key range, each committed on its own) from a script or a no-transaction migration.`,
        });
      }
    }
  },
};
export default rule;
