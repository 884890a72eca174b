/**
 * Whether Tidemark keeps an environment's history and, when it does not, what the database already
 * holds: another tool's history table, user tables and views. `status` reports it; `apply` refuses
 * an untracked environment (runner/refuse-untracked.ts) rather than run every migration again on a
 * database they built.
 */
import type { Migration } from '../migrations/types';
import { versionId } from '../migrations/version';
import type { EnvironmentTracking } from '../protocol';
import type { DatabaseAdapter } from './adapter';
import type { History, HistoryRow } from './history';
import { findForeignTables, matchEntry, qualifiedName, readerOf, readForeignEntries, type ForeignEntry, type ForeignTable } from './foreign-history';
import { filesLayout, isHistoryOf, managedRows, watermarkNote, type ManagedState } from './foreign-history/managed';
import { compatWriter } from './foreign-history/compat';

export { describeTracking } from './foreign-history/description';

/**
 * Tables and views outside the system schemas, Tidemark's and sqitch's, not counting extensions',
 * the foreign history tables, and the schemas the project's platform owns (Supabase's auth, storage...).
 */
export async function countUserObjects(
  db: DatabaseAdapter,
  historySchema: string,
  foreign: ForeignTable[],
  platformSchemas: readonly string[] = [],
): Promise<{ tables: number; views: number }> {
  const r = await db.query(
    `SELECT count(*) FILTER (WHERE c.relkind IN ('r', 'p', 'f'))::int AS tables, count(*) FILTER (WHERE c.relkind IN ('v', 'm'))::int AS views
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'sqitch', 'drizzle', 'supabase_migrations', 'graphile_migrate', 'atlas_schema_revisions', $1) AND n.nspname NOT LIKE 'pg\\_%' AND NOT (n.nspname = ANY ($3::text[]))
        AND NOT (n.nspname || '.' || c.relname = ANY ($2::text[]))
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`,
    [historySchema, foreign.map(qualifiedName), [...platformSchemas]],
  );
  return { tables: Number(r.rows[0]?.tables ?? 0), views: Number(r.rows[0]?.views ?? 0) };
}

/** The environment's tracking state; `rows` are Tidemark's history rows already read. */
export async function detectTracking(
  db: DatabaseAdapter,
  history: History,
  migrations: Migration[],
  rows: HistoryRow[],
  platformSchemas: readonly string[] = [],
): Promise<EnvironmentTracking> {
  return (await readTracking(db, history, migrations, rows, platformSchemas)).tracking;
}

/**
 * The tracking state, and for a managed environment the managing tool's table read as history rows.
 * The table of the files' own tool is preferred; another tool's table is reported, never read as
 * the files' state.
 */
export async function readTracking(
  db: DatabaseAdapter,
  history: History,
  migrations: Migration[],
  rows: HistoryRow[],
  platformSchemas: readonly string[] = [],
): Promise<{ tracking: EnvironmentTracking; managed?: ManagedState }> {
  const foreignTables = await findForeignTables(db);
  const layout = filesLayout(migrations);
  const own = foreignTables.find((t) => isHistoryOf(t.tool, layout));
  const first = own ?? foreignTables[0];
  const entries = first ? await readForeignEntries(db, first, migrations) : [];
  const shown = (e: ForeignEntry) => matchEntry(first!.tool, e, migrations)?.version ?? e.version;
  const foreign = first && {
    tool: first.tool,
    table: qualifiedName(first),
    versions: entries.filter((e) => !e.undone).map(shown),
    ...(entries.some((e) => e.failed) ? { failed: entries.filter((e) => e.failed).map(shown) } : {}),
  };
  if (rows.length > 0 || (await history.hasRecords())) {
    if (!foreign) return { tracking: { state: 'tracked' } };
    const recorded = new Set(rows.map((r) => versionId(r.version)));
    const notInHistory = entries
      .filter((e) => !e.failed && !e.undone)
      .filter((e) => {
        const m = matchEntry(first!.tool, e, migrations);
        return !recorded.has(versionId(m ? m.version : e.version));
      })
      .map(shown);
    return { tracking: { state: 'tracked', foreign, ...(notInHistory.length ? { notInHistory } : {}) } };
  }
  if (own && foreign) {
    const reader = readerOf(own.tool);
    const managed = managedRows(own, entries, migrations);
    const note = watermarkNote(own.tool, entries);
    if (note) managed.watermark = note;
    return {
      tracking: {
        state: 'managed',
        foreign,
        managedBy: { tool: own.tool, table: qualifiedName(own), writable: Boolean(compatWriter(own.tool)), ...(reader.commands ? { command: reader.commands.apply } : {}) },
      },
      managed,
    };
  }
  const { tables, views } = await countUserObjects(db, history.schema, foreignTables, platformSchemas);
  const objects = tables + views;
  if (!foreign && objects === 0) return { tracking: { state: 'empty', objects: 0 } };
  return { tracking: { state: 'untracked', ...(foreign ? { foreign } : {}), ...(foreign && layout && readerOf(first.tool).layout ? { filesLayout: layout } : {}), objects } };
}

/**
 * The rows that say what is applied: Tidemark's history, or for a managed environment its tool's
 * table read as rows (plan and verify act on the environment's real state either way).
 */
export async function stateRows(db: DatabaseAdapter, history: History, migrations: Migration[]): Promise<{ rows: HistoryRow[]; managed?: ManagedState }> {
  const rows = await history.rows();
  if (rows.length) return { rows };
  const { managed } = await readTracking(db, history, migrations, rows);
  return managed ? { rows: managed.rows, managed } : { rows };
}
