import type { Rule } from '../types';
import { qualifiedName } from '../../sql/names';
import { relationName } from '../../sql/objects';
import { alterTableCommands } from '../alter-table-commands';
import { tableCreatedEarlier } from '../created-in-migration';
import { createdByUp } from '../reversal';

/**
 * Dropping a column breaks every running app instance that still selects or inserts it. In a
 * down section that reverses a column the up added, the drop is the rollback doing its job.
 */
const rule: Rule = {
  id: 'ban-drop-column',
  defaultSeverity: 'warning',
  summary: 'Dropping a column breaks application code that still reads or writes it.',
  lint(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const command of alterTableCommands(section)) {
        const { statement, alter, cmd } = command;
        if (cmd.subtype !== 'AT_DropColumn' || !cmd.name) continue;
        if (tableCreatedEarlier(section, statement, alter.relation!)) continue;
        // Judged column by column: one ALTER TABLE may drop a column the up added and one it did not.
        if (section.kind === 'down' && createdByUp(unit, { kind: 'column', name: cmd.name, table: relationName(alter.relation) })) continue;
        const table = qualifiedName(alter.relation!);
        report({
          section,
          statement,
          ...command.range,
          message: `Dropping column ${cmd.name} from ${table} breaks application code that still reads or writes it (SELECT *, INSERTs naming it, ORM models) and deletes its data; stop using the column in a release first, then drop it in a later migration.`,
        });
      }
    }
  },
};
export default rule;
