/**
 * Liquibase: `databasechangelog`. Columns as Liquibase creates it (liquibase/liquibase,
 * StandardChangeLogHistoryService): id, author, filename, dateexecuted, orderexecuted, exectype
 * (EXECUTED, FAILED, SKIPPED, RERAN, MARK_RAN), md5sum ("9:" + MD5 of the normalised changeset),
 * description, comments, tag, liquibase, contexts, labels, deployment_id. A changeset is known by
 * author and id (`author:id`, as the layout reader keys it; and file); SKIPPED did not run. Liquibase's MD5 normalisation is not
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
      `SELECT author || ':' || id AS version, id AS name, ${isoText('dateexecuted', t.columns.dateexecuted ?? '')} AS applied_at, exectype = 'FAILED' AS failed,
              CASE WHEN exectype = 'SKIPPED' THEN 'skipped by Liquibase (EXECTYPE SKIPPED): not run' END AS undone
         FROM ${quotedName(t)} ORDER BY orderexecuted, dateexecuted`,
    ),
  // The layout reader keys a changeset `author:id` and names it by its id.
  match: (entry, migrations) => migrations.find((m) => m.version === entry.version) ?? migrations.find((m) => m.name === entry.name),
};
