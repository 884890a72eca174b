/**
 * A runbook's own `schema_migrations(version text, applied_at)` holding versions or file base
 * names; also any table named with `--from table:SCHEMA.TABLE` that has a `version` column.
 */
import { isoText, queryEntries, quotedName, type ForeignHistoryReader } from './reader';
import { byVersion } from './order';

export const versionTable: ForeignHistoryReader = {
  tool: 'table',
  tables: [{ table: 'schema_migrations' }],
  recognises: (_table, columns) => Boolean(columns.version),
  read: async (db, t, migrations) =>
    byVersion(
      await queryEntries(
        db,
        `SELECT version::text AS version, ${t.columns.applied_at ? isoText('applied_at', t.columns.applied_at) : 'NULL::text'} AS applied_at, false AS failed FROM ${quotedName(t)}`,
      ),
      migrations,
    ),
};
