/**
 * sqlx: `_sqlx_migrations`. Columns as sqlx creates them (launchbadge/sqlx, sqlx-postgres/src/migrate.rs,
 * ensure_migrations_table): version bigint, description text, installed_on timestamptz, success
 * boolean (false: a no-transaction migration stopped part-way; `sqlx migrate run` then refuses),
 * checksum bytea — the SHA-384 of the file's SQL —, execution_time bigint.
 */
import { createHash } from 'node:crypto';
import { fileBytes, isoText, queryEntries, quotedName, type ForeignHistoryReader } from './reader';

export const sqlx: ForeignHistoryReader = {
  tool: 'sqlx',
  layout: 'sqlx',
  commands: { apply: 'sqlx migrate run', rollback: 'sqlx migrate revert' },
  tables: [{ table: '_sqlx_migrations' }],
  recognises: (_table, columns) => Boolean(columns.version && columns.success && columns.checksum === 'bytea'),
  read: (db, t) =>
    queryEntries(
      db,
      `SELECT version::text AS version, description AS name, ${isoText('installed_on', 'timestamp with time zone')} AS applied_at, NOT success AS failed, encode(checksum, 'hex') AS checksum
         FROM ${quotedName(t)} ORDER BY version`,
    ),
  checksumOf: (m) => createHash('sha384').update(fileBytes(m.up.file.path, m.up.file.text)).digest('hex'),
};
