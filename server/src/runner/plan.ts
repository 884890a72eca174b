/**
 * plan: the dry run. Pending migrations are applied inside one transaction that is always rolled
 * back, each in a savepoint so one failure does not hide the others, and after every statement
 * the runner's own locks (pg_locks of its backend) show which statement takes which lock on which
 * relation — "AccessExclusiveLock on public.users" — before production finds out.
 */
import type { RunReport } from '../protocol';
import { errorMessage, planSection, setTimeouts, statementFailure, CancelledError } from './execution';
import { findEnvironment, type Project } from './environments';
import { pendingMigrations } from './apply';
import { checkTarget, displayFile, migrationsOnDisk, withLockedSession, type RunOptions } from './session';
import { transactionIncompatibility } from '../sql/transaction';

type Step = RunReport['steps'][number];
type LockTaken = NonNullable<Step['locks']>[number];

export async function planMigrations(project: Project, environment: string | undefined, options: RunOptions = {}): Promise<RunReport> {
  const env = findEnvironment(project, environment);
  const { migrations } = migrationsOnDisk(project, true);
  checkTarget(options.toVersion);
  return withLockedSession(env, options, async ({ db, history }) => {
    const candidates = pendingMigrations(migrations, await history.rows(), options.toVersion);
    const steps: Step[] = [];
    let firstFailure: RunReport['failure'];
    const lockQuery = `SELECT l.mode, n.nspname, c.relname, c.oid::int8::text AS oid
        FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
         AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname <> $1`;
    await db.transaction(
      async () => {
        const existing = new Set((await db.query(`SELECT c.oid::int8::text AS oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`)).rows.map((r) => String(r.oid)));
        await setTimeouts(db, env, 'LOCAL');
        for (const [i, migration] of candidates.entries()) {
          if (options.isCancelled?.()) throw new CancelledError();
          options.progress?.(`planning ${migration.version} ${migration.name}`, Math.round((i / candidates.length) * 100));
          const plan = await planSection(migration.up, migration.noTransactionDirective);
          const started = Date.now();
          const locks: LockTaken[] = [];
          const notes: string[] = [];
          const held = new Set((await db.query(lockQuery, [env.historySchema])).rows.map((r) => `${r.oid}/${r.mode}`));
          await db.query('SAVEPOINT tidemark_plan');
          let error: unknown;
          let failedAt: number | undefined;
          for (const [index, statement] of plan.statements.entries()) {
            if (plan.skipped.has(index)) continue;
            const line = migration.up.file.positionAt(statement.start).line + 1;
            const label = `line ${line}: ${firstLine(statement.text)}`;
            const incompatible = transactionIncompatibility(statement.node);
            if (incompatible) {
              notes.push(`not planned: ${label} — ${incompatible} cannot run inside the dry run's transaction; its locks are not measured`);
              continue;
            }
            try {
              await db.query(statement.text);
            } catch (e) {
              error = e;
              failedAt = index;
              break;
            }
            for (const r of (await db.query(lockQuery, [env.historySchema])).rows) {
              const key = `${r.oid}/${r.mode}`;
              if (held.has(key)) continue;
              held.add(key);
              locks.push({ relation: `${r.nspname}.${r.relname}`, mode: String(r.mode), statement: label, ...(existing.has(String(r.oid)) ? {} : { newRelation: true }) });
            }
          }
          const durationMs = Date.now() - started;
          if (error !== undefined) {
            await db.query('ROLLBACK TO SAVEPOINT tidemark_plan');
            const failure = statementFailure(migration, migration.up, plan.statements[failedAt!], error);
            firstFailure ??= failure;
            steps.push({
              version: migration.version,
              name: migration.name,
              action: 'plan',
              outcome: 'failed',
              durationMs,
              message: `${displayFile(project, failure.file)}:${failure.line + 1}:${failure.character + 1}: ${errorMessage(error)}`,
              locks,
            });
          } else {
            await db.query('RELEASE SAVEPOINT tidemark_plan');
            if (plan.noTransactionReason) notes.unshift(`runs without a transaction when applied (${plan.noTransactionReason})`);
            steps.push({ version: migration.version, name: migration.name, action: 'plan', outcome: 'ok', durationMs, message: notes.length ? notes.join('; ') : undefined, locks });
          }
        }
      },
      { rollback: true },
    );
    const failed = steps.filter((s) => s.outcome === 'failed').length;
    const summary =
      candidates.length === 0
        ? `Nothing to plan for ${env.name}: it is up to date.`
        : `Planned ${candidates.length} migration${candidates.length === 1 ? '' : 's'} on ${env.name} (rolled back): ${failed ? `${failed} would fail` : 'all would succeed'}.`;
    return { environment: env.name, steps, failure: firstFailure, summary };
  });
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0].trim();
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
