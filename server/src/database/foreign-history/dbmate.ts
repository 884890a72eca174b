/** dbmate: `schema_migrations(version varchar)`, one row per applied file, no time. */
import { queryEntries, quotedName, type ForeignHistoryReader } from './reader';
import { byVersion } from './order';

export const dbmate: ForeignHistoryReader = {
  tool: 'dbmate',
  tables: [{ table: 'schema_migrations' }],
  recognises: (_table, columns) => Boolean(columns.version?.startsWith('character varying')) && !columns.applied_at,
  read: async (db, t, migrations) =>
    byVersion(await queryEntries(db, `SELECT version::text AS version, NULL::text AS applied_at, false AS failed FROM ${quotedName(t)}`), migrations),
};
