/**
 * Making a column NOT NULL without a long ACCESS EXCLUSIVE scan and without failing old writers:
 * expand adds CHECK (c IS NOT NULL) NOT VALID and a trigger that fills a NULL written by old code;
 * backfill fills the existing NULLs in batches; contract validates the check (reads and writes go
 * on), sets NOT NULL using it (no scan), drops the check and the trigger.
 */
import { derivedName, literal } from './sql-text';
import {
  backfillPhaseUp,
  backfillStatements,
  dropTrigger,
  expectation,
  guardedValidate,
  lockTimeout,
  notValidConstraint,
  q,
  regclass,
  rowTrigger,
  sqlList,
  triggerFunction,
} from './sql-blocks';
import type { Phase } from './phase-writer';
import { soakDirectives, type ChangeSettings } from './settings';
import type { ColumnUse, TableFacts } from './table-facts';
import { RunnerInputError } from '../database/environments';

export function setNotNullPhases(table: TableFacts, use: ColumnUse, fill: string, settings: ChangeSettings): Phase[] {
  const column = use.column.name;
  if (use.column.notNull) throw new RunnerInputError(`${table.sqlName}.${column} is already NOT NULL`);
  if (!table.primaryKey) throw new RunnerInputError(`${table.sqlName} has no single-column primary key: the backfill walks the table in batches of its primary key`);
  const T = table.sqlName;
  const c = q(column);
  const check = derivedName(`${table.table}_${column}`, '_not_null');
  const fn = derivedName(`${table.table}_fill_${column}`, '');
  const title = `Making ${T}.${column} NOT NULL (NULL becomes ${fill})`;
  const label = `${table.table}_${column}_not_null`;
  const createFill = [triggerFunction(table, fn, [`IF NEW.${c} IS NULL THEN`, `  NEW.${c} := ${fill};`, 'END IF;']), ...rowTrigger(table, fn, fn)];
  const backfill = backfillStatements(table, {
    procedure: derivedName(`${table.table}_backfill_${column}`, ''),
    set: `${c} = ${fill}`,
    pending: `${c} IS NULL`,
    label: `${table.table}.${column}`,
    batchSize: settings.batchSize,
  });
  const triggerExists = `SELECT count(*) FROM pg_trigger WHERE tgrelid = ${regclass(table)} AND tgname = ${literal(fn)}`;
  return [
    {
      role: 'expand',
      name: `expand_${label}`,
      notes: [
        `${title}, phase 1 of 3: EXPAND.`,
        `A CHECK (${column} IS NOT NULL) added NOT VALID holds for every new write; a trigger turns a NULL written`,
        'by code that does not know the rule yet into the fill value, so no writer fails.',
      ],
      directives: [],
      check: expectation(
        `${T}.${column} exists and is nullable`,
        1,
        `SELECT count(*) FROM pg_attribute WHERE attrelid = ${regclass(table)} AND attname = ${literal(column)} AND NOT attisdropped AND NOT attnotnull`,
      ),
      up: sqlList([lockTimeout(settings.lockTimeout, true), '', ...createFill, '', ...notValidConstraint(table, check, `CHECK (${c} IS NOT NULL)`)]),
      down: sqlList([lockTimeout(settings.lockTimeout, true), `ALTER TABLE ${T} DROP CONSTRAINT IF EXISTS ${q(check)};`, ...dropTrigger(table, fn, fn)]),
      verify: sqlList([
        expectation('the NOT VALID check is in place', 1, `SELECT count(*) FROM pg_constraint WHERE conrelid = ${regclass(table)} AND conname = ${literal(check)}`),
        expectation('the fill trigger is in place', 1, triggerExists),
      ]),
    },
    {
      role: 'backfill',
      name: `backfill_${label}`,
      notes: [
        `${title}, phase 2 of 3: BACKFILL.`,
        `Fills the existing NULLs, ${settings.batchSize} rows per batch with a COMMIT after each (NOTICEs report the progress);`,
        'stopped part-way, running it again fills only what is left.',
      ],
      directives: ['-- tidemark:no-transaction', ...soakDirectives('backfill', settings.soak)],
      check: expectation('the expand phase is applied: its fill trigger is in place', 1, triggerExists),
      up: backfillPhaseUp(settings.lockTimeout, backfill.up),
      down: sqlList(backfill.down),
      verify: expectation(`0 rows with ${column} NULL`, 0, `SELECT count(*) FROM ${T} WHERE ${c} IS NULL`),
    },
    {
      role: 'contract',
      name: `contract_${label}`,
      notes: [
        `${title}, phase 3 of 3: CONTRACT.`,
        'Validates the check (SHARE UPDATE EXCLUSIVE: reads and writes go on), sets NOT NULL using it (no scan under',
        'ACCESS EXCLUSIVE), then drops the check and the fill trigger. Apply once every deployed version writes a value.',
      ],
      directives: soakDirectives('contract', settings.soak),
      check: expectation(`0 rows with ${column} NULL (the backfill is applied)`, 0, `SELECT count(*) FROM ${T} WHERE ${c} IS NULL`),
      up: sqlList([
        lockTimeout(settings.lockTimeout, true),
        '',
        guardedValidate(table, check),
        `-- The CHECK (${column} IS NOT NULL) validated just above lets SET NOT NULL skip its scan (PostgreSQL 12+);`,
        '-- the rule cannot see a constraint that an earlier migration added.',
        '-- tidemark-ignore adding-not-nullable-field',
        `ALTER TABLE ${T} ALTER COLUMN ${c} SET NOT NULL;`,
        `ALTER TABLE ${T} DROP CONSTRAINT IF EXISTS ${q(check)};`,
        ...dropTrigger(table, fn, fn),
        '',
        `ANALYZE ${T};`,
      ]),
      down: sqlList([
        lockTimeout(settings.lockTimeout, true),
        `ALTER TABLE ${T} ALTER COLUMN ${c} DROP NOT NULL;`,
        ...notValidConstraint(table, check, `CHECK (${c} IS NOT NULL)`),
        ...createFill,
      ]),
      verify: sqlList([
        expectation(`${column} is NOT NULL`, 1, `SELECT count(*) FROM pg_attribute WHERE attrelid = ${regclass(table)} AND attname = ${literal(column)} AND attnotnull`),
        expectation(
          'the check and the fill trigger are gone',
          0,
          `SELECT (SELECT count(*) FROM pg_constraint WHERE conrelid = ${regclass(table)} AND conname = ${literal(check)}) + (${triggerExists})`,
        ),
      ]),
    },
  ];
}
