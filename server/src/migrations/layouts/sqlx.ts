/**
 * sqlx (Rust): `<version>_<description>.sql` files that only go up ("simple" migrations: no down
 * by design) or reversible `<version>_<description>.up.sql` / `.down.sql` pairs; a file whose
 * first line is `-- no-transaction` runs outside a transaction. Detected from a Cargo.toml beside
 * the folder that depends on sqlx, or a `-- no-transaction` first line.
 */
import { describeExecution } from '../execution';
import type { Migration } from '../types';
import { readNamedFiles } from './named-files';
import { CONTENT, MARKER_FILE, type LayoutReader } from './reader';

const NO_TRANSACTION = /^-- no-transaction/;

/** A migration read by file names, as sqlx runs it. */
export function asSqlx(m: Migration): Migration {
  const noTransaction = NO_TRANSACTION.test(m.up.file.text);
  const simple = m.layout !== 'paired';
  return {
    ...m,
    execution: describeExecution('sqlx', { noTransaction: noTransaction || (m.noTransactionDirective && m.execution.noTransactionMarker), noDownsByDesign: simple && !m.down }),
    noTransactionDirective: m.noTransactionDirective || noTransaction,
  };
}

export const sqlx: LayoutReader = {
  id: 'sqlx',
  defaultFolders: ['migrations'],
  detect(census) {
    const sql = census.files('.sql');
    if (sql.length === 0) return undefined;
    const cargo = census.has('../Cargo.toml') ? census.text('../Cargo.toml') : undefined;
    if (cargo && /^\s*sqlx\b/m.test(cargo)) return { score: MARKER_FILE, evidence: 'Cargo.toml depends on sqlx' };
    const noTx = census.commented('.sql').filter((name) => NO_TRANSACTION.test(census.text(name) ?? ''));
    return noTx.length ? { score: CONTENT * noTx.length, evidence: `-- no-transaction first lines in ${noTx.length} files` } : undefined;
  },
  read(census) {
    const reading = readNamedFiles(census);
    reading.migrations = reading.migrations.map(asSqlx);
    return reading;
  },
  fromNamedFiles: asSqlx,
};
