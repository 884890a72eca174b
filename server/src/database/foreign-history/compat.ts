/**
 * Compatibility mode: recording in another tool's own history table exactly as that tool does,
 * so that the tool, run afterwards on the same database, applies nothing more, reports no error
 * and lists the same state. A tool is here only when a test runs the real tool after Tidemark
 * (test/cli/adopt.test.ts for dbmate; test/cli/managed-compat.test.ts for node-pg-migrate,
 * graphile-migrate, drizzle-kit and sqitch); every other tool's table is read-only for Tidemark.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { DatabaseAdapter } from '../adapter';
import type { Migration } from '../../migrations/types';
import { parseCommitted } from '../../migrations/layouts/graphile-migrate';
import { readJournal } from '../../migrations/layouts/drizzle';
import { committedHash } from './graphile-migrate';
import { drizzle as drizzleReader } from './drizzle';
import { sqitchRecord, sqitchRefuses, sqitchRemove } from './sqitch-compat';
import { quotedName, type ForeignTable, type ForeignTool } from './reader';

export interface CompatWriter {
  /** Records `m` as applied, in the transaction that ran it. */
  record(db: DatabaseAdapter, t: ForeignTable, m: Migration): Promise<void>;
  /** Removes its record, in the transaction that ran its down section. */
  remove(db: DatabaseAdapter, t: ForeignTable, m: Migration): Promise<void>;
  /** Why the tool would not run `m` as Tidemark is about to (nothing runs then), when it would not. */
  refuses?(m: Migration): string | undefined;
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

/**
 * graphile-migrate (graphile/migrate, src/migration.ts runStringMigration / undoMigration): after
 * the body, in its transaction (none under `--! no-transaction`), `insert into
 * graphile_migrate.migrations(hash, previous_hash, filename) values ($1, $2, $3)` with the file's
 * `--! Hash:` and `--! Previous:` headers (`-` stored as NULL) and `NNNNNN.sql`; `date` takes its
 * default. Its `migrate` runs the files named after the newest filename, so the row is all it reads.
 */
const PLACEHOLDER = /:DATABASE_NAME\b|:DATABASE_OWNER\b/;
const graphileMigrate: CompatWriter = {
  record: (db, t, m) => {
    const parsed = parseCommitted(m.up.file.text);
    const previous = 'error' in parsed ? undefined : parsed.headers.get('Previous');
    return db
      .query(`INSERT INTO ${quotedName(t)} (hash, previous_hash, filename) VALUES ($1, $2, $3)`, [m.toolId, previous && previous !== '-' ? previous : null, `${m.version}.sql`])
      .then(() => undefined);
  },
  remove: (db, t, m) => db.query(`DELETE FROM ${quotedName(t)} WHERE hash = $1`, [m.toolId]).then(() => undefined),
  refuses: (m) => {
    const hash = committedHash(m.up.file.text);
    if (hash === undefined) return 'graphile-migrate cannot read its headers';
    if (hash !== m.toolId && !/^--! AllowInvalidHash$/m.test(m.up.file.text)) return 'its body no longer matches its --! Hash header (graphile-migrate refuses to run it)';
    const placeholder = PLACEHOLDER.exec(m.up.text)?.[0];
    if (placeholder) return `it uses ${placeholder}, which graphile-migrate replaces before running and Tidemark does not; run \`npx graphile-migrate migrate\``;
    return undefined;
  },
};

/**
 * drizzle-kit migrate (drizzle-orm's migrator.ts readMigrationFiles and pg-core/dialect.ts
 * migrate): after the file's statements, `insert into drizzle.__drizzle_migrations ("hash",
 * "created_at") values (<hex SHA-256 of the file as read from disk>, <the journal entry's when>)`.
 * drizzle runs only files whose `when` is after the newest row's created_at, so the row is all it
 * reads. It runs every pending file in one transaction where Tidemark runs one per file: the state
 * left is the same. It never removes a row (there are no downs).
 */
function journalTime(m: Migration): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(dirname(m.up.file.path), 'meta', '_journal.json'), 'utf8');
  } catch {
    return undefined;
  }
  const journal = readJournal(text);
  if ('error' in journal) return undefined;
  return journal.entries.find((e) => e.tag === basename(m.up.file.path).replace(/\.sql$/, ''))?.when;
}
const drizzle: CompatWriter = {
  record: (db, t, m) => db.query(`INSERT INTO ${quotedName(t)} (hash, created_at) VALUES ($1, $2)`, [drizzleReader.checksumOf!(m, []), journalTime(m)]).then(() => undefined),
  remove: (db, t, m) => db.query(`DELETE FROM ${quotedName(t)} WHERE hash = $1`, [drizzleReader.checksumOf!(m, [])]).then(() => undefined),
  refuses: (m) =>
    journalTime(m) === undefined
      ? `meta/_journal.json beside it does not list it, so drizzle-kit has no journal time to record (Drizzle 1.x folders are not written in compatibility mode); run \`npx drizzle-kit migrate\``
      : undefined,
};

/** sqitch: its registry, as sqitch-compat.ts describes. */
const sqitch: CompatWriter = { record: sqitchRecord, remove: sqitchRemove, refuses: sqitchRefuses };

const WRITERS: Partial<Record<ForeignTool, CompatWriter>> = { dbmate, 'node-pg-migrate': nodePgMigrate, 'graphile-migrate': graphileMigrate, drizzle, sqitch };

export const compatWriter = (tool: ForeignTool): CompatWriter | undefined => WRITERS[tool];
