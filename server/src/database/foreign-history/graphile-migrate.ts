/**
 * graphile-migrate: `graphile_migrate.migrations`. Columns as graphile-migrate creates them
 * (graphile/migrate, src/migration.ts): hash text primary key, previous_hash text, filename text
 * (`000001.sql`), date timestamptz. A committed file carries `--! Previous:` and `--! Hash:`
 * headers; the hash is `sha1:` + SHA-1 of the previous hash, a newline and the trimmed body
 * (src/hash.ts), so an edited body no longer matches the hash recorded when it ran.
 */
import { basename } from 'node:path';
import { graphileHash, parseCommitted } from '../../migrations/layouts/graphile-migrate';
import { fileBytes, isoText, queryEntries, quotedName, type ForeignHistoryReader } from './reader';

export const graphileMigrate: ForeignHistoryReader = {
  tool: 'graphile-migrate',
  layout: 'graphile-migrate',
  commands: { apply: 'npx graphile-migrate migrate' },
  tables: [{ schema: 'graphile_migrate', table: 'migrations' }],
  recognises: (_table, columns) => Boolean(columns.hash && columns.previous_hash !== undefined && columns.filename),
  read: (db, t) =>
    queryEntries(
      db,
      `SELECT regexp_replace(filename, '\\.sql$', '') AS version, filename AS name, ${isoText('date', 'timestamp with time zone')} AS applied_at, false AS failed, hash AS checksum FROM ${quotedName(t)} ORDER BY filename`,
    ),
  match: (entry, migrations) => migrations.find((m) => basename(m.up.file.path) === entry.name) ?? migrations.find((m) => m.version === entry.version),
  checksumOf: (m) => committedHash(fileBytes(m.up.file.path, m.up.file.text).toString('utf8')),
};

/** The hash graphile-migrate computes for a committed file: over its body, chained to `--! Previous:`. */
export function committedHash(text: string): string | undefined {
  const parsed = parseCommitted(text);
  if ('error' in parsed) return undefined;
  const previous = parsed.headers.get('Previous');
  return graphileHash(parsed.body, previous && previous !== '-' ? previous : null);
}
