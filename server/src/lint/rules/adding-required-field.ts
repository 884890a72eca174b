import type { ColumnDef } from '@pgsql/types';
import type { Rule } from '../types';
import { qualifiedName } from '../../sql/names';
import { columnsAddedToExistingTables } from '../added-columns';

// Types whose columns get a default from a sequence.
const SERIAL_TYPES = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);

/**
 * ADD COLUMN ... NOT NULL without a DEFAULT fills existing rows with NULL, so it fails on the
 * first row ("column contains null values") — the migration works on an empty development
 * database and breaks in production.
 */
const rule: Rule = {
  id: 'adding-required-field',
  defaultSeverity: 'error',
  summary: 'Adding a NOT NULL column without a DEFAULT fails on a table that has rows.',
  lint(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const { command, def, constraints } of columnsAddedToExistingTables(section)) {
        const { statement, alter } = command;
        const types = constraints.map((c) => c.contype);
        const required = types.includes('CONSTR_NOTNULL') || types.includes('CONSTR_PRIMARY');
        // DEFAULT NULL fills nothing: the NOT NULL still fails on the first row.
        const filled =
          def.raw_default !== undefined ||
          constraints.some((c) => (c.contype === 'CONSTR_DEFAULT' && !isNullConstant(c.raw_expr)) || c.contype === 'CONSTR_IDENTITY' || c.contype === 'CONSTR_GENERATED') ||
          SERIAL_TYPES.has(lastName(def));
        if (!required || filled) continue;
        const table = qualifiedName(alter.relation!);
        report({
          section,
          statement,
          ...command.range,
          message: `Adding NOT NULL column ${def.colname} without a DEFAULT to existing table ${table} fails as soon as the table has a row ("column contains null values"); give it a constant DEFAULT (PostgreSQL 11+ adds it without rewriting the table), or add it nullable, backfill it in batches and then set NOT NULL with a validated CHECK constraint.`,
        });
      }
    }
  },
};

function isNullConstant(expr: unknown): boolean {
  return (expr as { A_Const?: { isnull?: boolean } } | undefined)?.A_Const?.isnull === true;
}

function lastName(def: ColumnDef): string {
  const names = def.typeName?.names ?? [];
  return (names[names.length - 1] as { String?: { sval?: string } } | undefined)?.String?.sval ?? '';
}
export default rule;
