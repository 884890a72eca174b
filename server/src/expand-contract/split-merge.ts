/**
 * Splitting one column into two (`name` → `first_name`, `last_name`) and merging two into one,
 * as the same three phases as a rename: expand adds the new columns and a two-way trigger (code
 * writing the old columns and code writing the new ones run side by side, each value derived from
 * the other side by the user's expressions), backfill copies the rows written before in batches
 * and ends in 0 mismatched rows, contract drops the old columns. The user's expressions say how
 * the parts come from the whole (`--first`, `--second`) and the whole from the parts (`--join`).
 */
import { derivedName, literal } from './sql-text';
import { backfillPhaseUp, backfillStatements, dependentsQuery, dropTrigger, expectation, lockTimeout, q, regclass, rowTrigger, sqlList, triggerFunction } from './sql-blocks';
import type { Phase } from './phase-writer';
import { soakDirectives, type ChangeSettings } from './settings';
import type { ColumnUse, TableFacts } from './table-facts';
import { RunnerInputError } from '../database/environments';

/** A column derived from the other side's columns. */
export interface DerivedColumn {
  name: string;
  /** An expression over the other side's column names. */
  from: string;
}

export interface ColumnReshape {
  table: TableFacts;
  /** The columns written today, as the schema has them, each with how it comes from the new ones. */
  olds: Array<{ use: ColumnUse; from: string }>;
  /** The columns added, each with how it comes from the old ones; they take `type`. */
  news: DerivedColumn[];
  type: string;
  /** split_users_name / merge_users_first_name_last_name */
  label: string;
  title: string;
}

/** `expression` over `columns` evaluated for `values` (plpgsql expressions such as NEW.name). */
function over(expression: string, columns: readonly string[], values: readonly string[]): string {
  return `(SELECT ${expression} FROM (SELECT ${values.join(', ')}) AS v(${columns.map(q).join(', ')}))`;
}

const row = (values: readonly string[]) => (values.length === 1 ? values[0] : `ROW(${values.join(', ')})`);

export function reshapePhases(change: ColumnReshape, settings: ChangeSettings): Phase[] {
  const { table, olds, news } = change;
  const T = table.sqlName;
  if (!table.primaryKey) throw new RunnerInputError(`${T} has no single-column primary key: the backfill walks the table in batches of its primary key`);
  for (const { use } of olds) {
    const c = `${T}.${use.column.name}`;
    if (use.inPrimaryKey) throw new RunnerInputError(`${c} is part of the primary key: expand/contract does not move a primary key`);
    if (use.referencedBy.length) throw new RunnerInputError(`${c} is referenced by foreign keys (${use.referencedBy.join(', ')}): move those first`);
    const named = [...use.indexes.map((i) => `index ${i.name}`), ...use.constraints.map((k) => `constraint ${k.name}`)];
    if (named.length)
      throw new RunnerInputError(
        `${c} has ${named.join(', ')}: a split or merge cannot tell which new column it belongs to; create the new columns' own in a migration of yours after the expand, and drop these before generating the change`,
      );
  }
  const oldNames = olds.map((o) => o.use.column.name);
  const newNames = news.map((n) => n.name);
  const fn = derivedName(`${table.table}_sync_${change.label}`, '');
  const NEWold = oldNames.map((c) => `NEW.${q(c)}`);
  const NEWnew = newNames.map((c) => `NEW.${q(c)}`);
  const OLDold = oldNames.map((c) => `OLD.${q(c)}`);
  const OLDnew = newNames.map((c) => `OLD.${q(c)}`);
  const fwd = (n: DerivedColumn, values: readonly string[]) => over(n.from, oldNames, values);
  const back = (o: { use: ColumnUse; from: string }, values: readonly string[]) => over(o.from, newNames, values);
  const setNew = (values: readonly string[]) => news.map((n) => `NEW.${q(n.name)} := ${fwd(n, values)};`);
  const setOld = olds.map((o) => `NEW.${q(o.use.column.name)} := ${back(o, NEWnew)};`);
  const newFromOld = row(news.map((n) => `(${n.from})`));
  const mismatch = `${row(newNames.map(q))} IS DISTINCT FROM ${newFromOld}`;

  const syncBody = [
    "IF TG_OP = 'INSERT' THEN",
    `  IF ${newNames.map((c) => `NEW.${q(c)} IS NULL`).join(' AND ')} THEN`,
    ...setNew(NEWold).map((s) => `    ${s}`),
    `  ELSIF ${row(NEWnew)} IS DISTINCT FROM ${row(news.map((n) => fwd(n, NEWold)))} THEN`,
    ...setOld.map((s) => `    ${s}`),
    '  END IF;',
    `ELSIF ${row(NEWnew)} IS DISTINCT FROM ${row(OLDnew)} THEN`,
    '  -- A writer of the new columns. On a row the backfill has not reached, a part it left alone',
    '  -- comes from the old value first, so the old side is derived from whole parts.',
    ...(news.length > 1
      ? [
          `  IF ${newNames.map((c) => `OLD.${q(c)} IS NULL`).join(' AND ')} THEN`,
          ...news.map((n) => `    IF NEW.${q(n.name)} IS NULL THEN NEW.${q(n.name)} := ${fwd(n, OLDold)}; END IF;`),
          '  END IF;',
        ]
      : []),
    `  IF ${row(NEWnew)} IS DISTINCT FROM ${row(news.map((n) => fwd(n, NEWold)))} THEN`,
    ...setOld.map((s) => `    ${s}`),
    '  END IF;',
    'ELSE',
    '  -- A writer of the old columns, or a row the backfill has not reached yet.',
    ...setNew(NEWold).map((s) => `  ${s}`),
    'END IF;',
  ];
  const createSync = [triggerFunction(table, fn, syncBody), ...rowTrigger(table, fn, fn)];
  const triggerCount = `SELECT count(*) FROM pg_trigger WHERE tgrelid = ${regclass(table)} AND tgname = ${literal(fn)}`;
  const columnCount = (names: readonly string[]) =>
    `SELECT count(*) FROM pg_attribute WHERE attrelid = ${regclass(table)} AND attname IN (${names.map(literal).join(', ')}) AND NOT attisdropped`;
  const list = (names: readonly string[]) => names.join(' and ');
  const dependents = olds.flatMap(({ use }) => [
    ...use.policies.map((p) => `policy ${p.name} on ${T} names ${use.column.name}: point it at ${list(newNames)} before the contract (its pre-check waits for that)`),
    ...use.views.map((v) => `view ${v} reads ${use.column.name}: recreate it over ${list(newNames)} before the contract (its pre-check waits for that)`),
    ...use.functions.map((f) => `function ${f}: its body mentions ${use.column.name} (PostgreSQL does not track it); move it before the contract`),
  ]);
  const notes = (role: string) => [`${change.title}, phase ${role}.`];

  const expand: Phase = {
    role: 'expand',
    name: `expand_${change.label}`,
    notes: [
      ...notes('1 of 3: EXPAND'),
      `Adds ${list(newNames)} (${change.type}) beside ${list(oldNames)}; a trigger derives each side from the other on every`,
      `insert and update, so versions writing ${list(oldNames)} and versions writing ${list(newNames)} run side by side:`,
      ...news.map((n) => `  ${n.name} = ${n.from}`),
      ...olds.map((o) => `  ${o.use.column.name} = ${o.from}`),
      ...(dependents.length ? ['', 'Objects naming the old columns:', ...dependents.map((d) => `  ${d}`)] : []),
      '',
      `Next: deploy code that reads ${list(oldNames)} and writes either side; then the backfill.`,
    ],
    directives: [],
    check: expectation(`${list(oldNames)} exist`, olds.length, columnCount(oldNames)),
    up: sqlList([
      lockTimeout(settings.lockTimeout, true),
      '',
      '-- Nullable and without a default: a catalog-only change, no table rewrite.',
      ...newNames.map((c) => `ALTER TABLE ${T} ADD COLUMN IF NOT EXISTS ${q(c)} ${change.type};`),
      '',
      ...createSync,
    ]),
    down: sqlList([lockTimeout(settings.lockTimeout, true), ...dropTrigger(table, fn, fn), ...newNames.map((c) => `ALTER TABLE ${T} DROP COLUMN IF EXISTS ${q(c)};`)]),
    verify: sqlList([expectation(`${list(newNames)} exist`, news.length, columnCount(newNames)), expectation('the sync trigger is in place', 1, triggerCount)]),
  };

  const backfill = backfillStatements(table, {
    procedure: derivedName(`${table.table}_backfill_${change.label}`, ''),
    set: news.map((n) => `${q(n.name)} = ${n.from}`).join(', '),
    pending: mismatch,
    label: `${table.table}.${list(newNames)}`,
    batchSize: settings.batchSize,
  });
  const fill: Phase = {
    role: 'backfill',
    name: `backfill_${change.label}`,
    notes: [
      ...notes('2 of 3: BACKFILL'),
      `Derives ${list(newNames)} for the rows written before the expand, ${settings.batchSize} rows per batch with a COMMIT`,
      'after each (NOTICEs report the progress); stopped part-way, running it again copies only what is left.',
      '',
      `Next: deploy code that reads and writes only ${list(newNames)}; then the contract.`,
    ],
    directives: ['-- tidemark:no-transaction', ...soakDirectives('backfill', settings.soak)],
    check: expectation('the expand phase is applied: its sync trigger is in place', 1, triggerCount),
    up: backfillPhaseUp(settings.lockTimeout, backfill.up),
    down: sqlList(backfill.down),
    verify: expectation(`0 mismatched rows between ${list(oldNames)} and ${list(newNames)}`, 0, `SELECT count(*) FROM ${T} WHERE ${mismatch}`),
  };

  const contract: Phase = {
    role: 'contract',
    name: `contract_${change.label}`,
    notes: [...notes('3 of 3: CONTRACT'), `Drops the trigger and ${list(oldNames)}. Apply only once no deployed version reads or writes ${list(oldNames)}.`],
    directives: soakDirectives('contract', settings.soak),
    check: sqlList([
      expectation(`0 mismatched rows (the backfill is applied)`, 0, `SELECT count(*) FROM ${T} WHERE ${mismatch}`),
      '',
      expectation(`views and policies still reading ${list(oldNames)} (move them first)`, 0, dependentsQuery(table, oldNames)),
    ]),
    up: sqlList([
      lockTimeout(settings.lockTimeout, true),
      '',
      ...dropTrigger(table, fn, fn),
      `-- ban-drop-column: dropping ${list(oldNames)} is the point of the contract; every reader moved first.`,
      ...oldNames.map((c) => `-- tidemark-ignore ban-drop-column\nALTER TABLE ${T} DROP COLUMN IF EXISTS ${q(c)};`),
      '',
      `ANALYZE ${T};`,
    ]),
    down: sqlList([
      lockTimeout(settings.lockTimeout, true),
      ...olds.map((o) => `ALTER TABLE ${T} ADD COLUMN IF NOT EXISTS ${q(o.use.column.name)} ${o.use.column.type};`),
      '-- Rolling the contract back derives every row in one statement: the old columns must be whole again.',
      `UPDATE ${T} SET ${olds.map((o) => `${q(o.use.column.name)} = ${o.from}`).join(', ')}\n WHERE ${oldsNull(olds)};`,
      ...olds.flatMap(({ use }) => [
        ...(use.column.default ? [`ALTER TABLE ${T} ALTER COLUMN ${q(use.column.name)} SET DEFAULT ${use.column.default};`] : []),
        ...(use.column.notNull
          ? [
              '-- The column was NOT NULL before the contract, and every row was just filled.',
              '-- tidemark-ignore adding-not-nullable-field',
              `ALTER TABLE ${T} ALTER COLUMN ${q(use.column.name)} SET NOT NULL;`,
            ]
          : []),
      ]),
      ...createSync,
    ]),
    verify: sqlList([expectation(`${list(oldNames)} are gone`, 0, columnCount(oldNames)), expectation('the sync trigger is gone', 0, triggerCount)]),
  };
  return [expand, fill, contract];
}

function oldsNull(olds: ColumnReshape['olds']): string {
  return olds.map((o) => `${q(o.use.column.name)} IS NULL`).join(' AND ');
}
