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
import { findForeignTables, matchMigration, qualifiedName, readForeignEntries, type ForeignTable } from './foreign-history';

export { describeTracking } from './foreign-history/description';

/**
 * Tables and views outside the system schemas, Tidemark's and sqitch's, not counting extensions',
 * the foreign history tables, and the schemas the project's platform owns (Supabase's auth, storage...).
 */
export async function countUserObjects(db: DatabaseAdapter, historySchema: string, foreign: ForeignTable[], platformSchemas: readonly string[] = []): Promise<{ tables: number; views: number }> {
  const r = await db.query(
    `SELECT count(*) FILTER (WHERE c.relkind IN ('r', 'p', 'f'))::int AS tables, count(*) FILTER (WHERE c.relkind IN ('v', 'm'))::int AS views
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'sqitch', $1) AND n.nspname NOT LIKE 'pg\\_%' AND NOT (n.nspname = ANY ($3::text[]))
        AND NOT (n.nspname || '.' || c.relname = ANY ($2::text[]))
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`,
    [historySchema, foreign.map(qualifiedName), [...platformSchemas]],
  );
  return { tables: Number(r.rows[0]?.tables ?? 0), views: Number(r.rows[0]?.views ?? 0) };
}

/** The environment's tracking state; `rows` are Tidemark's history rows already read. */
export async function detectTracking(db: DatabaseAdapter, history: History, migrations: Migration[], rows: HistoryRow[], platformSchemas: readonly string[] = []): Promise<EnvironmentTracking> {
  const foreignTables = await findForeignTables(db);
  const first = foreignTables[0];
  const entries = first ? await readForeignEntries(db, first, migrations) : [];
  const foreign = first && {
    tool: first.tool,
    table: qualifiedName(first),
    versions: entries.map((e) => e.version),
    ...(entries.some((e) => e.failed) ? { failed: entries.filter((e) => e.failed).map((e) => e.version) } : {}),
  };
  if (rows.length > 0 || (await history.hasRecords())) {
    if (!foreign) return { state: 'tracked' };
    const recorded = new Set(rows.map((r) => versionId(r.version)));
    const notInHistory = entries
      .filter((e) => !e.failed)
      .map((e) => e.version)
      .filter((v) => {
        const m = matchMigration(v, migrations);
        return !recorded.has(versionId(m ? m.version : v));
      });
    return { state: 'tracked', foreign, ...(notInHistory.length ? { notInHistory } : {}) };
  }
  const { tables, views } = await countUserObjects(db, history.schema, foreignTables, platformSchemas);
  const objects = tables + views;
  if (!foreign && objects === 0) return { state: 'empty', objects: 0 };
  return { state: 'untracked', ...(foreign ? { foreign } : {}), objects };
}
