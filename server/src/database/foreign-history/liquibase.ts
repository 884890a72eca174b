/**
 * Liquibase: `databasechangelog`. Columns as Liquibase creates it (liquibase/liquibase,
 * StandardChangeLogHistoryService): id, author, filename, dateexecuted, orderexecuted, exectype
 * (EXECUTED, FAILED, SKIPPED, RERAN, MARK_RAN), md5sum ("9:" + MD5 of the normalised changeset),
 * description, comments, tag, liquibase, contexts, labels, deployment_id. A changeset is known by
 * its id (with author and file); SKIPPED did not run. Liquibase's MD5 normalisation is not
 * reproduced here: drift is not told for Liquibase.
 */
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
      `SELECT id AS version, filename AS name, ${isoText('dateexecuted', t.columns.dateexecuted ?? '')} AS applied_at, exectype = 'FAILED' AS failed,
              CASE WHEN exectype = 'SKIPPED' THEN 'skipped by Liquibase (EXECTYPE SKIPPED): not run' END AS undone
         FROM ${quotedName(t)} ORDER BY orderexecuted, dateexecuted`,
    ),
  match: (entry, migrations) => migrations.find((m) => m.name === entry.version || m.version === entry.version),
};
