/**
 * apply: pending migrations in version order, up to the `--to` version, each verified after it when it has a
 * verify section. How one migration runs (in a transaction, or statement by statement with its
 * progress recorded) is apply-migration.ts's.
 */
import type { Migration } from '../migrations/types';
import { compareVersionKeys, versionId, versionOrder } from '../migrations/version';
import type { RunReport } from '../protocol';
import { findEnvironment, RunnerInputError, type Environment, type Project } from '../database/environments';
import type { HistoryRow } from '../database/history';
import { errorMessage } from './execution';
import { refuseUntracked } from './refuse-untracked';
import { readTracking } from '../database/tracking';
import { validateToVersion, failureLocation, migrationsOnDisk, requireConfirmation, withLockedSession, withReadSession, type RunOptions } from './session';
import { verifySection } from './verify';
import { appliesIn, describeBlock, migrationsFor, untilBlocked } from './directives';
import { withBackupNote } from './backup-hook';
import { applyInToolHistory } from './tool-history';
import { MigrationApplier } from './apply-migration';
import { newestRun } from './status';
import { runSteps, type Step, type StepOutcome } from './steps';
import { appliedTimes, gateOf } from './gates';
import type { MigrationGate } from '../protocol';
import type { Session } from './session';

/** Migrations not yet (fully) applied, and repeatable ones changed since they were, up to `toVersion`. */
export function pendingMigrations(migrations: Migration[], rows: HistoryRow[], toVersion: string | undefined): Migration[] {
  const done = new Map(rows.filter((r) => r.state === 'applied').map((r) => [versionId(r.version), r]));
  const limit = toVersion === undefined ? undefined : versionOrder(migrations)(toVersion);
  const isDone = (m: Migration) => {
    const row = done.get(versionId(m.version));
    return !!row && !(m.repeatable && row.checksum !== m.checksum);
  };
  return migrations.filter((m) => !isDone(m) && (!limit || compareVersionKeys(m.versionKey, limit) <= 0));
}

/**
 * `after: X`: every version must already be applied in X, and verified there when it has a verify
 * section. An upstream managed by another tool is read from that tool's table, which keeps no
 * verification: there, applied from the same file is enough.
 */
export async function validateUpstream(project: Project, env: Environment, candidates: Migration[], options: RunOptions, migrations: Migration[] = candidates): Promise<void> {
  const upstreamName = env.info.after;
  if (!upstreamName || candidates.length === 0) return;
  const upstream = findEnvironment(project, upstreamName);
  let rows: HistoryRow[];
  let managed = false;
  try {
    rows = await withReadSession(upstream, options, async ({ db, history }) => {
      const own = await history.rows();
      if (own.length) return own;
      const tool = (await readTracking(db, history, migrations, own, upstream.platformSchemas)).managed;
      managed = tool !== undefined;
      return tool?.rows ?? own;
    });
  } catch (error) {
    throw new RunnerInputError(`${env.name} applies only what ${upstreamName} has (after: ${upstreamName}), but ${upstreamName} cannot be read: ${errorMessage(error)}`);
  }
  const byVersion = new Map(rows.map((r) => [versionId(r.version), r]));
  const refusals: string[] = [];
  for (const m of candidates) {
    // A migration the upstream environment never takes cannot wait for it there.
    if (!appliesIn(m, upstreamName)) continue;
    const row = byVersion.get(versionId(m.version));
    if (!row || row.state !== 'applied') refusals.push(`${m.version} is not applied in ${upstreamName}`);
    else if (row.checksum !== m.checksum) refusals.push(`${m.version} in ${upstreamName} was applied from a different file (checksum differs)`);
    else if (m.verify && !managed && row.verifyResult !== 'passed')
      refusals.push(`${m.version} is applied in ${upstreamName} but ${row.verifyResult === 'failed' ? 'failed verification' : 'not verified'} there`);
  }
  if (refusals.length) {
    const allowed = candidates.slice(
      0,
      candidates.findIndex((m) => refusals.some((r) => r.startsWith(`${m.version} `))),
    );
    const hint = allowed.length ? `; apply up to ${allowed[allowed.length - 1].version} with --to ${allowed[allowed.length - 1].version}` : '';
    throw new RunnerInputError(`refusing to apply to ${env.name} (after: ${upstreamName}): ${refusals.join('; ')}${hint}`);
  }
}

export async function applyMigrations(project: Project, environment: string | undefined, options: RunOptions = {}): Promise<RunReport> {
  const env = findEnvironment(project, environment);
  requireConfirmation(env, options.confirm, 'apply migrations to');
  if (options.ignoreSoak && options.confirm !== env.name)
    throw new RunnerInputError(`--ignore-soak applies migrations before their soak time is over: confirm with --confirm ${env.name}`);
  if (options.ignoreSoak && !options.ignoreSoak.reason.trim()) throw new RunnerInputError('--ignore-soak needs --reason TEXT: it is recorded in the history');
  const migrations = migrationsFor(migrationsOnDisk(project, true).migrations, env.name);
  validateToVersion(options.toVersion, migrations);
  const verifyAfter = options.verifyAfterApply ?? project.verifyAfterApply;
  return withLockedSession(
    env,
    options,
    async (session) => {
      // Read under the lock: another runner may have applied some of these a moment ago.
      const rows = await session.history.rows();
      const managed = await refuseUntracked(session.db, session.history, env, migrations, rows);
      if (managed)
        return applyInToolHistory(project, env, session, migrations, managed.managed, options, (runnable) => validateUpstream(project, env, runnable, options, migrations));
      const { runnable: candidates, blockedBy } = untilBlocked(pendingMigrations(migrations, rows, options.toVersion), options.toVersion);
      await validateUpstream(project, env, candidates, options);
      const backup = candidates.length ? await session.backup?.run(session.history, candidates[0].version, options.progress, options.isCancelled) : undefined;
      const keyOf = versionOrder(migrations);
      const newest = newestRun(rows, keyOf);
      const applier = new MigrationApplier(project, env, session, options);
      const gates = await openGates(session, env, migrations, rows, options);
      let waiting: { migration: Migration; message: string } | undefined;
      const { steps, failure, stopped } = await runSteps(candidates, options, {
        action: 'apply',
        verb: 'applying',
        label: (m) => m,
        run: async (migration): Promise<StepOutcome> => {
          const gate = await gates.pass(migration);
          if (gate) {
            waiting = { migration, message: gate.message };
            return { steps: [{ version: migration.version, name: migration.name, action: 'apply', outcome: 'skipped', durationMs: 0, message: gate.message }], stop: true };
          }
          const row = rows.find((r) => versionId(r.version) === versionId(migration.version));
          // A repeatable migration whose file changed runs again from its first statement: the row is the old text's.
          const resumable = migration.repeatable && row?.checksum !== migration.checksum ? undefined : row;
          const { step, failure } = await applier.apply(migration, resumable);
          if (migration.repeatable && row?.state === 'applied' && step.outcome === 'ok') {
            step.message = ['repeatable: applied again, its file changed since it was applied', step.message].filter(Boolean).join('; ');
          }
          if (newest && step.outcome === 'ok' && compareVersionKeys(migration.versionKey, keyOf(newest.version)) < 0) {
            step.message = [`out of order: older than ${newest.version}, applied before it`, step.message].filter(Boolean).join('; ');
          }
          if (step.outcome === 'ok') gates.applied(migration);
          if (failure || step.outcome !== 'ok') return { steps: [step], failure, stop: true };
          if (!verifyAfter || !migration.verify) return { steps: [step], stop: false };
          const outcome = await verifySection(session.db, session.history, migration, migration.verify, options.isCancelled);
          const verified: Step = {
            version: migration.version,
            name: migration.name,
            action: 'verify',
            outcome: outcome.passed ? 'ok' : 'failed',
            durationMs: outcome.durationMs,
            message: outcome.message,
          };
          return { steps: [step, verified], failure: outcome.failure, stop: !outcome.passed };
        },
      });
      if (blockedBy && !stopped) {
        steps.push({
          version: blockedBy.version,
          name: blockedBy.name,
          action: 'apply',
          outcome: 'skipped',
          durationMs: 0,
          message: `blocked: ${blockedBy.blockedReasons.join('; ')}`,
        });
      }
      const applied = steps.filter((s) => s.action === 'apply' && s.outcome === 'ok').length;
      // After a lost connection the history cannot be read again; count from what this run knows.
      const remaining = await session.history
        .rows()
        .then((now) => pendingMigrations(migrations, now, undefined).length)
        .catch(() => pendingMigrations(migrations, rows, undefined).length - applied);
      let summary = `Applied ${applied} migration${applied === 1 ? '' : 's'} to ${env.name}; ${remaining} pending.`;
      if (candidates.length === 0) summary = `Nothing to apply to ${env.name}: ${options.toVersion ? `everything up to ${options.toVersion} is applied` : 'it is up to date'}.`;
      if (blockedBy && !stopped)
        summary = `${candidates.length ? summary : `Nothing applied to ${env.name}.`} Stopped before ${describeBlock(blockedBy)}; the migrations after it wait too.`;
      if (waiting) {
        summary = `${applied ? `Applied ${applied} migration${applied === 1 ? '' : 's'} to ${env.name}. ` : `Nothing applied to ${env.name}. `}Stopped before ${waiting.migration.version} ${waiting.migration.name}: ${waiting.message}; the migrations after it wait too.`;
      } else if (stopped) {
        const last = steps[steps.length - 1];
        summary += ` Stopped at ${last.version} (${last.action} ${last.outcome === 'skipped' ? 'cancelled' : 'failed'})${failure ? ` at ${failureLocation(project, failure)}` : ''}: ${last.message}`;
      }
      return { environment: env.name, steps, failure: failure && { ...failure }, backup, summary: withBackupNote(project.root, backup, summary) };
    },
    project.root,
  );
}

/**
 * The soak and approval gates as apply meets them: read once under the lock, with each migration
 * this run applies starting its successor's clock. A soak lifted by --ignore-soak is recorded as
 * an ignore-soak event with the reason, in the environment's history.
 */
async function openGates(session: Session, env: Environment, ordered: Migration[], rows: HistoryRow[], options: RunOptions) {
  const approvals = await session.history.approvals();
  const times = appliedTimes(rows);
  const gateEnv = { info: env.info, approvers: env.info.approvers };
  return {
    async pass(migration: Migration): Promise<MigrationGate | undefined> {
      const gate = gateOf(migration, ordered, times, approvals, gateEnv, Date.now(), { ignoreSoak: !!options.ignoreSoak });
      if (gate || !options.ignoreSoak) return gate;
      const soak = gateOf(migration, ordered, times, approvals, gateEnv, Date.now());
      if (soak?.kind === 'soak') {
        await session.history.allowNewEventKinds();
        await session.history.event(migration.version, 'ignore-soak', undefined, `${soak.message.replace(/^waiting: /, '')}; applied anyway: ${options.ignoreSoak.reason}`);
      }
      return undefined;
    },
    applied(migration: Migration): void {
      times.set(versionId(migration.version), new Date().toISOString());
    },
  };
}
