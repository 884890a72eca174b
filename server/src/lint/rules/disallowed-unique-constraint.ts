import type { ColumnDef, Constraint } from '@pgsql/types';
import type { Fix, Rule } from '../types';
import { qualifiedName, quoteIdentifier, stringList } from '../../sql/names';
import { alterTableCommands, type AlterTableCommand } from '../alter-table-commands';
import { tableCreatedEarlier } from '../created-in-migration';
import { constraintName, tableAsWritten } from '../alter-table-fix';
import { insertBefore } from '../statement-rewrite';

/**
 * ADD UNIQUE / PRIMARY KEY builds its index while holding ACCESS EXCLUSIVE on the table. Built
 * first with CREATE UNIQUE INDEX CONCURRENTLY, the index becomes the constraint in an instant
 * with ADD CONSTRAINT ... USING INDEX.
 */
const rule: Rule = {
  id: 'disallowed-unique-constraint',
  defaultSeverity: 'warning',
  summary: 'Adding a UNIQUE or PRIMARY KEY constraint builds its index under an ACCESS EXCLUSIVE lock.',
  lint(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const command of alterTableCommands(section)) {
        const { statement, alter, cmd } = command;
        if (tableCreatedEarlier(section, statement, alter.relation!)) continue;
        const table = qualifiedName(alter.relation!);
        if (cmd.subtype === 'AT_AddConstraint') {
          const con = (cmd.def as { Constraint?: Constraint } | undefined)?.Constraint;
          if (!con || (con.contype !== 'CONSTR_UNIQUE' && con.contype !== 'CONSTR_PRIMARY') || con.indexname) continue;
          const kind = con.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE';
          report({
            section,
            statement,
            ...command.range,
            message: `Adding a ${kind} constraint to existing table ${table} builds its index under an ACCESS EXCLUSIVE lock, blocking reads and writes for the whole build; create the index with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... ${kind} USING INDEX, which is instant.`,
            fixes: () => usingIndexFix(section.file.text, command, con, kind),
          });
        } else if (cmd.subtype === 'AT_AddColumn') {
          const def = (cmd.def as { ColumnDef?: ColumnDef } | undefined)?.ColumnDef;
          const inline = (def?.constraints ?? []).map((c) => (c as { Constraint?: Constraint }).Constraint?.contype).find((t) => t === 'CONSTR_UNIQUE' || t === 'CONSTR_PRIMARY');
          if (!inline || !def?.colname) continue;
          const kind = inline === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE';
          report({
            section,
            statement,
            ...command.range,
            message: `Adding column ${def.colname} as ${kind} to existing table ${table} builds a unique index under an ACCESS EXCLUSIVE lock, blocking reads and writes for the whole build; add the column alone, create the index with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... ${kind} USING INDEX.`,
          });
        }
      }
    }
  },
};

function usingIndexFix(text: string, command: AlterTableCommand, con: Constraint, kind: string): Fix[] {
  // Storage options and tablespaces would need to move to the index: left to the author.
  if (command.statement.embedding || !command.ranges || con.options?.length || con.indexspace) return [];
  const keys = stringList(con.keys ?? []);
  if (keys.length === 0) return [];
  const relname = command.alter.relation!.relname ?? '';
  const name = quoteIdentifier(con.conname ?? (kind === 'PRIMARY KEY' ? constraintName(relname, 'pkey') : constraintName(relname, ...keys, 'key')));
  const table = tableAsWritten(text, command);
  const columns = keys.map(quoteIdentifier).join(', ');
  const include = con.including?.length ? ` INCLUDE (${stringList(con.including).map(quoteIdentifier).join(', ')})` : '';
  const nulls = con.nulls_not_distinct ? ' NULLS NOT DISTINCT' : '';
  const deferral = (con.deferrable ? ' DEFERRABLE' : '') + (con.initdeferred ? ' INITIALLY DEFERRED' : '');
  return [
    {
      title: `Build the index concurrently, then add the ${kind} constraint USING INDEX`,
      preferred: true,
      edits: [
        insertBefore(text, command.statement, [`CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ${name} ON ${table} (${columns})${include}${nulls}`]),
        { start: command.range.start, end: command.range.end, newText: `ADD CONSTRAINT ${name} ${kind} USING INDEX ${name}${deferral}` },
      ],
    },
  ];
}
export default rule;
