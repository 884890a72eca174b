/**
 * goose: `goose_db_version`, an append-only log. Columns as goose creates them (pressly/goose,
 * internal/dialect/dialectquery/postgres.go): id serial, version_id bigint, is_applied boolean,
 * tstamp timestamp. `goose up` appends (version, true), `goose down` appends (version, false) in
 * older releases or deletes the row in newer ones; the newest row of a version decides. goose
 * writes a version 0 row when it creates the table: no migration.
 */
import { isoText, queryEntries, quotedName, type ForeignHistoryReader } from './reader';

export const goose: ForeignHistoryReader = {
  tool: 'goose',
  layout: 'goose',
  commands: { apply: 'goose up', rollback: 'goose down' },
  tables: [{ table: 'goose_db_version' }],
  recognises: (_table, columns) => Boolean(columns.version_id && columns.is_applied),
  read: (db, t) =>
    queryEntries(
      db,
      `SELECT version, applied_at, failed, undone FROM (
         SELECT DISTINCT ON (version_id) version_id::text AS version, ${isoText('tstamp', t.columns.tstamp ?? '')} AS applied_at, false AS failed,
                CASE WHEN NOT is_applied THEN 'rolled back by goose down' END AS undone, version_id, id
           FROM ${quotedName(t)} WHERE version_id <> 0 ORDER BY version_id, id DESC) latest
        ORDER BY id`,
    ),
};
