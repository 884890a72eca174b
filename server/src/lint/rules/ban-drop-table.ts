import type { Rule } from '../types';
import { bodyRange } from '../../sql/clauses';
import { objectEffects, renderName } from '../../sql/objects';
import { tableCreatedEarlier } from '../created-in-migration';
import { createdByUp } from '../reversal';

/**
 * Dropping a table deletes its data for good and breaks every running app instance that still
 * queries it. A table created earlier in the same section, or one the down section drops to
 * reverse the up, is no finding.
 */
const rule: Rule = {
  id: 'ban-drop-table',
  defaultSeverity: 'warning',
  summary: 'Dropping a table loses its data and breaks application code that still uses it.',
  check(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const statement of section.statementsWithEmbedded) {
        for (const { action, object } of objectEffects(statement.node)) {
          if (action !== 'drop' || object.kind !== 'table') continue;
          if (tableCreatedEarlier(section, statement, object)) continue;
          if (section.kind === 'down' && createdByUp(unit, object)) continue;
          report({
            section,
            statement,
            ...bodyRange(statement),
            message: `Dropping table ${renderName(object)} deletes its rows for good and breaks application code that still queries it (ACCESS EXCLUSIVE lock, blocking reads and writes while it waits); remove every use of the table in a release first, keep a backup, then drop it in a later migration.`,
          });
        }
      }
    }
  },
};
export default rule;
