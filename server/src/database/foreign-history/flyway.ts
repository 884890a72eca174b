/**
 * Flyway: `flyway_schema_history`, in `installed_rank` order, `success = false` for a failed run.
 * `checksum` is Flyway's CRC-32 of the file (flyway/flyway, flyway-core .../resolver/
 * ChecksumCalculator.java): over the UTF-8 bytes of each line without its line break, a BOM
 * dropped from the first line, stored as a signed 32-bit integer — so line endings do not count.
 */
import { crc32 } from 'node:zlib';
import { fileBytes, isoText, queryEntries, quotedName, type ForeignHistoryReader } from './reader';

export const flyway: ForeignHistoryReader = {
  tool: 'flyway',
  layout: 'flyway',
  commands: { apply: 'flyway migrate', rollback: 'flyway undo' },
  tables: [{ table: 'flyway_schema_history' }],
  recognises: (_table, columns) => Boolean(columns.version && columns.success),
  // SCHEMA rows (Flyway created the schema) and repeatable migrations have no version; DELETE
  // rows are what `flyway repair` left of removed failures.
  read: (db, t) =>
    queryEntries(
      db,
      `SELECT version::text AS version, ${isoText('installed_on', t.columns.installed_on ?? '')} AS applied_at, NOT success AS failed, checksum::text AS checksum
         FROM ${quotedName(t)} WHERE version IS NOT NULL AND type NOT IN ('SCHEMA', 'DELETE', 'UNDO_SQL', 'UNDO_JDBC') ORDER BY installed_rank`,
    ),
  checksumOf: (m) => flywayChecksum(fileBytes(m.up.file.path, m.up.file.text).toString('utf8')),
};

export function flywayChecksum(text: string): string {
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n|\r|\n/g, '');
  return String(crc32(Buffer.from(lines, 'utf8')) | 0);
}
