/**
 * The three phases shared by renaming a column and changing its type: a new column kept equal to
 * the old one by a two-way trigger (old and new writers both work), its indexes and constraints
 * copied (CONCURRENTLY / NOT VALID), a batched backfill ending in 0 mismatched rows, then the
 * contract: validate, drop the trigger and the old column (and, for a type change, give the new
 * column the old name). Each phase has a down that restores the schema the phase found.
 */
import { literal, copiedIndexDefinition, derivedName, indexDefinitionNamed, renameIdentifier, renamedObjectName } from './sql-text';
import {
  backfillPhaseUp,
  backfillStatements,
  dependentsQuery,
  dropTrigger,
  expectation,
  guardedValidate,
  inSchema,
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

export interface ColumnCopy {
  table: TableFacts;
  use: ColumnUse;
  /** The column written today. */
  from: string;
  /** The column the values are copied to. */
  to: string;
  /** Its type. */
  type: string;
  /** The new value from the old one: an expression over `from`, e.g. `email` or `amount::numeric(12,2)`. */
  forward: string;
  /** The old value from the new one: an expression over `from` standing for the new column's value. */
  backward: string;
  /** A type change: the contract renames `to` back to `from`, so readers keep the name. */
  renameBack: boolean;
  /** Names the phases' migrations: `rename_users_email_to_email_address`. */
  label: string;
  /** The sentence of the first note: what the change is. */
  title: string;
}

/** `expression` (over `column`) evaluated for `value`, a plpgsql expression such as NEW.email. */
function applied(expression: string, column: string, value: string): string {
  if (expression.trim() === q(column) || expression.trim() === column) return value;
  return `(SELECT ${expression} FROM (SELECT ${value}) AS v(${q(column)}))`;
}

export function columnCopyPhases(change: ColumnCopy, settings: ChangeSettings): Phase[] {
  const { table, use, from, to } = change;
  if (!table.primaryKey) throw new RunnerInputError(`${table.sqlName} has no single-column primary key: the backfill walks the table in batches of its primary key`);
  if (use.inPrimaryKey) throw new RunnerInputError(`${table.sqlName}.${from} is part of the primary key: expand/contract does not move a primary key`);
  if (use.referencedBy.length) throw new RunnerInputError(`${table.sqlName}.${from} is referenced by foreign keys (${use.referencedBy.join(', ')}): move those first`);
  const T = table.sqlName;
  const base = `${table.table}_${to}`;
  const fn = derivedName(`${table.table}_sync_${from}_${to}`, '');
  const trigger = fn;
  const notNullCheck = derivedName(base, '_not_null');
  const tmp = (name: string) => (change.renameBack ? derivedName(name, '__new') : renamedObjectName(name, from, to));
  const indexes = use.indexes.map((i) => ({ ...i, copy: tmp(i.uniqueConstraint ?? i.name) }));
  const constraints = use.constraints.map((c) => ({ ...c, copy: tmp(c.name), copyDefinition: renameIdentifier(c.definition, from, to) }));
  const concurrent = indexes.length > 0;
  const column = use.column;
  const fwd = (value: string) => applied(change.forward, from, value);
  const back = (value: string) => applied(change.backward, from, value);
  const mismatch = `${q(to)} IS DISTINCT FROM ${applied(change.forward, from, q(from)) === q(from) ? q(from) : `(${change.forward})`}`;

  const syncBody = [
    "IF TG_OP = 'INSERT' THEN",
    `  IF NEW.${q(to)} IS NULL THEN`,
    `    NEW.${q(to)} := ${fwd(`NEW.${q(from)}`)};`,
    `  ELSIF NEW.${q(to)} IS DISTINCT FROM ${fwd(`NEW.${q(from)}`)} THEN`,
    `    NEW.${q(from)} := ${back(`NEW.${q(to)}`)};`,
    '  END IF;',
    `ELSIF NEW.${q(to)} IS DISTINCT FROM OLD.${q(to)} THEN`,
    '  -- A writer of the new column: carry its value back unless the old one already agrees.',
    `  IF NEW.${q(to)} IS DISTINCT FROM ${fwd(`NEW.${q(from)}`)} THEN`,
    `    NEW.${q(from)} := ${back(`NEW.${q(to)}`)};`,
    '  END IF;',
    'ELSE',
    '  -- A writer of the old column, or a row the backfill has not reached yet.',
    `  NEW.${q(to)} := ${fwd(`NEW.${q(from)}`)};`,
    'END IF;',
  ];
  const createSync = [triggerFunction(table, fn, syncBody), ...rowTrigger(table, trigger, fn)];
  const copyConstraints = [
    ...(column.notNull ? notValidConstraint(table, notNullCheck, `CHECK (${q(to)} IS NOT NULL)`) : []),
    ...constraints.flatMap((c) => notValidConstraint(table, c.copy, c.copyDefinition)),
  ];
  const dropCopies = [
    ...indexes.map((i) => `DROP INDEX IF EXISTS ${inSchema(table, i.copy)};`),
    ...[...constraints.map((c) => c.copy), ...(column.notNull ? [notNullCheck] : [])].map((name) => `ALTER TABLE ${T} DROP CONSTRAINT IF EXISTS ${q(name)};`),
  ];

  const notes = (role: string): string[] => [`${change.title}, phase ${role}.`];
  const dependents = [
    ...use.policies.map((p) => `policy ${p.name} on ${T}: moved to ${to} by the backfill phase, after the copy`),
    ...use.views.map((v) => `view ${v}: reads ${from}; recreate it over ${to} before the contract (its pre-check waits for that)`),
    ...use.functions.map((f) => `function ${f}: its body mentions ${from} (PostgreSQL does not track it); move it to ${to} before the contract`),
  ];

  // Phase 1: expand.
  const expand: Phase = {
    role: 'expand',
    name: `expand_${change.label}`,
    notes: [
      ...notes('1 of 3: EXPAND'),
      `Adds ${to} (${change.type}) beside ${from}; a trigger keeps both equal on every insert and update, so`,
      `application versions writing ${from} and versions writing ${to} run side by side.`,
      ...(concurrent ? ['Its indexes are built CONCURRENTLY, so this migration runs statement by statement (re-runnable).'] : []),
      ...(dependents.length ? ['', 'Objects naming the column:', ...dependents.map((d) => `  ${d}`)] : []),
      '',
      `Next: deploy code that reads ${from} and writes either; then the backfill.`,
    ],
    directives: concurrent ? ['-- tidemark:no-transaction'] : [],
    check: expectation(`${T}.${from} exists`, 1, `SELECT count(*) FROM pg_attribute WHERE attrelid = ${regclass(table)} AND attname = ${literal(from)} AND NOT attisdropped`),
    up: sqlList([
      lockTimeout(settings.lockTimeout, !concurrent),
      '',
      `-- Nullable and without a default: a catalog-only change, no table rewrite.`,
      `ALTER TABLE ${T} ADD COLUMN IF NOT EXISTS ${q(to)} ${change.type};`,
      '',
      ...createSync,
      ...(copyConstraints.length
        ? ['', `-- ${from}'s constraints for ${to}, NOT VALID: enforced on new writes now, checked for old rows by the contract.`, ...copyConstraints]
        : []),
      ...(indexes.length ? ['', `-- ${from}'s indexes for ${to}.`, ...indexes.map((i) => `${copiedIndexDefinition(i.definition, i.copy, from, to)};`)] : []),
    ]),
    down: sqlList([lockTimeout(settings.lockTimeout, true), ...dropCopies, ...dropTrigger(table, trigger, fn), `ALTER TABLE ${T} DROP COLUMN IF EXISTS ${q(to)};`]),
    verify: sqlList([
      expectation(`${to} exists`, 1, `SELECT count(*) FROM pg_attribute WHERE attrelid = ${regclass(table)} AND attname = ${literal(to)} AND NOT attisdropped`),
      expectation('the sync trigger is in place', 1, `SELECT count(*) FROM pg_trigger WHERE tgrelid = ${regclass(table)} AND tgname = ${literal(trigger)}`),
      expectation('no index of the table was left invalid by a failed concurrent build', 0, `SELECT count(*) FROM pg_index WHERE indrelid = ${regclass(table)} AND NOT indisvalid`),
    ]),
  };

  // Phase 2: backfill.
  const backfill = backfillStatements(table, {
    procedure: derivedName(`${table.table}_backfill_${to}`, ''),
    set: `${q(to)} = ${change.forward}`,
    pending: mismatch,
    label: `${table.table}.${to}`,
    batchSize: settings.batchSize,
  });
  const movePolicies = use.policies.map((p) => policyWith(T, p.name, p.using && renameIdentifier(p.using, from, to), p.withCheck && renameIdentifier(p.withCheck, from, to)));
  const restorePolicies = use.policies.map((p) => policyWith(T, p.name, p.using, p.withCheck));
  const fill: Phase = {
    role: 'backfill',
    name: `backfill_${change.label}`,
    notes: [
      ...notes('2 of 3: BACKFILL'),
      `Copies ${from} into ${to} for the rows written before the expand, ${settings.batchSize} rows per batch with a COMMIT`,
      'after each (NOTICEs report the progress); stopped part-way, running it again copies only what is left.',
      ...(use.policies.length ? [`Then points the policies at ${to} (each ALTER POLICY is one atomic statement).`] : []),
      '',
      `Next: deploy code that reads and writes only ${to}; then the contract.`,
    ],
    directives: ['-- tidemark:no-transaction', ...soakDirectives('backfill', settings.soak)],
    check: expectation(
      'the expand phase is applied: its sync trigger is in place',
      1,
      `SELECT count(*) FROM pg_trigger WHERE tgrelid = ${regclass(table)} AND tgname = ${literal(trigger)}`,
    ),
    up: backfillPhaseUp(settings.lockTimeout, backfill.up, movePolicies),
    down: sqlList([...(restorePolicies.length ? [lockTimeout(settings.lockTimeout, false), ...restorePolicies] : []), ...backfill.down]),
    verify: expectation(`0 mismatched rows between ${from} and ${to}`, 0, `SELECT count(*) FROM ${T} WHERE ${mismatch}`),
  };

  // Phase 3: contract. Everything that names a column runs in one block guarded by "the contract
  // has not run yet", so running the migration again never drops the column it produced.
  const finalName = change.renameBack ? from : to;
  const contractPending = change.renameBack ? columnExists(table, to) : columnExists(table, from);
  const contractCore = [
    ...(column.notNull
      ? [
          `-- The CHECK (${to} IS NOT NULL) validated above lets SET NOT NULL skip its scan (PostgreSQL 12+).`,
          `ALTER TABLE ${T} ALTER COLUMN ${q(to)} SET NOT NULL;`,
          `ALTER TABLE ${T} DROP CONSTRAINT IF EXISTS ${q(notNullCheck)};`,
        ]
      : []),
    ...indexes.filter((i) => i.uniqueConstraint).map((i) => `ALTER TABLE ${T} ADD CONSTRAINT ${q(i.copy)} UNIQUE USING INDEX ${q(i.copy)};`),
    ...(column.default ? [`ALTER TABLE ${T} ALTER COLUMN ${q(to)} SET DEFAULT ${column.default};`] : []),
    `-- Dropping ${from} is the point of the contract: every reader moved to ${to} before it.`,
    `ALTER TABLE ${T} DROP COLUMN ${q(from)};`,
    ...(change.renameBack
      ? [
          `ALTER TABLE ${T} RENAME COLUMN ${q(to)} TO ${q(from)};`,
          ...indexes.filter((i) => !i.uniqueConstraint).map((i) => `ALTER INDEX ${inSchema(table, i.copy)} RENAME TO ${q(i.name)};`),
          ...[...constraints.map((c) => [c.copy, c.name]), ...indexes.filter((i) => i.uniqueConstraint).map((i) => [i.copy, i.uniqueConstraint!])].map(
            ([copy, name]) => `ALTER TABLE ${T} RENAME CONSTRAINT ${q(copy)} TO ${q(name)};`,
          ),
        ]
      : []),
  ];
  const ignored = ['ban-drop-column', ...(column.notNull ? ['adding-not-nullable-field'] : []), ...(change.renameBack ? ['renaming-column'] : [])];
  const contract: Phase = {
    role: 'contract',
    name: `contract_${change.label}`,
    notes: [
      ...notes('3 of 3: CONTRACT'),
      `Validates what the expand added NOT VALID, makes ${to} what ${from} was, drops the trigger and ${from}${change.renameBack ? `, and gives ${to} the name ${from}` : ''}.`,
      `Apply only once no deployed version reads or writes ${change.renameBack ? `${from} as ${use.column.type}` : from}.`,
    ],
    directives: soakDirectives('contract', settings.soak),
    check: sqlList([
      expectation(`0 mismatched rows between ${from} and ${to} (the backfill is applied)`, 0, `SELECT count(*) FROM ${T} WHERE ${mismatch}`),
      '',
      expectation(`views and policies still reading ${from} (move them to ${to} first)`, 0, dependentsQuery(table, [from])),
    ]),
    up: sqlList([
      lockTimeout(settings.lockTimeout, true),
      '',
      `-- Each VALIDATE scans the table under SHARE UPDATE EXCLUSIVE: reads and writes go on.`,
      ...[...(column.notNull ? [notNullCheck] : []), ...constraints.map((c) => c.copy)].map((name) => guardedValidate(table, name)),
      '',
      `-- ${ignored.join(', ')}: this block is the contract itself (a NOT NULL proved by the validated`,
      `-- CHECK, the old column dropped once nothing reads it${change.renameBack ? ', the new one renamed to the old name' : ''}).`,
      `-- tidemark-ignore ${ignored.join(', ')}`,
      guardedBlock(contractPending, contractCore),
      ...dropTrigger(table, trigger, fn),
      '',
      `ANALYZE ${T};`,
    ]),
    down: contractDown(change, settings, { indexes, constraints, notNullCheck, createSync }),
    verify: sqlList([
      expectation(
        `${from} is gone${change.renameBack ? ` and ${to} took its name` : ''}`,
        0,
        `SELECT count(*) FROM pg_attribute WHERE attrelid = ${regclass(table)} AND attname = ${literal(change.renameBack ? to : from)} AND NOT attisdropped`,
      ),
      expectation(
        `${finalName} is ${change.type}${column.notNull ? ' NOT NULL' : ''}`,
        1,
        `SELECT count(*) FROM pg_attribute WHERE attrelid = ${regclass(table)} AND attname = ${literal(finalName)} AND NOT attisdropped AND format_type(atttypid, atttypmod) = ${literal(change.type)}${column.notNull ? ' AND attnotnull' : ''}`,
      ),
      expectation('the sync trigger is gone', 0, `SELECT count(*) FROM pg_trigger WHERE tgrelid = ${regclass(table)} AND tgname = ${literal(trigger)}`),
    ]),
  };
  return [expand, fill, contract];
}

function policyWith(table: string, name: string, using: string | undefined, withCheck: string | undefined): string {
  return `ALTER POLICY ${q(name)} ON ${table}${using ? `\n  USING (${using})` : ''}${withCheck ? `\n  WITH CHECK (${withCheck})` : ''};`;
}

/** `statements` in a DO block that runs them only while `condition` holds. */
function guardedBlock(condition: string, statements: readonly string[]): string {
  return ['DO $$', 'BEGIN', `  IF ${condition} THEN`, ...statements.map((s) => `    ${s}`), '  END IF;', 'END $$;'].join('\n');
}

function columnExists(table: TableFacts, column: string): string {
  return `EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = ${regclass(table)} AND attname = ${literal(column)} AND NOT attisdropped)`;
}

/**
 * The contract's down: the old column back with its values, type, default, NOT NULL, indexes and
 * constraints; the new column as the backfill left it (nullable, no default, its constraints NOT
 * VALID); the sync trigger. It runs in one transaction, as a rollback of a contract is an
 * emergency and restoring the old column's data is its point.
 */
function contractDown(
  change: ColumnCopy,
  settings: ChangeSettings,
  parts: {
    indexes: Array<{ name: string; definition: string; copy: string; uniqueConstraint?: string }>;
    constraints: Array<{ name: string; definition: string; copy: string; copyDefinition: string }>;
    notNullCheck: string;
    createSync: string[];
  },
): string {
  const { table, use, from, to } = change;
  const T = table.sqlName;
  const column = use.column;
  return sqlList([
    lockTimeout(settings.lockTimeout, true),
    ...(change.renameBack
      ? [
          `-- While the contract is in effect (${to} absent): the new column and its copies take their expand-time names back.`,
          guardedBlock(`NOT ${columnExists(table, to)}`, [
            ...parts.constraints
              .map((c) => [c.name, c.copy])
              .concat(parts.indexes.filter((i) => i.uniqueConstraint).map((i) => [i.uniqueConstraint!, i.copy]))
              .map(([name, copy]) => `ALTER TABLE ${T} RENAME CONSTRAINT ${q(name)} TO ${q(copy)};`),
            ...parts.indexes.filter((i) => !i.uniqueConstraint).map((i) => `ALTER INDEX ${inSchema(table, i.name)} RENAME TO ${q(i.copy)};`),
            `ALTER TABLE ${T} RENAME COLUMN ${q(from)} TO ${q(to)};`,
          ]),
        ]
      : []),
    `ALTER TABLE ${T} ADD COLUMN IF NOT EXISTS ${q(from)} ${column.type};`,
    `-- Rolling the contract back copies every row in one statement: the old column must be whole again.`,
    `UPDATE ${T} SET ${q(from)} = ${change.backward.trim() === from || change.backward.trim() === q(from) ? q(to) : `(SELECT ${change.backward} FROM (SELECT ${q(to)}) AS v(${q(from)}))`} WHERE ${q(from)} IS NULL;`,
    ...(column.default ? [`ALTER TABLE ${T} ALTER COLUMN ${q(from)} SET DEFAULT ${column.default};`] : []),
    ...(column.notNull
      ? [
          '-- The column was NOT NULL before the contract, and every row was just filled.',
          '-- tidemark-ignore adding-not-nullable-field',
          `ALTER TABLE ${T} ALTER COLUMN ${q(from)} SET NOT NULL;`,
        ]
      : []),
    ...parts.constraints.flatMap((c) => [...notValidConstraint(table, c.name, c.definition), `ALTER TABLE ${T} VALIDATE CONSTRAINT ${q(c.name)};`]),
    ...(parts.indexes.length ? ["-- A rollback runs in one transaction: the old column's indexes are rebuilt under a SHARE lock (writes wait for each build)."] : []),
    ...parts.indexes.filter((i) => !i.uniqueConstraint).map((i) => `-- tidemark-ignore require-concurrent-index-creation\n${indexDefinitionNamed(i.definition, i.name)};`),
    ...parts.indexes
      .filter((i) => i.uniqueConstraint)
      .map(
        (i) =>
          `ALTER TABLE ${T} DROP CONSTRAINT IF EXISTS ${q(i.uniqueConstraint!)};\n-- tidemark-ignore require-concurrent-index-creation\n${indexDefinitionNamed(i.definition, i.uniqueConstraint!)};\nALTER TABLE ${T} ADD CONSTRAINT ${q(i.uniqueConstraint!)} UNIQUE USING INDEX ${q(i.uniqueConstraint!)};`,
      ),
    // The new column back to how the backfill left it.
    ...parts.indexes
      .filter((i) => i.uniqueConstraint)
      .map(
        (i) =>
          `ALTER TABLE ${T} DROP CONSTRAINT IF EXISTS ${q(i.copy)};\n-- tidemark-ignore require-concurrent-index-creation\n${indexDefinitionNamed(renameIdentifierInIndex(i.definition, from, to), i.copy)};`,
      ),
    ...(column.default ? [`ALTER TABLE ${T} ALTER COLUMN ${q(to)} DROP DEFAULT;`] : []),
    ...(column.notNull ? [`ALTER TABLE ${T} ALTER COLUMN ${q(to)} DROP NOT NULL;`, ...notValidConstraint(table, parts.notNullCheck, `CHECK (${q(to)} IS NOT NULL)`)] : []),
    ...parts.constraints.flatMap((c) => notValidConstraint(table, c.copy, c.copyDefinition)),
    ...parts.createSync,
  ]);
}

/** An index definition with the column renamed after `ON table` only. */
function renameIdentifierInIndex(definition: string, from: string, to: string): string {
  const on = /\sON\s+(ONLY\s+)?((?:"(?:[^"]|"")*"|[^\s(]+))\s/i.exec(definition);
  if (!on) return definition;
  const cut = on.index + on[0].length;
  return definition.slice(0, cut) + renameIdentifier(definition.slice(cut), from, to);
}
