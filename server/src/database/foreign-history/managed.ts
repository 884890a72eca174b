/**
 * An environment managed by another tool: its database holds the history table of the tool whose
 * layout the migration files are in, and no Tidemark history. That table is then the state — read
 * into the same rows Tidemark's history gives, so status, the tree and the Status Matrix show it
 * with the states they know: applied (when the tool records a time), failed, pending (also after a
 * rollback the tool recorded), applied but missing its file, and drifted where the tool keeps a
 * checksum or the SQL it ran.
 */
import type { LayoutId, Migration } from '../../migrations/types';
import { classifyFile, versionId } from '../../migrations/version';
import type { HistoryRow } from '../history';
import { matchEntry, readerOf } from './index';
import type { ForeignEntry, ForeignTable, ForeignTool } from './reader';

/** The layout the files are in: the one most migrations were read as. */
export function filesLayout(migrations: Migration[]): LayoutId | undefined {
  const counts = new Map<LayoutId, number>();
  for (const m of migrations) {
    const layout = m.execution.layout;
    counts.set(layout, (counts.get(layout) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** Whether a tool's table is the history of files in `layout`. */
export const isHistoryOf = (tool: ForeignTool, layout: LayoutId | undefined): boolean => layout !== undefined && readerOf(tool).layout === layout;

export interface ManagedState {
  /** The managing tool's table. */
  table: ForeignTable;
  rows: HistoryRow[];
  /** Per version (versionId): what the tool's table says beyond the state (rolled back, the drizzle-kit watermark). */
  notes: Map<string, string>;
  /** Versions whose drift is known from a checksum only: the SQL that ran is not stored. */
  checksumOnly: Set<string>;
  /** A note for every pending file older than the newest applied one (drizzle-kit never runs those). */
  watermark?: string;
}

/** Comments, whitespace and semicolons do not count when comparing stored statements with a file. */
function comparable(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/[\s;]+/g, ' ')
    .trim();
}

export function managedRows(table: ForeignTable, entries: ForeignEntry[], migrations: Migration[]): ManagedState {
  const tool = table.tool;
  const reader = readerOf(tool);
  const rows: HistoryRow[] = [];
  const notes = new Map<string, string>();
  const checksumOnly = new Set<string>();
  const seen = new Set<string>();
  for (const entry of entries) {
    const m = matchEntry(tool, entry, migrations);
    // A row whose file is gone shows the version its name carries (`20240101000000_init` → 20240101000000).
    const named = m ? undefined : classifyFile(`${entry.version}.sql`);
    const version = m?.version ?? named?.version ?? entry.version;
    const key = versionId(version);
    if (entry.undone) {
      notes.set(key, entry.undone);
      continue;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    let drifted = false;
    if (m && entry.sql !== undefined) {
      drifted = comparable(entry.sql) !== comparable(m.up.text);
    } else if (m && entry.checksum !== undefined && reader.checksumOf) {
      const now = reader.checksumOf(m, migrations);
      drifted = now !== undefined && now !== entry.checksum;
      if (drifted) checksumOnly.add(key);
    }
    rows.push({
      version,
      name: m?.name ?? named?.name ?? entry.name ?? entry.version,
      checksum: drifted || !m ? `${tool}:${entry.checksum ?? entry.version}` : m.checksum,
      upSql: entry.sql ?? (m && !drifted ? m.up.text : ''),
      downSql: m?.down?.text,
      verifySql: m?.verify?.text,
      appliedAt: entry.appliedAt ?? '',
      appliedBy: tool,
      state: entry.failed ? 'failed' : 'applied',
      statementsDone: 0,
      ...(entry.failed ? { error: entry.error ?? `${tool} records it as failed` } : {}),
      ...(!m && !named ? { unordered: true } : {}),
    });
    // A repeatable migration that changed is not drift: it runs again (status says so).
    if (drifted && !m?.repeatable)
      notes.set(key, `edited after it was applied: ${entry.sql !== undefined ? `the file differs from the SQL ${tool} stored` : `${tool}'s checksum differs from the file's`}`);
  }
  return { table, rows, notes, checksumOnly };
}

/** drizzle-kit's watermark: a file older than the newest applied one is never run by it. */
export function watermarkNote(tool: ForeignTool, entries: ForeignEntry[]): string | undefined {
  if (tool !== 'drizzle') return undefined;
  const newest = Math.max(...entries.map((e) => e.createdAt ?? 0));
  if (!Number.isFinite(newest) || newest <= 0) return undefined;
  return `drizzle-kit will never run it: it runs only files whose journal time is after the newest applied row's created_at (${new Date(newest).toISOString()})`;
}
