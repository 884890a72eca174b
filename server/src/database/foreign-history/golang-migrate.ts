/**
 * golang-migrate: a one-row `schema_migrations(version bigint, dirty boolean)` holding the current
 * version, and whether its migration stopped half-way (dirty). Every file up to it has run; a dirty
 * current version has not finished.
 */
import { compareVersionKeys, versionKey } from '../../migrations/version';
import { queryEntries, quotedName, type ForeignHistoryReader } from './reader';

export const golangMigrate: ForeignHistoryReader = {
  tool: 'golang-migrate',
  tables: [{ table: 'schema_migrations' }],
  recognises: (_table, columns) => Boolean(columns.version) && columns.dirty === 'boolean',
  async read(db, t, migrations) {
    const [current] = await queryEntries(db, `SELECT version::text AS version, NULL::text AS applied_at, dirty AS failed FROM ${quotedName(t)}`);
    if (!current) return [];
    const key = versionKey(current.version);
    const below = migrations.filter((m) => compareVersionKeys(m.versionKey, key) < 0).map((m) => ({ version: m.version, failed: false }));
    const exact = migrations.find((m) => compareVersionKeys(m.versionKey, key) === 0);
    return [...below, { version: exact?.version ?? current.version, failed: current.failed }];
  },
};
