import type { Rule } from '../types';
import { qualifiedName } from '../../sql/names';
import { tableCreatedEarlier } from '../created-in-migration';
import { renameClauseRange, renameOf, undoesUpRename } from '../renames';

/**
 * A rename takes effect the moment the migration commits, while app instances deployed before it
 * still use the old name: every one of their queries on that column fails until they are replaced.
 */
const rule: Rule = {
  id: 'renaming-column',
  defaultSeverity: 'warning',
  summary: 'Renaming a column breaks application code that still uses the old name.',
  lint(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const statement of section.statementsWithEmbedded) {
        const rename = renameOf(statement);
        if (rename?.renameType !== 'OBJECT_COLUMN' || !rename.relation || rename.relationType !== 'OBJECT_TABLE') continue;
        if (tableCreatedEarlier(section, statement, rename.relation) || undoesUpRename(unit, section, statement)) continue;
        const table = qualifiedName(rename.relation);
        report({
          section,
          statement,
          ...renameClauseRange(statement, rename),
          message: `Renaming column ${rename.subname} of ${table} to ${rename.newname} breaks every running app instance that still uses "${rename.subname}" the moment this commits; add ${rename.newname} as a new column, write to both and backfill, move readers over, then drop ${rename.subname} in a later migration.`,
        });
      }
    }
  },
};
export default rule;
