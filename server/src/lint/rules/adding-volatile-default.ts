import type { LintUnit, ParsedSection, Rule } from '../types';
import { qualifiedName } from '../../sql/names';
import { declaredVolatility, defaultVolatility, type DeclaredVolatility } from '../../sql/volatility';
import { columnsAddedToExistingTables } from '../added-columns';
import { earlierUpSections } from '../earlier-migrations';
import { runsInMigration } from '../reversal';

const SERIAL_TYPES = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);

/**
 * Since PostgreSQL 11, ADD COLUMN with a constant (or stable) DEFAULT stores the value once in the
 * catalog and returns at once. A volatile default — gen_random_uuid(), clock_timestamp(), a
 * sequence (serial, identity), a user function not declared STABLE or IMMUTABLE — must be
 * computed for every existing row: the whole table is rewritten under ACCESS EXCLUSIVE, reads
 * and writes blocked for as long as that takes.
 */
const rule: Rule = {
  id: 'adding-volatile-default',
  defaultSeverity: 'warning',
  summary: 'ADD COLUMN with a volatile default (gen_random_uuid(), serial, identity...) rewrites an existing table under ACCESS EXCLUSIVE.',
  readsEarlierMigrations: true,
  lint(unit, report) {
    let declared: DeclaredVolatility | undefined;
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const { command, def, constraints } of columnsAddedToExistingTables(section)) {
        const { statement, alter } = command;
        const typeNames = (def.typeName?.names ?? []).map((n) => (n as { String?: { sval?: string } }).String?.sval ?? '');
        const table = qualifiedName(alter.relation!);
        let cause: string | undefined;
        let certain = true;
        if (SERIAL_TYPES.has(typeNames[typeNames.length - 1] ?? '')) cause = `a ${typeNames[typeNames.length - 1]} column takes a value from its sequence for every row`;
        else if (constraints.some((c) => c.contype === 'CONSTR_IDENTITY')) cause = 'an identity column takes a value from its sequence for every row';
        else {
          const expr = constraints.find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr ?? def.raw_default;
          if (!expr) continue;
          declared ??= declaredIn(unit);
          const verdict = defaultVolatility(expr, declared);
          if (!verdict) continue;
          certain = verdict.verdict === 'volatile';
          cause = certain
            ? `DEFAULT ${verdict.call} is volatile, so it is computed for every existing row`
            : `DEFAULT ${verdict.call} calls a function Tidemark cannot see the definition of: if it is VOLATILE (the default for CREATE FUNCTION) it is computed for every existing row`;
        }
        report({
          section,
          statement,
          ...command.range,
          message: `Adding column ${def.colname} to existing table ${table} ${certain ? 'rewrites' : 'may rewrite'} the whole table under ACCESS EXCLUSIVE, blocking reads and writes until it ends: ${cause}. Add the column without the default, then SET DEFAULT (new rows), then fill existing rows in batches.`,
        });
      }
    }
  },
};

/** CREATE FUNCTION declarations of this migration's up and of the migrations before it (last one wins). */
function declaredIn(unit: LintUnit): DeclaredVolatility {
  const found = new Map<string, 'v' | 's' | 'i'>();
  const read = (section: ParsedSection | undefined) => {
    for (const statement of section?.statementsWithEmbedded ?? []) {
      if (!runsInMigration(statement)) continue;
      const declaration = declaredVolatility(statement.node);
      if (declaration) found.set(declaration.name, declaration.volatility);
    }
  };
  for (const earlier of earlierUpSections(unit)) read(earlier);
  read(unit.up);
  return (name) => found.get(name);
}

export default rule;
