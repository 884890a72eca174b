/**
 * apply's guard: an untracked environment (database/tracking.ts) is adopted first, never migrated
 * from scratch again on a database another tool or a person built.
 */
import type { Migration } from '../migrations/types';
import type { DatabaseAdapter } from '../database/adapter';
import { RunnerInputError, type Environment } from '../database/environments';
import type { History, HistoryRow } from '../database/history';
import { foreignParts, toolLabel, versionRange } from '../database/foreign-history/description';
import { detectTracking } from '../database/tracking';

export async function refuseUntracked(db: DatabaseAdapter, history: History, env: Environment, migrations: Migration[], rows: HistoryRow[]): Promise<void> {
  if (rows.length > 0) return;
  const tracking = await detectTracking(db, history, migrations, rows, env.platformSchemas);
  if (tracking.state !== 'untracked') return;
  const envFlag = ` --env ${env.name}`;
  const what = tracking.foreign
    ? `${toolLabel(foreignParts(tracking.foreign.tool, tracking.foreign.table))} lists ${versionRange(tracking.foreign.versions, migrations)}; import it with \`tidemark adopt${envFlag} --from ${tracking.foreign.tool === 'table' ? `table:${tracking.foreign.table}` : tracking.foreign.tool}\``
    : `${tracking.objects} ${tracking.objects === 1 ? 'table or view exists' : 'tables and views exist'}; record what is already applied with \`tidemark adopt${envFlag} --to VERSION\``;
  throw new RunnerInputError(
    `refusing to apply to ${env.name}: it is not tracked by Tidemark yet and is not empty (${what}, or \`tidemark adopt${envFlag} --dry-run\` to see what would be recorded)`,
  );
}
