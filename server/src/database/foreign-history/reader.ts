/**
 * The contract every reader of another tool's history table fulfils, so that a new tool is one
 * file in this folder plus one line in index.ts's READERS. A reader names the tables it may own,
 * recognises its own by their column types, and reads the rows as the tool wrote them; where the
 * tool keeps a checksum it says how the tool computes it, so that Tidemark can tell an edited file.
 */
import { readFileSync } from 'node:fs';
import type { DatabaseAdapter } from '../adapter';
import type { ForeignHistory } from '../../protocol';
import type { LayoutId, Migration } from '../../migrations/types';

export type ForeignTool = ForeignHistory['tool'];

export interface ForeignTable {
  tool: ForeignTool;
  schema: string;
  table: string;
  columns: Record<string, string>;
}

/** One row (or one migration's latest rows) as the other tool recorded it. */
export interface ForeignEntry {
  /** The tool's key for the migration: a version, Prisma's folder name, a sqitch change, a Drizzle hash, a Liquibase changeset id. */
  version: string;
  /** The file or change name the tool stored beside the key, when it stores one. */
  name?: string;
  /** ISO time the tool applied it, when it records one. */
  appliedAt?: string;
  /** The tool recorded it as failed or half-done. */
  failed: boolean;
  /** The tool recorded it and then undid it (Prisma rolled_back_at, goose is_applied = false, Liquibase SKIPPED): it counts as not applied. */
  undone?: string;
  /** What the tool logged about a failure (Prisma logs, Atlas error). */
  error?: string;
  /** The checksum the tool stored, in the form `checksumOf` gives. */
  checksum?: string;
  /** The SQL the tool stored when it applied it (Supabase's statements). */
  sql?: string;
  /** Drizzle: the journal time the tool stored, which decides what drizzle-kit considers pending. */
  createdAt?: number;
  /** The tool's own identity for the migration (sqitch's change_id: a reworked change has one per rework), matched with Migration.toolId. */
  toolId?: string;
}

export interface ForeignHistoryReader {
  tool: ForeignTool;
  /** The layout whose files this tool runs (undefined for a runbook's own table). */
  layout?: LayoutId;
  /** The tool's own command that applies and rolls back, named when Tidemark refuses to write its table. */
  commands?: { apply: string; rollback?: string };
  /** Where the tool keeps its table: a bare name is looked for in every schema on the search path. */
  tables: ReadonlyArray<{ table: string; schema?: string }>;
  /** Whether a table at one of those places is this tool's, from its column types (name → `format_type`). */
  recognises(table: string, columns: Record<string, string>): boolean;
  /** The rows it lists, oldest first, as the tool wrote them. */
  read(db: DatabaseAdapter, t: ForeignTable, migrations: Migration[]): Promise<ForeignEntry[]>;
  /** The migration file an entry stands for; by default by version, then by name. */
  match?(entry: ForeignEntry, migrations: Migration[]): Migration | undefined;
  /** The checksum the tool would store for this file today (the files in run order, for chained hashes). */
  checksumOf?(migration: Migration, migrations: Migration[]): string | undefined;
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

/** Runs a reader's query: columns `version`, `applied_at` (ISO text or NULL), `failed`, and any of `name`, `undone`, `error`, `checksum`, `sql`, `created_at`. */
export async function queryEntries(db: DatabaseAdapter, sql: string, params?: unknown[]): Promise<ForeignEntry[]> {
  const r = await db.query(sql, params);
  const text = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
  return r.rows.map((row) => {
    const entry: ForeignEntry = { version: String(row.version), appliedAt: text(row.applied_at), failed: row.failed === true };
    for (const key of ['name', 'undone', 'error', 'checksum', 'sql'] as const) if (text(row[key]) !== undefined) entry[key] = text(row[key]);
    if (text(row.tool_id) !== undefined) entry.toolId = text(row.tool_id);
    if (text(row.created_at) !== undefined) entry.createdAt = Number(row.created_at);
    return entry;
  });
}

/**
 * A migration file's bytes as the tool reads them from disk (the tools hash files, not editor
 * buffers); the text Tidemark holds when the file is gone.
 */
export function fileBytes(path: string, fallback: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    return Buffer.from(fallback, 'utf8');
  }
}
