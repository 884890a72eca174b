/** sqitch: its registry schema's `sqitch.changes`, one row per deployed change, by change name. */
import { matchMigration } from './description';
import { isoText, queryEntries, quotedName, type ForeignHistoryReader } from './reader';

export const sqitch: ForeignHistoryReader = {
  tool: 'sqitch',
  layout: 'sqitch',
  commands: { apply: 'sqitch deploy', rollback: 'sqitch revert --to @HEAD^' },
  tables: [{ schema: 'sqitch', table: 'changes' }],
  recognises: (_table, columns) => Boolean(columns.change && columns.change_id && columns.committed_at),
  read: (db, t) =>
    queryEntries(
      db,
      `SELECT change::text AS version, change_id::text AS tool_id, ${isoText('committed_at', 'timestamp with time zone')} AS applied_at, false AS failed FROM ${quotedName(t)} ORDER BY committed_at`,
    ),
  // A change is known by its ID (a reworked change has one per rework: insert_user and insert_user~2),
  // else by its name; its position in the plan is no version to compare with.
  match: (entry, migrations) =>
    (entry.toolId !== undefined ? migrations.find((m) => m.toolId === entry.toolId) : undefined) ??
    migrations.find((m) => m.name === entry.version) ??
    matchMigration(entry.version, migrations),
};
