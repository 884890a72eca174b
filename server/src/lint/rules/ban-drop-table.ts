import type { Rule } from '../types';
import { bodyRange, dropObjectRanges } from '../../sql/clauses';
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
  lint(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const statement of section.statementsWithEmbedded) {
        const effects = objectEffects(statement.node);
        // With several tables in one DROP, underline the name of each one flagged.
        const names = effects.length > 1 ? dropObjectRanges(statement, effects.length) : undefined;
        for (const [i, { action, object }] of effects.entries()) {
          if (action !== 'drop' || object.kind !== 'table') continue;
          if (tableCreatedEarlier(section, statement, object)) continue;
          if (section.kind === 'down' && createdByUp(unit, object)) continue;
          report({
            section,
            statement,
            ...(names?.[i] ?? bodyRange(statement)),
            message: `Dropping table ${renderName(object)} deletes its rows for good and breaks application code that still queries it (ACCESS EXCLUSIVE lock, blocking reads and writes while it waits); remove every use of the table in a release first, keep a backup, then drop it in a later migration.`,
          });
        }
      }
    }
  },
};
export default rule;
