/**
 * Other migration tools' history tables in a database, read as each tool writes them: dbmate's
 * `schema_migrations(version varchar)`, golang-migrate's one-row `schema_migrations(version bigint,
 * dirty boolean)`, Flyway's `flyway_schema_history`, sqitch's `sqitch.changes`, and a runbook's own
 * `schema_migrations(version text, applied_at)` holding file base names. Looked for in every schema
 * on the search path (sqitch keeps its registry in its own schema). Identifiers come from the
 * catalog and are quoted; no user value is written into the SQL.
 */
import type { DatabaseAdapter } from '../adapter';
import { RunnerInputError } from '../environments';
import type { ForeignHistory } from '../../protocol';
import type { Migration } from '../../migrations/types';
import { classifyFile, compareVersionKeys, versionKey } from '../../migrations/version';
import { matchMigration, qualifiedName } from './description';

export { matchMigration, qualifiedName, toolLabel, versionRange } from './description';

export type ForeignTool = ForeignHistory['tool'];

export interface ForeignTable {
  tool: ForeignTool;
  schema: string;
  table: string;
  columns: Record<string, string>;
}

/** One version as the other tool recorded it. */
export interface ForeignEntry {
  version: string;
  /** ISO time the tool applied it, when it records one. */
  appliedAt?: string;
  /** The tool recorded it as failed or half-done. */
  failed: boolean;
}

export const FOREIGN_TOOLS: readonly ForeignTool[] = ['dbmate', 'golang-migrate', 'flyway', 'sqitch', 'table'];

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Every foreign history table found, in search-path order. */
export async function findForeignTables(db: DatabaseAdapter): Promise<ForeignTable[]> {
  const r = await db.query(
    `SELECT n.nspname AS schema, c.relname AS table,
            (SELECT json_object_agg(a.attname, format_type(a.atttypid, a.atttypmod)) FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)::text AS columns,
            array_position(current_schemas(false), n.nspname) AS search_rank
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p')
        AND ((c.relname IN ('schema_migrations', 'flyway_schema_history') AND n.nspname = ANY (current_schemas(false)))
             OR (n.nspname = 'sqitch' AND c.relname = 'changes'))
      ORDER BY search_rank NULLS LAST, n.nspname, c.relname`,
  );
  const found: ForeignTable[] = [];
  for (const row of r.rows) {
    const columns = JSON.parse(String(row.columns ?? '{}')) as Record<string, string>;
    const tool = toolOf(String(row.table), columns);
    if (tool) found.push({ tool, schema: String(row.schema), table: String(row.table), columns });
  }
  return found;
}

/** Which tool wrote a table, from its name and column types. */
function toolOf(table: string, columns: Record<string, string>): ForeignTool | undefined {
  if (table === 'flyway_schema_history') return columns.version && columns.success ? 'flyway' : undefined;
  if (table === 'changes') return columns.change && columns.committed_at ? 'sqitch' : undefined;
  if (!columns.version) return undefined;
  if (columns.dirty === 'boolean') return 'golang-migrate';
  if (columns.version.startsWith('character varying') && !columns.applied_at) return 'dbmate';
  return 'table';
}

/** `--from table:SCHEMA.TABLE`: any table with a `version` column (and `applied_at` if it has one). */
export async function namedTable(db: DatabaseAdapter, qualified: string): Promise<ForeignTable> {
  const dot = qualified.indexOf('.');
  const [schema, table] = dot < 0 ? ['public', qualified] : [qualified.slice(0, dot), qualified.slice(dot + 1)];
  const r = await db.query(
    `SELECT (SELECT json_object_agg(a.attname, format_type(a.atttypid, a.atttypmod)) FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)::text AS columns
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm')`,
    [schema, table],
  );
  if (!r.rows[0]) throw new RunnerInputError(`--from table:${qualified}: there is no table ${schema}.${table}`);
  const columns = JSON.parse(String(r.rows[0].columns ?? '{}')) as Record<string, string>;
  if (!columns.version) throw new RunnerInputError(`--from table:${qualified}: ${schema}.${table} has no "version" column`);
  return { tool: 'table', schema, table, columns };
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** The versions a foreign table lists, oldest first, as the tool wrote them. */
export async function readForeignEntries(db: DatabaseAdapter, t: ForeignTable, migrations: Migration[]): Promise<ForeignEntry[]> {
  const name = `${quote(t.schema)}.${quote(t.table)}`;
  const iso = (column: string, type: string) =>
    type.includes('with time zone') ? `to_char(${column} AT TIME ZONE 'UTC', ${ISO})` : type.startsWith('timestamp') ? `to_char(${column}, ${ISO})` : `NULL::text`;
  let sql: string;
  switch (t.tool) {
    case 'dbmate':
      sql = `SELECT version::text AS version, NULL::text AS applied_at, false AS failed FROM ${name}`;
      break;
    case 'golang-migrate':
      sql = `SELECT version::text AS version, NULL::text AS applied_at, dirty AS failed FROM ${name}`;
      break;
    case 'flyway':
      // SCHEMA rows (Flyway created the schema) and repeatable migrations have no version; DELETE
      // rows are what `flyway repair` left of removed failures.
      sql = `SELECT version::text AS version, ${iso('installed_on', t.columns.installed_on ?? '')} AS applied_at, NOT success AS failed
               FROM ${name} WHERE version IS NOT NULL AND type NOT IN ('SCHEMA', 'DELETE', 'UNDO_SQL', 'UNDO_JDBC') ORDER BY installed_rank`;
      break;
    case 'sqitch':
      sql = `SELECT change::text AS version, to_char(committed_at AT TIME ZONE 'UTC', ${ISO}) AS applied_at, false AS failed FROM ${name} ORDER BY committed_at`;
      break;
    case 'table':
      sql = `SELECT version::text AS version, ${t.columns.applied_at ? iso('applied_at', t.columns.applied_at) : 'NULL::text'} AS applied_at, false AS failed FROM ${name}`;
      break;
  }
  const r = await db.query(sql);
  const entries: ForeignEntry[] = r.rows.map((row) => ({ version: String(row.version), appliedAt: row.applied_at === null ? undefined : String(row.applied_at), failed: row.failed === true }));
  if (t.tool === 'golang-migrate') return golangMigrateEntries(entries[0], migrations);
  if (t.tool === 'flyway' || t.tool === 'sqitch') return entries;
  return entries.sort((a, b) => compareVersionKeys(entryKey(a.version, migrations) ?? [], entryKey(b.version, migrations) ?? []));
}

/**
 * golang-migrate keeps one row: the current version, and whether its migration stopped half-way
 * (dirty). Every file up to it has run; a dirty current version has not finished.
 */
function golangMigrateEntries(current: ForeignEntry | undefined, migrations: Migration[]): ForeignEntry[] {
  if (!current) return [];
  const key = versionKey(current.version);
  const below = migrations.filter((m) => compareVersionKeys(m.versionKey, key) < 0).map((m) => ({ version: m.version, failed: false }));
  const exact = migrations.find((m) => compareVersionKeys(m.versionKey, key) === 0);
  return [...below, { version: exact?.version ?? current.version, failed: current.failed }];
}

function entryKey(version: string, migrations: Migration[]): number[] | undefined {
  const m = matchMigration(version, migrations);
  return m ? m.versionKey : classifyFile(`${version}.sql`)?.versionKey;
}
