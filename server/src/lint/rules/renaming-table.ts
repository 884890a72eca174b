import type { RangeVar, ViewStmt } from '@pgsql/types';
import type { ParsedSection, Rule } from '../types';
import type { Statement } from '../../sql/statements';
import { qualifiedName, quoteIdentifier } from '../../sql/names';
import { positionInSection, tableCreatedEarlier } from '../created-in-migration';
import { relationName, renderName, sameName } from '../../sql/objects';
import { insertAfter } from '../statement-rewrite';
import { renameClauseRange, renameOf, undoesUpRename } from '../renames';

/**
 * A renamed table disappears under its old name at commit, while app instances deployed before
 * the migration still query it by that name.
 */
const rule: Rule = {
  id: 'renaming-table',
  defaultSeverity: 'warning',
  summary: 'Renaming a table breaks application code that still uses the old name.',
  lint(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const statement of section.statementsWithEmbedded) {
        const rename = renameOf(statement);
        if (rename?.renameType !== 'OBJECT_TABLE' || !rename.relation) continue;
        if (tableCreatedEarlier(section, statement, rename.relation) || undoesUpRename(unit, section, statement)) continue;
        if (keepsOldNameAsView(section, statement, rename.relation)) continue;
        const table = qualifiedName(rename.relation);
        const renamed = rename.relation.schemaname ? `${quoteIdentifier(rename.relation.schemaname)}.${quoteIdentifier(rename.newname!)}` : quoteIdentifier(rename.newname!);
        report({
          section,
          statement,
          ...renameClauseRange(statement, rename),
          message: `Renaming table ${table} to ${rename.newname} breaks every running app instance that still queries ${table} the moment this commits; deploy code that works with both names first (for example through a view named ${rename.relation.relname} over the renamed table), or create the new table and migrate in steps.`,
          fixes: statement.embedding
            ? []
            : [
                {
                  title: `Keep ${table} as an updatable view over ${rename.newname}`,
                  edits: [insertAfter(section.file.text, statement, [`CREATE VIEW ${renderName(relationName(rename.relation))} AS SELECT * FROM ${renamed}`])],
                },
              ],
        });
      }
    }
  },
};
/** A later `CREATE VIEW old AS ...` keeps the old name working for code not yet redeployed. */
function keepsOldNameAsView(section: ParsedSection, statement: Statement, old: RangeVar): boolean {
  const position = positionInSection(section, statement);
  return section.statementsWithEmbedded.slice(position + 1).some((s) => {
    const view = (s.node as { ViewStmt?: ViewStmt } | undefined)?.ViewStmt;
    return !!view?.view && sameName(relationName(view.view), relationName(old));
  });
}
export default rule;
