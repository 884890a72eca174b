/**
 * The SQL pieces every kind of change is made of: the lock timeout, a guarded VALIDATE, a sync
 * trigger, and the batched backfill procedure (COMMIT per batch, progress notices, restartable).
 */
import { quoteIdentifier } from '../sql/names';
import { literal } from './sql-text';
import type { TableFacts } from './table-facts';

export const q = quoteIdentifier;

/** `SET LOCAL` inside the migration's transaction; `SET` (this session) for a no-transaction migration. */
export function lockTimeout(value: string, transaction: boolean): string {
  return `SET ${transaction ? 'LOCAL ' : ''}lock_timeout = ${literal(value)};`;
}

/** An object of the table's schema as SQL writes it. */
export function inSchema(table: TableFacts, name: string): string {
  return table.schema === 'public' ? q(name) : `${q(table.schema)}.${q(name)}`;
}

/** The table as a regclass literal, for catalog queries. */
export function regclass(table: TableFacts): string {
  return `${literal(table.sqlName)}::regclass`;
}

/**
 * VALIDATE CONSTRAINT only while the constraint is there and not validated yet, so the migration
 * can run again (a later statement drops or renames it).
 */
export function guardedValidate(table: TableFacts, constraint: string): string {
  return [
    'DO $$',
    'BEGIN',
    `  IF EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = ${regclass(table)} AND conname = ${literal(constraint)} AND NOT convalidated) THEN`,
    `    ALTER TABLE ${table.sqlName} VALIDATE CONSTRAINT ${q(constraint)};`,
    '  END IF;',
    'END $$;',
  ].join('\n');
}

/** A CHECK constraint added NOT VALID, dropped first so the statement pair can run again. */
export function notValidConstraint(table: TableFacts, name: string, definition: string): string[] {
  return [
    `ALTER TABLE ${table.sqlName} DROP CONSTRAINT IF EXISTS ${q(name)};`,
    `ALTER TABLE ${table.sqlName}\n  ADD CONSTRAINT ${q(name)} ${definition.replace(/\s+NOT VALID\s*$/i, '')} NOT VALID;`,
  ];
}

/** CREATE OR REPLACE FUNCTION for a BEFORE INSERT OR UPDATE row trigger with `body` (plpgsql statements). */
export function triggerFunction(table: TableFacts, name: string, body: string[]): string {
  return [
    `CREATE OR REPLACE FUNCTION ${inSchema(table, name)}() RETURNS trigger`,
    'LANGUAGE plpgsql AS $$',
    'BEGIN',
    ...body.map((l) => `  ${l}`),
    '  RETURN NEW;',
    'END;',
    '$$;',
  ].join('\n');
}

/** The trigger itself, dropped first so the pair can run again. */
export function rowTrigger(table: TableFacts, name: string, fn: string): string[] {
  return [
    `DROP TRIGGER IF EXISTS ${q(name)} ON ${table.sqlName};`,
    `CREATE TRIGGER ${q(name)}\n  BEFORE INSERT OR UPDATE ON ${table.sqlName}\n  FOR EACH ROW EXECUTE FUNCTION ${inSchema(table, fn)}();`,
  ];
}

export function dropTrigger(table: TableFacts, name: string, fn: string): string[] {
  return [`DROP TRIGGER IF EXISTS ${q(name)} ON ${table.sqlName};`, `DROP FUNCTION IF EXISTS ${inSchema(table, fn)}();`];
}

export interface Backfill {
  /** The procedure's name. */
  procedure: string;
  /** What one row gets: `email_address = email`. */
  set: string;
  /** Rows still to copy: `email_address IS DISTINCT FROM email`. */
  pending: string;
  /** For the progress notices: `users.email_address`. */
  label: string;
  batchSize: number;
}

/**
 * The backfill as a procedure that walks the primary key in batches of `batch_size` rows, updating
 * only rows still to copy and committing after each batch, so no lock or row version is held
 * longer than one batch and a stopped run loses at most one batch. Re-running it copies only what
 * is left. Each batch raises a NOTICE with the progress, rows done of the rows to copy (`tidemark apply`
 * prints them as they arrive, as psql does).
 *
 * COMMIT inside a procedure is only allowed when it was CALLed outside a transaction block, as the
 * runner does for a no-transaction migration; inside one (the replay check, a BEGIN typed in psql)
 * the statement would fail, so the procedure commits only when its CALL started the transaction
 * (transaction_timestamp() = statement_timestamp(): true for a statement run on its own) and no
 * earlier statement of that transaction wrote anything (no transaction ID yet): PGlite's clock has
 * millisecond steps, so a BEGIN and the CALL after it can share a timestamp.
 */
export function backfillStatements(table: TableFacts, backfill: Backfill): { up: string[]; down: string[] } {
  const pk = table.primaryKey!;
  const key = q(pk.name);
  const keyType = `${table.sqlName}.${key}%TYPE`;
  const procedure = inSchema(table, backfill.procedure);
  const create = [
    `CREATE OR REPLACE PROCEDURE ${procedure}(batch_size integer)`,
    'LANGUAGE plpgsql AS $$',
    'DECLARE',
    '  commit_each_batch boolean := transaction_timestamp() = statement_timestamp() AND txid_current_if_assigned() IS NULL;',
    `  lower_key ${keyType};`,
    `  upper_key ${keyType};`,
    '  batch_rows bigint;',
    '  total bigint;',
    '  copied bigint := 0;',
    '  batches bigint := 0;',
    'BEGIN',
    // The rows to copy when the run starts: the denominator of the progress. Rows written later
    // are kept in step by the trigger, so they never add to it.
    `  SELECT count(*) INTO total FROM ${table.sqlName} WHERE ${backfill.pending};`,
    `  RAISE NOTICE ${literal(`backfill ${backfill.label}: 0 of % rows to copy`)}, total;`,
    // ORDER BY ... LIMIT rather than min()/max(): they work for every key type (uuid has no min()).
    `  SELECT ${key} INTO lower_key FROM ${table.sqlName} ORDER BY ${key} LIMIT 1;`,
    '  WHILE lower_key IS NOT NULL LOOP',
    `    SELECT b.${key} INTO upper_key`,
    `      FROM (SELECT ${key} FROM ${table.sqlName} WHERE ${key} >= lower_key ORDER BY ${key} LIMIT batch_size) AS b`,
    `     ORDER BY b.${key} DESC LIMIT 1;`,
    `    UPDATE ${table.sqlName} SET ${backfill.set}`,
    `     WHERE ${key} >= lower_key AND ${key} <= upper_key AND ${backfill.pending};`,
    '    GET DIAGNOSTICS batch_rows = ROW_COUNT;',
    '    copied := copied + batch_rows;',
    '    batches := batches + 1;',
    `    RAISE NOTICE ${literal(`backfill ${backfill.label}: % of % rows (%), batch %, up to ${pk.name} %`)},`,
    "      copied, total, (CASE WHEN total > 0 THEN least(100, copied * 100 / total) ELSE 100 END) || '%', batches, upper_key;",
    '    IF commit_each_batch THEN',
    '      COMMIT;',
    '    END IF;',
    `    SELECT ${key} INTO lower_key FROM ${table.sqlName} WHERE ${key} > upper_key ORDER BY ${key} LIMIT 1;`,
    '  END LOOP;',
    `  RAISE NOTICE ${literal(`backfill ${backfill.label} done: % rows copied in % batches`)}, copied, batches;`,
    'END;',
    '$$;',
  ].join('\n');
  const drop = `DROP PROCEDURE IF EXISTS ${procedure}(integer);`;
  return { up: [create, `CALL ${procedure}(${backfill.batchSize});`, drop], down: [drop] };
}

/**
 * The up section of a backfill phase (a no-transaction migration): the session's lock timeout, no
 * statement timeout for the copy as a whole, the backfill's statements, then `after` (moving the
 * policies, say).
 */
export function backfillPhaseUp(lockTimeoutValue: string, backfill: readonly string[], after: readonly string[] = []): string {
  return sqlList([
    lockTimeout(lockTimeoutValue, false),
    '-- The copy as a whole may outlast any statement timeout; each batch is short.',
    'SET statement_timeout = 0;',
    '',
    ...backfill,
    ...(after.length ? ['', ...after] : []),
    '',
    'RESET statement_timeout;',
  ]);
}

/** `-- expect: VALUE` before a query, with a comment saying what it proves. */
export function expectation(comment: string, expected: string | number, query: string): string {
  return `-- ${comment}\n-- expect: ${expected}\n${query.trim().replace(/;?$/, ';')}`;
}

export function sqlList(statements: readonly (string | undefined | false)[]): string {
  return statements.filter((s): s is string => typeof s === 'string').join('\n');
}

/** Views and policies that depend on any of `columns` of the table. */
export function dependentsQuery(table: TableFacts, columns: readonly string[]): string {
  return `SELECT count(*) FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
 WHERE d.refobjid = ${regclass(table)} AND a.attname IN (${columns.map(literal).join(', ')})
   AND (d.classid = 'pg_policy'::regclass OR (d.classid = 'pg_rewrite'::regclass AND (SELECT ev_class FROM pg_rewrite WHERE oid = d.objid) <> d.refobjid))`;
}
