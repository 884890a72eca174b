/**
 * Drizzle (drizzle-kit migrate / drizzle-orm's migrator), 0.x and v1: `drizzle.__drizzle_migrations`
 * (schema and table configurable). Columns as drizzle-orm's PgDialect.migrate creates them
 * (drizzle-team/drizzle-orm, drizzle-orm/src/pg-core/dialect.ts): id serial, hash text — the hex
 * SHA-256 of the migration's SQL file —, created_at bigint — the journal's `when` of the file
 * (folderMillis). No file name is stored: rows are matched to files by hash.
 *
 * drizzle-kit decides what is pending by a watermark, not by the rows: it runs every file whose
 * `when` is later than the newest row's created_at, so a file older than the newest applied one
 * is never run by drizzle-kit (status says so).
 */
import { fileBytes, queryEntries, quotedName, type ForeignHistoryReader } from './reader';
import { sha256Hex } from './prisma';

export const drizzle: ForeignHistoryReader = {
  tool: 'drizzle',
  layout: 'drizzle',
  commands: { apply: 'npx drizzle-kit migrate' },
  tables: [{ schema: 'drizzle', table: '__drizzle_migrations' }, { table: '__drizzle_migrations' }],
  recognises: (_table, columns) => Boolean(columns.hash && columns.created_at),
  read: (db, t) =>
    queryEntries(
      db,
      `SELECT hash AS version, NULL::text AS applied_at, false AS failed, hash AS checksum, created_at::text AS created_at FROM ${quotedName(t)} ORDER BY created_at, id`,
    ).then((entries) => entries.map((e) => ({ ...e, appliedAt: e.createdAt ? new Date(e.createdAt).toISOString() : undefined }))),
  match: (entry, migrations) => migrations.find((m) => drizzle.checksumOf!(m, migrations) === entry.version),
  checksumOf: (m) => sha256Hex(fileBytes(m.up.file.path, m.up.file.text).toString('utf8')),
};
