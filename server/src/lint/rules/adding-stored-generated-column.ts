import type { Rule } from '../types';
import { qualifiedName } from '../../sql/names';
import { columnsAddedToExistingTables } from '../added-columns';

/**
 * GENERATED ALWAYS AS (...) STORED computes and stores the value for every existing row: adding
 * such a column rewrites the whole table under ACCESS EXCLUSIVE. (A VIRTUAL generated column,
 * PostgreSQL 18, is computed on read and adds instantly.)
 */
const rule: Rule = {
  id: 'adding-stored-generated-column',
  defaultSeverity: 'warning',
  summary: 'ADD COLUMN ... GENERATED ALWAYS AS (...) STORED rewrites an existing table under ACCESS EXCLUSIVE.',
  lint(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const { command, def, constraints } of columnsAddedToExistingTables(section)) {
        const { statement, alter } = command;
        const generated = constraints.find((c) => c.contype === 'CONSTR_GENERATED' && (c as { generated_kind?: string }).generated_kind !== 'v');
        if (!generated) continue;
        const table = qualifiedName(alter.relation!);
        report({
          section,
          statement,
          ...command.range,
          message: `Adding stored generated column ${def.colname} to existing table ${table} computes it for every row, rewriting the whole table under ACCESS EXCLUSIVE (reads and writes blocked until it ends). On a large table add a plain column filled by a trigger and backfilled in batches, or (PostgreSQL 18) make it VIRTUAL.`,
        });
      }
    }
  },
};
export default rule;
