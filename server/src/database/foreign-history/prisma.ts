/**
 * Prisma Migrate: `_prisma_migrations`, one row per attempt at a migration folder. Columns as the
 * schema engine creates them (prisma/prisma-engines, schema-engine/connectors/sql-schema-connector,
 * the postgres flavour's `create_migrations_table`): id varchar(36), checksum varchar(64) — the
 * hex SHA-256 of migration.sql —, finished_at timestamptz (NULL while running or after a
 * failure), migration_name varchar(255) (the folder name), logs text (the error), rolled_back_at
 * timestamptz (set by `prisma migrate resolve --rolled-back`), started_at, applied_steps_count.
 * A folder may have several rows (a failure, resolved, then applied again): the newest decides.
 */
import { createHash } from 'node:crypto';
import { fileBytes, isoText, queryEntries, quotedName, type ForeignHistoryReader } from './reader';

export const prisma: ForeignHistoryReader = {
  tool: 'prisma',
  layout: 'prisma',
  commands: { apply: 'npx prisma migrate deploy' },
  tables: [{ table: '_prisma_migrations' }],
  recognises: (_table, columns) => Boolean(columns.migration_name && columns.checksum && columns.started_at),
  read: (db, t) =>
    queryEntries(
      db,
      `SELECT DISTINCT ON (migration_name) migration_name AS version, migration_name AS name,
              ${isoText('coalesce(finished_at, started_at)', 'timestamp with time zone')} AS applied_at,
              (finished_at IS NULL AND rolled_back_at IS NULL) AS failed,
              CASE WHEN rolled_back_at IS NOT NULL THEN 'marked rolled back (prisma migrate resolve --rolled-back) on ' || ${isoText('rolled_back_at', 'timestamp with time zone')} END AS undone,
              logs AS error, checksum
         FROM ${quotedName(t)} ORDER BY migration_name, started_at DESC`,
    ).then((entries) => entries.sort((a, b) => (a.appliedAt ?? '').localeCompare(b.appliedAt ?? '') || a.version.localeCompare(b.version))),
  // Prisma accepts a checksum taken with either line ending (migration_script_matches_checksum).
  checksumOf: (m) => sha256Hex(fileBytes(m.up.file.path, m.up.file.text)),
};

export const sha256Hex = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
