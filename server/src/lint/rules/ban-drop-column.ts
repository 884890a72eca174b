import type { AlterTableCmd, AlterTableStmt } from '@pgsql/types';
import type { Rule } from '../types';
import { qualifiedName } from '../../sql/names';

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
          if (section.kind === 'down' && unit.up && addsColumn(unit.up.statementsWithEmbedded, table, cmd.name)) continue;
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

function addsColumn(statements: import('../../sql/statements').Statement[], table: string, column: string): boolean {
  return statements.some((s) => {
    const alter = (s.node as { AlterTableStmt?: AlterTableStmt } | undefined)?.AlterTableStmt;
    if (!alter?.relation || qualifiedName(alter.relation) !== table) return false;
    return (alter.cmds ?? []).some((item) => {
      const cmd = (item as { AlterTableCmd?: AlterTableCmd }).AlterTableCmd;
      const def = (cmd?.def as { ColumnDef?: { colname?: string } } | undefined)?.ColumnDef;
      return cmd?.subtype === 'AT_AddColumn' && def?.colname === column;
    });
  });
}
export default rule;
