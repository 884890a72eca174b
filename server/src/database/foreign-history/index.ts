/**
 * Other migration tools' history tables in a database, read as each tool writes them, one reader
 * per tool in this folder (reader.ts is their contract). Looked for in every schema on the search
 * path, or in the tool's own schema (sqitch keeps its registry there).
 */
import type { DatabaseAdapter } from '../adapter';
import { RunnerInputError } from '../environments';
import type { Migration } from '../../migrations/types';
import { dbmate } from './dbmate';
import { flyway } from './flyway';
import { golangMigrate } from './golang-migrate';
import type { ForeignEntry, ForeignHistoryReader, ForeignTable, ForeignTool } from './reader';
import { sqitch } from './sqitch';
import { versionTable } from './table';
import { prisma } from './prisma';
import { drizzle } from './drizzle';
import { supabase } from './supabase';
import { goose } from './goose';
import { diesel } from './diesel';
import { sqlx } from './sqlx';
import { atlas } from './atlas';
import { liquibase } from './liquibase';
import { graphileMigrate } from './graphile-migrate';
import { nodePgMigrate } from './node-pg-migrate';
import { matchMigration } from './description';

export { matchMigration, qualifiedName, toolLabel, versionRange } from './description';
export type { ForeignEntry, ForeignHistoryReader, ForeignTable, ForeignTool } from './reader';

/**
 * Every reader. Where two tools use the same table name the first whose `recognises` accepts the
 * columns wins, so the generic `table` reader comes last.
 */
const READERS: readonly ForeignHistoryReader[] = [
  golangMigrate,
  dbmate,
  flyway,
  sqitch,
  prisma,
  drizzle,
  supabase,
  goose,
  diesel,
  sqlx,
  atlas,
  liquibase,
  graphileMigrate,
  nodePgMigrate,
  versionTable,
];

export const FOREIGN_TOOLS: readonly ForeignTool[] = READERS.map((r) => r.tool);

export const readerOf = (tool: ForeignTool): ForeignHistoryReader => READERS.find((r) => r.tool === tool)!;

/** Every foreign history table found, in search-path order. */
export async function findForeignTables(db: DatabaseAdapter): Promise<ForeignTable[]> {
  const places = READERS.flatMap((r) => r.tables);
  const onSearchPath = [...new Set(places.filter((p) => !p.schema).map((p) => p.table))];
  const inSchema = [...new Set(places.filter((p) => p.schema).map((p) => `${p.schema}.${p.table}`))];
  const r = await db.query(
    `SELECT n.nspname AS schema, c.relname AS table,
            (SELECT json_object_agg(a.attname, format_type(a.atttypid, a.atttypmod)) FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)::text AS columns,
            array_position(current_schemas(false), n.nspname) AS search_rank
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p')
        AND ((c.relname = ANY ($1::text[]) AND n.nspname = ANY (current_schemas(false)))
             OR n.nspname || '.' || c.relname = ANY ($2::text[]))
      ORDER BY search_rank NULLS LAST, n.nspname, c.relname`,
    [onSearchPath, inSchema],
  );
  const found: ForeignTable[] = [];
  for (const row of r.rows) {
    const schema = String(row.schema);
    const table = String(row.table);
    const columns = JSON.parse(String(row.columns ?? '{}')) as Record<string, string>;
    const reader = READERS.find((rd) => rd.tables.some((p) => p.table === table && (p.schema === undefined || p.schema === schema)) && rd.recognises(table, columns));
    if (reader) found.push({ tool: reader.tool, schema, table, columns });
  }
  return found;
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

/** The versions a foreign table lists, oldest first, as the tool wrote them. */
export function readForeignEntries(db: DatabaseAdapter, t: ForeignTable, migrations: Migration[]): Promise<ForeignEntry[]> {
  return readerOf(t.tool).read(db, t, migrations);
}

/**
 * The migration file an entry of `tool`'s table stands for: the tool's own rule (Drizzle by hash,
 * sqitch by change name, Liquibase by changeset id), else by version, by name, or by the version's
 * digits (diesel stores `2024-01-02-030405` as `20240102030405`).
 */
export function matchEntry(tool: ForeignTool, entry: ForeignEntry, migrations: Migration[]): Migration | undefined {
  const own = readerOf(tool).match;
  if (own) return own(entry, migrations);
  const digits = entry.version.replace(/\D/g, '');
  // A version written exactly as a file's first (a Flyway repeatable's `R__views`, which has no digits to compare).
  const exact = migrations.find((m) => m.version === entry.version);
  return exact ?? matchMigration(entry.version, migrations) ?? (digits ? migrations.find((m) => m.version.replace(/\D/g, '') === digits) : undefined);
}
