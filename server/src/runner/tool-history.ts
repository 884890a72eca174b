/**
 * apply and rollback on an environment managed by another tool, in compatibility mode: each
 * migration runs as Tidemark runs it (in a transaction unless it cannot), and is recorded in — or
 * removed from — the tool's own table in that same transaction, exactly as the tool does, instead
 * of Tidemark's history. Only tools with a compatibility writer (database/foreign-history/compat.ts)
 * get here; refuseUntracked refuses the others.
 */
import { compatWriter } from '../database/foreign-history/compat';
import type { ManagedState } from '../database/foreign-history/managed';
import { RunnerInputError, type Environment, type Project } from '../database/environments';
import { toolLabel } from '../database/foreign-history';
import type { Migration } from '../migrations/types';
import { compareVersionKeys, versionKey, versionId } from '../migrations/version';
import type { RunReport } from '../protocol';
import { runSteps, type Step, type StepOutcome } from './steps';
import { planSection, resetTimeouts, runStatements, setTimeouts, StatementError, CancelledError } from './execution';
import { describeBlock, untilBlocked } from './directives';
import { failureLocation, type RunOptions, type Session } from './session';
import { preChecksPassed, runVerifyChecks } from './verify';

function refuseWhatCompatCannotKeep(env: Environment, session: Session, managed: ManagedState, action: string): void {
  const where = toolLabel(managed.table);
  const failed = managed.rows.filter((r) => r.state === 'failed');
  if (failed.length)
    throw new RunnerInputError(
      `refusing to ${action} ${env.name}: ${where} records ${failed.map((r) => r.version).join(', ')} as failed; resolve it with ${managed.table.tool} first`,
    );
  // A backup writes its event to Tidemark's history, which would turn the environment into a tracked one.
  if (session.backup)
    throw new RunnerInputError(
      `refusing to ${action} ${env.name}: it is managed by ${where} and backups before a change are recorded in Tidemark's history; move it to Tidemark with \`tidemark adopt --env ${env.name} --from ${managed.table.tool}\`, or run without the backup setting`,
    );
}

/** Runs `work` (the section's statements) and `record` together: in one transaction, or bare then recorded when the section cannot run in one. */
async function runAndRecord(
  session: Session,
  env: Environment,
  m: Migration,
  section: Migration['up'],
  work: { record: () => Promise<void>; precheck?: () => Promise<string | undefined> },
  options: RunOptions,
): Promise<string | undefined> {
  const plan = await planSection(section, m.noTransactionDirective);
  if (plan.conflictingControl) {
    const s = plan.conflictingControl;
    throw new StatementError(
      {
        version: m.version,
        file: section.file.path,
        ...section.file.positionAt(s.start),
        statement: s.text,
        message: `${s.text.trim()} would end the transaction Tidemark runs this migration in`,
      },
      undefined,
    );
  }
  if (plan.noTransactionReason) {
    const checked = await work.precheck?.();
    await setTimeouts(session.db, env, 'SESSION');
    try {
      await runStatements(session.db, m, plan, { isCancelled: options.isCancelled });
    } finally {
      await resetTimeouts(session.db, env);
    }
    await work.record();
    return [checked, `ran without a transaction: ${plan.noTransactionReason}`].filter(Boolean).join('; ');
  }
  let checked: string | undefined;
  await session.db.transaction(async () => {
    await setTimeouts(session.db, env, 'LOCAL');
    checked = await work.precheck?.();
    await runStatements(session.db, m, plan, { isCancelled: options.isCancelled });
    await work.record();
  });
  return checked;
}

function failedStep(project: Project, base: Omit<Step, 'outcome' | 'durationMs'>, started: number, error: unknown): StepOutcome {
  const durationMs = Date.now() - started;
  if (error instanceof CancelledError) return { steps: [{ ...base, outcome: 'skipped', durationMs, message: 'cancelled; rolled back' }], stop: true };
  const failure = error instanceof StatementError ? error.failure : undefined;
  if (!failure) throw error;
  return { steps: [{ ...base, outcome: 'failed', durationMs, message: `${failureLocation(project, failure)}: ${failure.message}` }], failure, stop: true };
}

export async function applyInToolHistory(
  project: Project,
  env: Environment,
  session: Session,
  migrations: Migration[],
  managed: ManagedState,
  options: RunOptions,
): Promise<RunReport> {
  const writer = compatWriter(managed.table.tool)!;
  refuseWhatCompatCannotKeep(env, session, managed, 'apply to');
  const done = new Set(managed.rows.map((r) => versionId(r.version)));
  const limit = options.toVersion === undefined ? undefined : versionKey(options.toVersion);
  const pending = migrations.filter((m) => !done.has(versionId(m.versionKey)) && (!limit || compareVersionKeys(m.versionKey, limit) <= 0));
  const { runnable, blockedBy } = untilBlocked(pending, options.toVersion);
  const where = toolLabel(managed.table);
  const { steps, failure } = await runSteps(runnable, options, {
    action: 'apply',
    verb: 'applying',
    label: (m) => m,
    run: async (m): Promise<StepOutcome> => {
      const base = { version: m.version, name: m.name, action: 'apply' as const };
      const started = Date.now();
      try {
        const checked = await runAndRecord(
          session,
          env,
          m,
          m.up,
          {
            record: () => writer.record(session.db, managed.table, m),
            precheck: m.precheck ? async () => preChecksPassed(await runVerifyChecks(session.db, m, m.precheck!, options.isCancelled)) : undefined,
          },
          options,
        );
        return { steps: [{ ...base, outcome: 'ok', durationMs: Date.now() - started, message: [checked, `recorded in ${where}`].filter(Boolean).join('; ') }], stop: false };
      } catch (error) {
        return failedStep(project, base, started, error);
      }
    },
  });
  const applied = steps.filter((s) => s.outcome === 'ok').length;
  let summary =
    runnable.length === 0
      ? `Nothing to apply to ${env.name}: ${where} lists every migration${options.toVersion ? ` up to ${options.toVersion}` : ''}.`
      : `Applied ${applied} migration${applied === 1 ? '' : 's'} to ${env.name}, recorded in ${where} as ${managed.table.tool} records them (compatibility mode; Tidemark's history is not used).`;
  if (blockedBy && steps.every((s) => s.outcome === 'ok')) summary += ` Stopped before ${describeBlock(blockedBy)}.`;
  const last = steps[steps.length - 1];
  if (last && last.outcome !== 'ok') summary += ` Stopped at ${last.version}: ${last.message}`;
  return { environment: env.name, steps, failure, summary };
}

export async function rollbackInToolHistory(
  project: Project,
  env: Environment,
  session: Session,
  migrations: Migration[],
  managed: ManagedState,
  options: RunOptions,
): Promise<RunReport> {
  const writer = compatWriter(managed.table.tool)!;
  refuseWhatCompatCannotKeep(env, session, managed, 'roll back');
  const where = toolLabel(managed.table);
  const applied = [...managed.rows].sort((a, b) => compareVersionKeys(versionKey(b.version), versionKey(a.version)));
  const limit = options.toVersion === undefined ? undefined : versionKey(options.toVersion);
  const targets = limit ? applied.filter((r) => compareVersionKeys(versionKey(r.version), limit) > 0) : applied.slice(0, 1);
  if (targets.length === 0) return { environment: env.name, steps: [], summary: `Nothing to roll back in ${env.name}${options.toVersion ? ` above ${options.toVersion}` : ''}.` };
  const byKey = new Map(migrations.map((m) => [versionId(m.versionKey), m]));
  const missing = targets.filter((r) => !byKey.get(versionId(r.version))?.down?.text.trim());
  if (missing.length) {
    throw new RunnerInputError(
      `cannot roll back ${env.name}: ${missing.map((r) => `${r.version} (${r.name}) has ${byKey.has(versionId(r.version)) ? 'no down section' : 'no file'}`).join(', ')}; ${where} keeps no SQL to undo it with`,
    );
  }
  const { steps, failure } = await runSteps(targets, options, {
    action: 'rollback',
    verb: 'rolling back',
    label: (row) => row,
    run: async (row): Promise<StepOutcome> => {
      const m = byKey.get(versionId(row.version))!;
      const base = { version: m.version, name: m.name, action: 'rollback' as const };
      const started = Date.now();
      try {
        const note = await runAndRecord(session, env, m, m.down!, { record: () => writer.remove(session.db, managed.table, m) }, options);
        return { steps: [{ ...base, outcome: 'ok', durationMs: Date.now() - started, message: [note, `removed from ${where}`].filter(Boolean).join('; ') }], stop: false };
      } catch (error) {
        return failedStep(project, base, started, error);
      }
    },
  });
  const done = steps.filter((s) => s.outcome === 'ok').length;
  const last = steps[steps.length - 1];
  let summary = `Rolled back ${done} migration${done === 1 ? '' : 's'} in ${env.name}, removed from ${where} as ${managed.table.tool} does (compatibility mode).`;
  if (last && last.outcome !== 'ok') summary += ` Stopped at ${last.version}: ${last.message}`;
  return { environment: env.name, steps, failure, summary };
}
