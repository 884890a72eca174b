/**
 * node-pg-migrate: `pgmigrations` (table and schema configurable). Columns as node-pg-migrate
 * creates it (salsita/node-pg-migrate, src/runner.ts ensureMigrationsTable): id serial, name
 * varchar(255) — the file name without its extension —, run_on timestamp. `down` deletes the row.
 */
import { isoText, queryEntries, quotedName, type ForeignHistoryReader } from './reader';
import { matchMigration } from './description';

export const nodePgMigrate: ForeignHistoryReader = {
  tool: 'node-pg-migrate',
  layout: 'node-pg-migrate',
  commands: { apply: 'npx node-pg-migrate up', rollback: 'npx node-pg-migrate down' },
  tables: [{ table: 'pgmigrations' }],
  recognises: (_table, columns) => Boolean(columns.name && columns.run_on),
  read: (db, t) =>
    queryEntries(db, `SELECT name AS version, name, ${isoText('run_on', t.columns.run_on ?? '')} AS applied_at, false AS failed FROM ${quotedName(t)} ORDER BY run_on, id`),
  match: (entry, migrations) => migrations.find((m) => `${m.version}_${m.name}` === entry.version) ?? matchMigration(entry.version, migrations),
};
