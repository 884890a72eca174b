/**
 * Liquibase: `databasechangelog`. Columns as Liquibase creates it (liquibase/liquibase,
 * StandardChangeLogHistoryService): id, author, filename, dateexecuted, orderexecuted, exectype
 * (EXECUTED, FAILED, SKIPPED, RERAN, MARK_RAN), md5sum ("9:" + MD5 of the normalised changeset),
 * description, comments, tag, liquibase, contexts, labels, deployment_id. A changeset is known by
 * author and id (`author:id`, as the layout reader keys it; and file); SKIPPED did not run.
 *
 * Drift: MD5SUM as Liquibase 4.24+ computes it (checksum version 9) for a formatted SQL
 * changeset, read from liquibase-standard ChangeSet.generateCheckSum and AbstractSQLChange
 * (generateCheckSum, NormalizingStream): the change's SQL — the changeset's lines that are not
 * its directives (rollback, comment, preconditions), comments in the SQL included — with every
 * space, tab, CR and LF removed, MD5 in hex as `9:HEX`; the changeset's checksum is the MD5 of that
 * followed by `:`, again as `9:HEX`. Rows of older Liquibase versions (`8:`, `7:`...) hash
 * differently and are not compared.
 */
import { createHash } from 'node:crypto';
import { isoText, queryEntries, quotedName, type ForeignHistoryReader } from './reader';

export const liquibase: ForeignHistoryReader = {
  tool: 'liquibase',
  layout: 'liquibase',
  commands: { apply: 'liquibase update', rollback: 'liquibase rollback-count 1' },
  tables: [{ table: 'databasechangelog' }],
  recognises: (_table, columns) => Boolean(columns.id && columns.exectype && columns.md5sum),
  read: (db, t) =>
    queryEntries(
      db,
      `SELECT author || ':' || id AS version, id AS name, ${isoText('dateexecuted', t.columns.dateexecuted ?? '')} AS applied_at, exectype = 'FAILED' AS failed,
              CASE WHEN exectype = 'SKIPPED' THEN 'skipped by Liquibase (EXECTYPE SKIPPED): not run' END AS undone,
              CASE WHEN md5sum LIKE '9:%' THEN md5sum END AS checksum
         FROM ${quotedName(t)} ORDER BY orderexecuted, dateexecuted`,
    ),
  // The layout reader keys a changeset `author:id` and names it by its id.
  match: (entry, migrations) => migrations.find((m) => m.version === entry.version) ?? migrations.find((m) => m.name === entry.name),
  checksumOf: (m) => liquibaseChecksum(m.up.text),
};

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** MD5SUM (checksum version 9) of a formatted SQL changeset whose SQL is `sql`. */
export function liquibaseChecksum(sql: string): string {
  return `9:${md5(`9:${md5(sql.replace(/[ \t\r\n]/g, ''))}:`)}`;
}
