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
  // SCHEMA rows (Flyway created the schema) have no version; DELETE rows are what `flyway repair`
  // left of removed failures. A repeatable migration has no version either: Flyway adds a row each
  // time it runs one, so its newest row (by installed_rank) is its state, keyed by its script's
  // stem (`R__views`), as Tidemark's reader names it.
  read: (db, t) =>
    queryEntries(
      db,
      `SELECT COALESCE(version::text, regexp_replace(script, '^.*/|\\.sql$', '', 'g')) AS version, ${isoText('installed_on', t.columns.installed_on ?? '')} AS applied_at,
              NOT success AS failed, checksum::text AS checksum
         FROM ${quotedName(t)} h
        WHERE type NOT IN ('SCHEMA', 'DELETE', 'UNDO_SQL', 'UNDO_JDBC')
          AND (version IS NOT NULL
               OR (script ~ '(^|/)R__[^/]+\\.sql$' AND installed_rank = (SELECT max(installed_rank) FROM ${quotedName(t)} n WHERE n.script = h.script AND n.version IS NULL AND n.type NOT IN ('DELETE'))))
        ORDER BY installed_rank`,
    ),
  checksumOf: (m) => flywayChecksum(fileBytes(m.up.file.path, m.up.file.text).toString('utf8')),
};

export function flywayChecksum(text: string): string {
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n|\r|\n/g, '');
  return String(crc32(Buffer.from(lines, 'utf8')) | 0);
}
