import type { AlterTableCmd, AlterTableStmt, Constraint } from '@pgsql/types';
import type { ParsedSection, Rule } from '../types';
import type { Statement } from '../../sql/statements';
import { qualifiedName, quoteIdentifier } from '../../sql/names';
import { alterTableCommands } from '../alter-table-commands';
import { tableCreatedEarlier } from '../created-in-migration';
import { relationName, sameName } from '../../sql/objects';
import { constraintName, replaceCommandWithStatements, tableAsWritten } from '../alter-table-fix';

/**
 * SET NOT NULL scans the whole table under ACCESS EXCLUSIVE lock to prove there is no NULL —
 * unless a validated CHECK (col IS NOT NULL) already proves it (PostgreSQL 12+), which can be
 * added NOT VALID and validated under a lock that lets reads and writes through.
 */
const rule: Rule = {
  id: 'adding-not-nullable-field',
  defaultSeverity: 'warning',
  summary: 'SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock.',
  check(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const command of alterTableCommands(section)) {
        const { statement, alter, cmd, range } = command;
        if (cmd.subtype !== 'AT_SetNotNull' || !cmd.name) continue;
        if (tableCreatedEarlier(section, statement, alter.relation!)) continue;
        if (provenNotNull(section, statement, alter, cmd.name)) continue;
        const table = qualifiedName(alter.relation!);
        const written = tableAsWritten(section.file.text, command);
        const column = quoteIdentifier(cmd.name);
        const check = quoteIdentifier(constraintName(cmd.name, 'not_null'));
        const edits = replaceCommandWithStatements(section.file.text, command, [
          `ALTER TABLE ${written} ADD CONSTRAINT ${check} CHECK (${column} IS NOT NULL) NOT VALID`,
          `ALTER TABLE ${written} VALIDATE CONSTRAINT ${check}`,
          `ALTER TABLE ${written} ALTER COLUMN ${column} SET NOT NULL`,
          `ALTER TABLE ${written} DROP CONSTRAINT ${check}`,
        ]);
        report({
          section,
          statement,
          ...range,
          message: `Setting column ${cmd.name} of existing table ${table} NOT NULL scans every row under an ACCESS EXCLUSIVE lock, blocking reads and writes for the whole scan; add CHECK (${cmd.name} IS NOT NULL) NOT VALID, VALIDATE it (a SHARE UPDATE EXCLUSIVE lock that lets reads and writes through), then SET NOT NULL, which uses the constraint instead of scanning.`,
          fixes: edits ? [{ title: `Set ${cmd.name} NOT NULL through a validated CHECK constraint`, edits, preferred: true }] : [],
        });
      }
    }
  },
};

/** A CHECK (column IS NOT NULL) on the table, valid by `statement`: SET NOT NULL then skips the scan. */
function provenNotNull(section: ParsedSection, statement: Statement, alter: AlterTableStmt, column: string): boolean {
  const position = section.statementsWithEmbedded.indexOf(statement);
  const valid = new Set<string>();
  const pending = new Set<string>();
  let unnamedValid = false;
  for (const s of section.statementsWithEmbedded.slice(0, position < 0 ? undefined : position)) {
    const a = (s.node as { AlterTableStmt?: AlterTableStmt } | undefined)?.AlterTableStmt;
    if (!a?.relation || !sameName(relationName(a.relation), relationName(alter.relation!))) continue;
    for (const item of a.cmds ?? []) {
      const c = (item as { AlterTableCmd?: AlterTableCmd }).AlterTableCmd;
      if (c?.subtype === 'AT_ValidateConstraint' && c.name && pending.has(c.name)) valid.add(c.name);
      const con = (c?.def as { Constraint?: Constraint } | undefined)?.Constraint;
      if (c?.subtype !== 'AT_AddConstraint' || con?.contype !== 'CONSTR_CHECK' || !checksNotNull(con, column)) continue;
      if (!con.skip_validation) {
        if (con.conname) valid.add(con.conname);
        else unnamedValid = true;
      } else if (con.conname) pending.add(con.conname);
    }
  }
  return unnamedValid || valid.size > 0;
}

function checksNotNull(con: Constraint, column: string): boolean {
  const test = (con.raw_expr as { NullTest?: { nulltesttype?: string; arg?: { ColumnRef?: { fields?: unknown[] } } } } | undefined)?.NullTest;
  const fields = test?.arg?.ColumnRef?.fields ?? [];
  const last = (fields[fields.length - 1] as { String?: { sval?: string } } | undefined)?.String?.sval;
  return test?.nulltesttype === 'IS_NOT_NULL' && last === column;
}
export default rule;
