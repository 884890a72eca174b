/**
 * rollback: the newest applied migration, or every one newer than a version, newest first. Each
 * down section runs in a transaction together with the deletion of its history row (statement by
 * statement when it holds something like DROP INDEX CONCURRENTLY). A migration without a down
 * section is refused before anything runs.
 */
import type { Migration, Section } from '../migrations/types';
import { compareVersionKeys, versionId, versionOrder } from '../migrations/version';
import type { RunReport } from '../protocol';
import { CancelledError, errorMessage, planSection, resetTimeouts, runStatements, setTimeouts, StatementError, storedSection } from './execution';
import { findEnvironment, RunnerInputError, type Project } from '../database/environments';
import type { HistoryRow } from '../database/history';
import { withBackupNote } from './backup-hook';
import { refuseUntracked } from './refuse-untracked';
import { rollbackInToolHistory } from './tool-history';
import { validateToVersion, failureLocation, migrationsOnDisk, requireConfirmation, withLockedSession, type RunOptions } from './session';
import { runSteps, type StepOutcome } from './steps';

export async function rollbackMigrations(project: Project, environment: string | undefined, options: RunOptions = {}): Promise<RunReport> {
  const env = findEnvironment(project, environment);
  requireConfirmation(env, options.confirm, 'roll back');
  const { migrations } = migrationsOnDisk(project, false);
  validateToVersion(options.toVersion, migrations);
  const keyOf = versionOrder(migrations);
  return withLockedSession(
    env,
    options,
    async (session) => {
      const { db, history, backup: prepared } = session;
      const rows = (await history.rows()).sort((a, b) => compareVersionKeys(keyOf(b.version), keyOf(a.version)));
      const managed = await refuseUntracked(db, history, env, migrations, rows, 'roll back');
      if (managed) return rollbackInToolHistory(project, env, session, migrations, managed.managed, options);
      const limit = options.toVersion === undefined ? undefined : keyOf(options.toVersion);
      const targets = limit ? rows.filter((r) => compareVersionKeys(keyOf(r.version), limit) > 0) : rows.slice(0, 1);
      if (targets.length === 0) {
        return { environment: env.name, steps: [], summary: `Nothing to roll back in ${env.name}${options.toVersion ? ` above ${options.toVersion}` : ''}.` };
      }
      const byKey = new Map(migrations.map((m) => [versionId(m.version), m]));
      const downs = targets.map((row) => ({ row, migration: byKey.get(versionId(row.version)), down: downSection(row, byKey.get(versionId(row.version))) }));
      const missing = downs.filter((d) => !d.down);
      if (missing.length) {
        const list = missing.map((d) => `${d.row.version} (${d.row.name}) ${d.migration?.down ? 'has an empty down section' : 'has no down section'}`).join(', ');
        throw new RunnerInputError(
          `cannot roll back ${env.name}: ${list}; write the statements that undo it (-- migrate:down, a .down.sql file or rollback/ file), a comment alone such as "-- nothing to undo" to roll back without running anything, or undo it by hand`,
        );
      }
      const backup = await prepared?.run(history, downs[0].row.version, options.progress, options.isCancelled);
      const { steps, failure } = await runSteps(downs, options, {
        action: 'rollback',
        verb: 'rolling back',
        label: ({ row }) => row,
        run: async ({ row, migration, down }): Promise<StepOutcome> => {
          const started = Date.now();
          const plan = await planSection(down!, migration?.noTransactionDirective ?? false);
          const base = { version: row.version, name: row.name, action: 'rollback' as const };
          try {
            if (plan.noTransactionReason || plan.ownTransaction) {
              await setTimeouts(db, env, 'SESSION');
              try {
                await runStatements(db, row, plan, { isCancelled: options.isCancelled });
              } finally {
                await resetTimeouts(db, env);
              }
              await db.transaction(async () => {
                await history.remove(row.version);
                await history.event(
                  row.version,
                  'rollback',
                  Date.now() - started,
                  plan.ownTransaction ? 'ran as written: the down opens and commits its own transaction' : `ran without a transaction: ${plan.noTransactionReason}`,
                );
              });
            } else {
              await db.transaction(async () => {
                await setTimeouts(db, env, 'LOCAL');
                await runStatements(db, row, plan, { isCancelled: options.isCancelled });
                await history.remove(row.version);
                await history.event(row.version, 'rollback', Date.now() - started, undefined);
              });
            }
            return { steps: [{ ...base, outcome: 'ok', durationMs: Date.now() - started }], stop: false };
          } catch (error) {
            const durationMs = Date.now() - started;
            if (error instanceof CancelledError) return { steps: [{ ...base, outcome: 'skipped', durationMs, message: 'cancelled' }], stop: true };
            const failure = error instanceof StatementError ? error.failure : undefined;
            const message = failure ? failure.message : errorMessage(error);
            const where = failure ? `${failureLocation(project, failure)}: ` : '';
            await history.event(row.version, 'fail', durationMs, `rollback: ${where}${message}`).catch(() => undefined);
            return { steps: [{ ...base, outcome: 'failed', durationMs, message }], failure, stop: true };
          }
        },
      });
      const done = steps.filter((s) => s.outcome === 'ok').length;
      const last = steps[steps.length - 1];
      let summary = `Rolled back ${done} migration${done === 1 ? '' : 's'} in ${env.name}.`;
      if (last && last.outcome !== 'ok') {
        summary += ` Stopped at ${last.version}${failure ? ` (${failureLocation(project, failure)})` : ''}: ${last.message}`;
      }
      return { environment: env.name, steps, failure, backup, summary: withBackupNote(project.root, backup, summary) };
    },
    project.root,
  );
}

/** The file's down section; for a migration whose file is gone, the down SQL stored at apply time. */
function downSection(row: HistoryRow, migration: Migration | undefined): Section | undefined {
  if (migration?.down && migration.down.text.trim()) return migration.down;
  if (!migration && row.downSql?.trim()) return storedSection('down', row.downSql, `(down SQL of ${row.version} stored in history)`);
  return undefined;
}
