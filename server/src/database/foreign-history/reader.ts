/**
 * The contract every reader of another tool's history table fulfils, so that a new tool is one
 * file in this folder plus one line in index.ts's READERS. A reader names the tables it may own,
 * recognises its own by their column types, and reads the versions as the tool wrote them.
 */
import type { DatabaseAdapter } from '../adapter';
import type { ForeignHistory } from '../../protocol';
import type { Migration } from '../../migrations/types';

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

export interface ForeignHistoryReader {
  tool: ForeignTool;
  /** Where the tool keeps its table: a bare name is looked for in every schema on the search path. */
  tables: ReadonlyArray<{ table: string; schema?: string }>;
  /** Whether a table at one of those places is this tool's, from its column types (name → `format_type`). */
  recognises(table: string, columns: Record<string, string>): boolean;
  /** The versions it lists, oldest first, as the tool wrote them. */
  read(db: DatabaseAdapter, t: ForeignTable, migrations: Migration[]): Promise<ForeignEntry[]>;
}

/** `"schema"."table"`: identifiers come from the catalog and are quoted; no user value is written into the SQL. */
export const quotedName = (t: { schema: string; table: string }) => `${quote(t.schema)}.${quote(t.table)}`;
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** SQL giving a timestamp column as ISO text in UTC, or NULL when the column is no timestamp. */
export function isoText(column: string, type: string): string {
  if (type.includes('with time zone')) return `to_char(${column} AT TIME ZONE 'UTC', ${ISO})`;
  return type.startsWith('timestamp') ? `to_char(${column}, ${ISO})` : `NULL::text`;
}

/** Runs a reader's query, whose columns are `version`, `applied_at` (ISO text or NULL) and `failed`. */
export async function queryEntries(db: DatabaseAdapter, sql: string): Promise<ForeignEntry[]> {
  const r = await db.query(sql);
  return r.rows.map((row) => ({ version: String(row.version), appliedAt: row.applied_at === null ? undefined : String(row.applied_at), failed: row.failed === true }));
}
