/**
 * diesel: `__diesel_schema_migrations`. Columns as diesel_migrations creates it (diesel-rs/diesel,
 * diesel_migrations/src/migration_harness.rs, CREATE_MIGRATIONS_TABLE): version varchar(50)
 * primary key, run_on timestamp. The version is the folder name's leading part with its dashes
 * removed (`2024-01-02-030405_users` → `20240102030405`). One row per applied migration, written
 * in its transaction; `diesel migration revert` deletes it.
 */
import { isoText, queryEntries, quotedName, type ForeignHistoryReader } from './reader';
import { byVersion } from './order';

export const diesel: ForeignHistoryReader = {
  tool: 'diesel',
  layout: 'diesel',
  commands: { apply: 'diesel migration run', rollback: 'diesel migration revert' },
  tables: [{ table: '__diesel_schema_migrations' }],
  recognises: (_table, columns) => Boolean(columns.version && columns.run_on),
  read: async (db, t, migrations) =>
    byVersion(
      await queryEntries(db, `SELECT version::text AS version, ${isoText('run_on', t.columns.run_on ?? '')} AS applied_at, false AS failed FROM ${quotedName(t)}`),
      migrations,
    ),
};
