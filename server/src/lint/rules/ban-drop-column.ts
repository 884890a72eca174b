import type { AlterTableCmd, AlterTableStmt } from '@pgsql/types';
import type { Rule } from '../types';
import { qualifiedName } from '../../sql/names';
import { createdByUp } from '../reversal';
import { relationName } from '../../sql/objects';

/**
 * Dropping a column breaks every running app instance that still selects or inserts it. In a
 * down section that reverses a column the up added, the drop is the rollback doing its job.
 */
const rule: Rule = {
  id: 'ban-drop-column',
  defaultSeverity: 'warning',
  summary: 'Dropping a column breaks application code that still reads or writes it.',
  check(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const statement of section.statementsWithEmbedded) {
        const alter = (statement.node as { AlterTableStmt?: AlterTableStmt } | undefined)?.AlterTableStmt;
        if (!alter?.relation) continue;
        const table = qualifiedName(alter.relation);
        for (const item of alter.cmds ?? []) {
          const cmd = (item as { AlterTableCmd?: AlterTableCmd }).AlterTableCmd;
          if (cmd?.subtype !== 'AT_DropColumn' || !cmd.name) continue;
          // Judged column by column: one ALTER TABLE may drop a column the up added and one it did not.
          if (section.kind === 'down' && createdByUp(unit, { kind: 'column', name: cmd.name, table: relationName(alter.relation) })) continue;
          report({
            section,
            statement,
            message: `Dropping column "${cmd.name}" from ${table} breaks application code that still reads or writes it; stop using the column in a release first, then drop it in a later migration.`,
          });
        }
      }
    }
  },
};

export default rule;
