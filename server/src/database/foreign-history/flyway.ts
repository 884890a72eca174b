/** Flyway: `flyway_schema_history`, in `installed_rank` order, `success = false` for a failed run. */
import { isoText, queryEntries, quotedName, type ForeignHistoryReader } from './reader';

export const flyway: ForeignHistoryReader = {
  tool: 'flyway',
  tables: [{ table: 'flyway_schema_history' }],
  recognises: (_table, columns) => Boolean(columns.version && columns.success),
  // SCHEMA rows (Flyway created the schema) and repeatable migrations have no version; DELETE
  // rows are what `flyway repair` left of removed failures.
  read: (db, t) =>
    queryEntries(
      db,
      `SELECT version::text AS version, ${isoText('installed_on', t.columns.installed_on ?? '')} AS applied_at, NOT success AS failed
         FROM ${quotedName(t)} WHERE version IS NOT NULL AND type NOT IN ('SCHEMA', 'DELETE', 'UNDO_SQL', 'UNDO_JDBC') ORDER BY installed_rank`,
    ),
};
