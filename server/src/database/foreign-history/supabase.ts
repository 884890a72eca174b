/**
 * Supabase CLI (`supabase db push`, `supabase migration up`): `supabase_migrations.schema_migrations`.
 * Columns as the CLI creates them (supabase/cli, pkg/migration/history.go): version text primary
 * key (the file's timestamp), name text, statements text[] — the statements it ran, split from the
 * file —, and in newer CLIs created_by and idempotency_key. No time and no failure are recorded:
 * a row is written in the same transaction as the file's statements.
 */
import { queryEntries, quotedName, type ForeignHistoryReader } from './reader';
import { byVersion } from './order';

export const supabase: ForeignHistoryReader = {
  tool: 'supabase',
  layout: 'supabase',
  commands: { apply: 'npx supabase db push' },
  tables: [{ schema: 'supabase_migrations', table: 'schema_migrations' }],
  recognises: (_table, columns) => Boolean(columns.version && columns.statements),
  read: async (db, t, migrations) =>
    byVersion(
      await queryEntries(
        db,
        `SELECT version, ${t.columns.name ? 'name' : 'NULL::text'} AS name, NULL::text AS applied_at, false AS failed, array_to_string(statements, E'\\n') AS sql FROM ${quotedName(t)}`,
      ),
      migrations,
    ),
};
