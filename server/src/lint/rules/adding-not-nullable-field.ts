import type { AlterTableStmt, Constraint } from '@pgsql/types';
import type { ParsedSection, Rule } from '../types';
import type { Statement } from '../../sql/statements';
import { qualifiedName, quoteIdentifier } from '../../sql/names';
import { alterTableCommands } from '../alter-table-commands';
import { positionInSection, tableCreatedEarlier } from '../created-in-migration';
import { relationName, sameName, type QualifiedName } from '../../sql/objects';
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
  lint(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const command of alterTableCommands(section)) {
        const { statement, alter, cmd } = command;
        if (cmd.subtype !== 'AT_SetNotNull' || !cmd.name) continue;
        if (tableCreatedEarlier(section, statement, alter.relation!)) continue;
        if (provenNotNull(section, statement, alter, cmd.name)) continue;
        const table = qualifiedName(alter.relation!);
        const name = cmd.name;
        report({
          section,
          statement,
          ...command.range,
          message: `Setting column ${cmd.name} of existing table ${table} NOT NULL scans every row under an ACCESS EXCLUSIVE lock, blocking reads and writes for the whole scan; add CHECK (${cmd.name} IS NOT NULL) NOT VALID, VALIDATE it (a SHARE UPDATE EXCLUSIVE lock that lets reads and writes through), then SET NOT NULL, which uses the constraint instead of scanning.`,
          fixes: () => {
            const written = tableAsWritten(section.file.text, command);
            const column = quoteIdentifier(name);
            const check = quoteIdentifier(constraintName(name, 'not_null'));
            const edits = replaceCommandWithStatements(section.file.text, command, [
              `ALTER TABLE ${written} ADD CONSTRAINT ${check} CHECK (${column} IS NOT NULL) NOT VALID`,
              `ALTER TABLE ${written} VALIDATE CONSTRAINT ${check}`,
              `ALTER TABLE ${written} ALTER COLUMN ${column} SET NOT NULL`,
              `ALTER TABLE ${written} DROP CONSTRAINT ${check}`,
            ]);
            return edits ? [{ title: `Set ${name} NOT NULL through a validated CHECK constraint`, edits, preferred: true }] : [];
          },
        });
      }
    }
  },
};

interface NotNullProof {
  table: QualifiedName;
  column: string;
  /** Position of the statement from which the CHECK is valid. */
  position: number;
}

const proofCache = new WeakMap<ParsedSection, NotNullProof[]>();

/** The CHECK (col IS NOT NULL) constraints of a section, each from where it is valid: added valid, or VALIDATEd. */
function notNullProofs(section: ParsedSection): NotNullProof[] {
  let proofs = proofCache.get(section);
  if (proofs) return proofs;
  proofs = [];
  const pending = new Map<string, Omit<NotNullProof, 'position'>>();
  for (const { statement, alter, cmd } of alterTableCommands(section)) {
    const table = relationName(alter.relation);
    const position = positionInSection(section, statement);
    if (cmd.subtype === 'AT_ValidateConstraint' && cmd.name) {
      const proof = pending.get(`${table.name}:${cmd.name}`);
      if (proof && sameName(proof.table, table)) proofs.push({ ...proof, position });
      continue;
    }
    const con = (cmd.def as { Constraint?: Constraint } | undefined)?.Constraint;
    if (cmd.subtype !== 'AT_AddConstraint' || con?.contype !== 'CONSTR_CHECK') continue;
    const column = notNullColumn(con);
    if (!column) continue;
    if (!con.skip_validation) proofs.push({ table, column, position });
    else if (con.conname) pending.set(`${table.name}:${con.conname}`, { table, column });
  }
  proofCache.set(section, proofs);
  return proofs;
}

/** A CHECK (column IS NOT NULL) on the table, valid by `statement`: SET NOT NULL then skips the scan. */
function provenNotNull(section: ParsedSection, statement: Statement, alter: AlterTableStmt, column: string): boolean {
  const position = positionInSection(section, statement);
  const table = relationName(alter.relation);
  return notNullProofs(section).some((p) => p.column === column && p.position < position && sameName(p.table, table));
}

/** The column of `CHECK (column IS NOT NULL)`, or undefined for any other check. */
function notNullColumn(con: Constraint): string | undefined {
  const test = (con.raw_expr as { NullTest?: { nulltesttype?: string; arg?: { ColumnRef?: { fields?: unknown[] } } } } | undefined)?.NullTest;
  const fields = test?.arg?.ColumnRef?.fields ?? [];
  const last = (fields[fields.length - 1] as { String?: { sval?: string } } | undefined)?.String?.sval;
  return test?.nulltesttype === 'IS_NOT_NULL' ? last : undefined;
}
export default rule;
