/**
 * Compatibility mode: recording in another tool's own history table exactly as that tool does,
 * so that the tool, run afterwards on the same database, applies nothing more, reports no error
 * and lists the same state. A tool is here only when a test runs the real tool after Tidemark
 * (test/cli/adopt.test.ts for dbmate, test/cli/managed-compat.test.ts for node-pg-migrate); every other tool's table is read-only for Tidemark.
 */
import { basename } from 'node:path';
import type { DatabaseAdapter } from '../adapter';
import type { Migration } from '../../migrations/types';
import { quotedName, type ForeignTable, type ForeignTool } from './reader';

export interface CompatWriter {
  /** Records `m` as applied, in the transaction that ran it. */
  record(db: DatabaseAdapter, t: ForeignTable, m: Migration): Promise<void>;
  /** Removes its record, in the transaction that ran its down section. */
  remove(db: DatabaseAdapter, t: ForeignTable, m: Migration): Promise<void>;
}

/**
 * dbmate (amacneil/dbmate, pkg/driver/postgres/postgres.go InsertMigration / DeleteMigration):
 * `insert into schema_migrations (version) values ($1)` in the migration's transaction, the
 * version being the file name's part before the first `_`; rollback deletes that row.
 */
const dbmate: CompatWriter = {
  record: (db, t, m) => db.query(`INSERT INTO ${quotedName(t)} (version) VALUES ($1)`, [m.version]).then(() => undefined),
  remove: (db, t, m) => db.query(`DELETE FROM ${quotedName(t)} WHERE version = $1`, [m.version]).then(() => undefined),
};

/**
 * node-pg-migrate (salsita/node-pg-migrate, src/runner.ts): after a migration's statements, in its
 * transaction, `INSERT INTO <schema>.<table> (name, run_on) VALUES (<file name without extension>, NOW())`;
 * `down` deletes the row by name.
 */
const fileStem = (m: Migration) => basename(m.up.file.path).replace(/\.[^.]*$/, '');
const nodePgMigrate: CompatWriter = {
  record: (db, t, m) => db.query(`INSERT INTO ${quotedName(t)} (name, run_on) VALUES ($1, NOW())`, [fileStem(m)]).then(() => undefined),
  remove: (db, t, m) => db.query(`DELETE FROM ${quotedName(t)} WHERE name = $1`, [fileStem(m)]).then(() => undefined),
};

const WRITERS: Partial<Record<ForeignTool, CompatWriter>> = { dbmate, 'node-pg-migrate': nodePgMigrate };

export const compatWriter = (tool: ForeignTool): CompatWriter | undefined => WRITERS[tool];
