/**
 * apply's and rollback's guard (database/tracking.ts tells the state): an untracked environment is
 * adopted first, never migrated from scratch again on a database another tool or a person built;
 * a managed one is written only in its tool's compatibility mode.
 */
import type { Migration } from '../migrations/types';
import type { DatabaseAdapter } from '../database/adapter';
import { RunnerInputError, type Environment } from '../database/environments';
import type { History, HistoryRow } from '../database/history';
import { foreignParts, toolLabel, versionRange } from '../database/foreign-history/description';
import { readTracking } from '../database/tracking';
import { readerOf } from '../database/foreign-history';
import type { ManagedState } from '../database/foreign-history/managed';
import type { EnvironmentTracking } from '../protocol';

/**
 * Refuses an untracked environment, and a managed one whose tool has no compatibility writer
 * (naming the tool's own command and `tidemark adopt`); returns the managed state for the caller
 * to write through.
 */
export async function refuseUntracked(
  db: DatabaseAdapter,
  history: History,
  env: Environment,
  migrations: Migration[],
  rows: HistoryRow[],
  action: 'apply to' | 'roll back' = 'apply to',
): Promise<{ tracking: EnvironmentTracking; managed: ManagedState } | undefined> {
  if (rows.length > 0) return undefined;
  const { tracking, managed } = await readTracking(db, history, migrations, rows, env.platformSchemas);
  const envFlag = ` --env ${env.name}`;
  if (tracking.state === 'managed' && managed) {
    const by = tracking.managedBy!;
    if (by.writable) return { tracking, managed };
    const reader = readerOf(by.tool);
    const command = action === 'roll back' ? reader.commands?.rollback : reader.commands?.apply;
    throw new RunnerInputError(
      `refusing to ${action} ${env.name}: it is managed by ${toolLabel(foreignParts(by.tool, by.table))}, which Tidemark reads but does not write ` +
        `(no test shows ${by.tool} agreeing with what Tidemark would record). ${command ? `Run \`${command}\`` : `Use ${by.tool} itself`}, ` +
        `or move ${env.name} to Tidemark's history with \`tidemark adopt${envFlag} --from ${by.tool}\` (\`--dry-run\` shows what would be recorded)`,
    );
  }
  if (tracking.state !== 'untracked') return undefined;
  const what = tracking.foreign
    ? `${toolLabel(foreignParts(tracking.foreign.tool, tracking.foreign.table))} lists ${versionRange(tracking.foreign.versions, migrations)}; import it with \`tidemark adopt${envFlag} --from ${tracking.foreign.tool === 'table' ? `table:${tracking.foreign.table}` : tracking.foreign.tool}\``
    : `${tracking.objects} ${tracking.objects === 1 ? 'table or view exists' : 'tables and views exist'}; record what is already applied with \`tidemark adopt${envFlag} --to VERSION\``;
  throw new RunnerInputError(
    `refusing to ${action} ${env.name}: it is not tracked by Tidemark yet and is not empty (${what}, or \`tidemark adopt${envFlag} --dry-run\` to see what would be recorded)`,
  );
}
