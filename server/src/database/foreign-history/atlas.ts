/**
 * Atlas (`atlas migrate apply`): `atlas_schema_revisions.atlas_schema_revisions`, or the table in
 * the connected schema. Columns as Atlas's ent schema defines them (ariga/atlas,
 * cmd/atlas/internal/migrate/ent/migrate/schema.go): version, description, type, applied, total,
 * executed_at, execution_time, error, error_stmt, hash, partial_hashes, operator_version. A file
 * stopped part-way has applied < total and its error set. `hash` is the file's line of atlas.sum:
 * a running SHA-256 over every file name and content up to it (sql/migrate/dir.go NewHashFile),
 * so an edited file changes its own hash and every later one's.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { Migration } from '../../migrations/types';
import { fileBytes, isoText, queryEntries, quotedName, type ForeignHistoryReader } from './reader';

export const atlas: ForeignHistoryReader = {
  tool: 'atlas',
  layout: 'atlas',
  commands: { apply: 'atlas migrate apply' },
  tables: [{ schema: 'atlas_schema_revisions', table: 'atlas_schema_revisions' }, { table: 'atlas_schema_revisions' }],
  recognises: (_table, columns) => Boolean(columns.version && columns.partial_hashes !== undefined && columns.applied),
  read: (db, t) =>
    queryEntries(
      db,
      // type 1 is a baseline row written by --baseline (no file ran), kept as applied like Atlas does.
      `SELECT version, description AS name, ${isoText('executed_at', t.columns.executed_at ?? '')} AS applied_at,
              (error IS NOT NULL AND error <> '') OR applied < total AS failed, nullif(error, '') AS error, hash AS checksum
         FROM ${quotedName(t)} ORDER BY version`,
    ),
  checksumOf: (m, migrations) => runningHash(migrations, m),
};

function runningHash(migrations: Migration[], upTo: Migration): string | undefined {
  const h = createHash('sha256');
  for (const m of migrations) {
    h.update(basename(m.up.file.path));
    h.update(fileBytes(m.up.file.path, m.up.file.text));
    if (m === upTo) return h.copy().digest('base64');
  }
  return undefined;
}
