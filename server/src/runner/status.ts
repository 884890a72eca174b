/**
 * Where each migration stands in an environment (docs/architecture.md "States"), from the files on disk and
 * the environment's history table, and all environments side by side.
 */
import { readTracking } from '../database/tracking';
import type { ManagedState } from '../database/foreign-history/managed';
import type { Migration } from '../migrations/types';
import { compareVersionKeys, isRepeatableKey, versionId, versionOrder } from '../migrations/version';
import type { Approval, EnvironmentStatus, MigrationStatus } from '../protocol';
import { appliedTimes, approvalFor, gateOf, type GateEnvironment } from './gates';
import { errorMessage } from './execution';
import { findEnvironment, RunnerInputError, type Environment, type Project } from '../database/environments';
import type { HistoryRow } from '../database/history';
import { PasswordRejectedError } from '../database/postgres-adapter';
import { migrationsOnDisk, withReadSession, type RunOptions } from './session';
import { appliesIn, directiveFields } from './directives';

/**
 * The newest version whose statements have run here, fully or in part: an applied row, or a
 * failed one that got past its start (a no-transaction migration stopped half-way, or one whose
 * bare statement may have run). A pending migration older than it is out of order: status shows
 * `out-of-order` and apply notes it on the step. A failed row with nothing done changed nothing
 * and does not count. The one rule both read.
 */
export function newestRun(rows: readonly HistoryRow[], keyOf: (version: string) => number[] = versionOrder([])): HistoryRow | undefined {
  let newest: HistoryRow | undefined;
  for (const r of rows) {
    // A repeatable migration (Flyway R__) runs after every versioned one by design: no watermark.
    if (r.unordered || isRepeatableKey(keyOf(r.version))) continue;
    const ran = r.state === 'applied' || r.statementsDone > 0 || r.statementStarted !== undefined;
    if (ran && (!newest || compareVersionKeys(keyOf(r.version), keyOf(newest.version)) > 0)) newest = r;
  }
  return newest;
}

/**
 * Pure: the state of every migration given the files and the history rows. `environment` names
 * the environment the rows come from, for `-- tidemark:environments`.
 */
export function migrationStates(migrations: Migration[], rows: HistoryRow[], environment?: string, gating?: Gating): MigrationStatus[] {
  const ordered = environment === undefined ? migrations : migrations.filter((m) => appliesIn(m, environment));
  const applied = appliedTimes(rows);
  const byVersion = new Map(rows.map((r) => [versionId(r.version), r]));
  const keyOf = versionOrder(migrations);
  const newest = newestRun(rows, keyOf);
  const newestApplied = newest && keyOf(newest.version);
  const out: Array<MigrationStatus & { key: number[] }> = [];
  const seen = new Set<string>();
  for (const m of migrations) {
    const k = versionId(m.version);
    seen.add(k);
    const row = byVersion.get(k);
    const files = { up: m.up.file.path, down: m.down?.file.path, verify: m.verify?.file.path };
    const base = {
      version: m.version,
      name: m.name,
      files,
      hasDown: !!m.down,
      hasVerify: !!m.verify,
      key: m.versionKey,
      ...directiveFields(m),
      ...(m.duplicateVersion ? { error: m.duplicateVersion } : {}),
      ...(m.repeatable ? { repeatable: true } : {}),
    };
    if (!row && environment !== undefined && !appliesIn(m, environment)) {
      out.push({ ...base, state: 'not-for-this-environment' });
      continue;
    }
    if (!row && m.blockedReasons.length) {
      out.push({ ...base, state: 'blocked' });
      continue;
    }
    const approval = gating && approvalFor(m, gating.approvals, gating.env);
    if (approval) Object.assign(base, { approval });
    if (!row) {
      const older = newestApplied && compareVersionKeys(m.versionKey, newestApplied) < 0;
      const gate = gating && gateOf(m, ordered, applied, gating.approvals, gating.env, gating.now);
      // A soak whose clock has not started (the migration before is not applied here) is a note on a pending migration.
      const waiting = gate && (gate.kind === 'approval' || gate.until !== undefined || !gate.after);
      out.push({ ...base, state: waiting ? 'waiting' : older ? 'out-of-order' : 'pending', ...(gate ? { gate } : {}) });
      continue;
    }
    const checksumMatches = row.checksum === m.checksum;
    const recorded = {
      appliedAt: row.appliedAt,
      appliedBy: row.appliedBy,
      durationMs: row.durationMs,
      checksumMatches,
      verifiedAt: row.verifiedAt,
      statementsDone: row.statementsDone,
    };
    if (row.state === 'failed') {
      out.push({ ...base, ...recorded, state: 'failed', error: row.error });
    } else if (!checksumMatches && m.repeatable) {
      // Not drift: a repeatable migration is meant to change, and apply runs it again.
      out.push({ ...base, ...recorded, state: 'pending', note: `changed since it was applied${row.appliedAt ? ` on ${row.appliedAt}` : ''}: apply runs it again` });
    } else if (!checksumMatches) {
      out.push({ ...base, ...recorded, state: 'drifted' });
    } else if (row.verifyResult === 'failed') {
      out.push({ ...base, ...recorded, state: 'verify-failed', error: row.verifyMessage });
    } else if (row.verifyResult === 'passed') {
      out.push({ ...base, ...recorded, state: 'verified' });
    } else {
      out.push({ ...base, ...recorded, state: 'applied' });
    }
    if (row.adoptedFrom) out[out.length - 1].adoptedFrom = row.adoptedFrom;
  }
  for (const row of rows) {
    const key = keyOf(row.version);
    if (seen.has(versionId(row.version))) continue;
    out.push({
      version: row.version,
      name: row.name,
      state: 'missing',
      appliedAt: row.appliedAt,
      appliedBy: row.appliedBy,
      durationMs: row.durationMs,
      hasDown: !!row.downSql,
      hasVerify: !!row.verifySql,
      statementsDone: row.statementsDone,
      error: row.error,
      ...(row.adoptedFrom ? { adoptedFrom: row.adoptedFrom } : {}),
      key,
    });
  }
  out.sort((a, b) => compareVersionKeys(a.key, b.key));
  return out.map(({ key: _key, ...status }) => status);
}

/** What the gates of one environment read: its settings, its approvals, the time now. */
export interface Gating {
  env: GateEnvironment;
  approvals: Approval[];
  now: number;
}

/**
 * The states of a managed environment, from its tool's table read as history rows: the same states
 * as Tidemark's own history gives, with the tool as who applied, and what the table says beyond the
 * state (rolled back, edited after it was applied, never run by drizzle-kit) as a note.
 */
export function managedStates(migrations: Migration[], managed: ManagedState, environment?: string): MigrationStatus[] {
  return migrationStates(migrations, managed.rows, environment).map((s) => {
    const m = migrations.find((x) => x.version === s.version);
    const note = managed.notes.get(versionId(m ? m.version : s.version)) ?? (s.state === 'out-of-order' ? managed.watermark : undefined);
    const { appliedAt, ...rest } = s;
    return { ...rest, ...(appliedAt ? { appliedAt } : {}), ...(note ? { note } : {}) };
  });
}

/**
 * One environment's status, or every environment's (side by side) when `environment` is undefined.
 * A rejected password fails a one-environment status, as it fails apply: the caller (the language
 * server) then forgets the password it was given and asks again next time, instead of retrying it.
 */
export async function getStatus(project: Project, environment: string | undefined, options: Pick<RunOptions, 'askPassword' | 'progress'> = {}): Promise<EnvironmentStatus[]> {
  const envs = environment === undefined ? project.environments : [findEnvironment(project, environment)];
  const { migrations, layout, layoutEvidence } = migrationsOnDisk(project, false);
  const statuses = await Promise.all(envs.map((env) => environmentStatus(env, migrations, options, environment !== undefined)));
  return statuses.map((s) => ({ ...s, ...(layout ? { layout, layoutEvidence } : {}) }));
}

async function environmentStatus(
  env: Environment,
  migrations: Migration[],
  options: Pick<RunOptions, 'askPassword' | 'progress'>,
  rethrowRejectedPassword: boolean,
): Promise<EnvironmentStatus> {
  try {
    const { rows, tracking, managed, approvals } = await withReadSession(env, options, async ({ db, history }) => {
      const rows = await history.rows();
      return { rows, ...(await readTracking(db, history, migrations, rows, env.platformSchemas)), approvals: await history.approvals() };
    });
    if (managed) return { environment: env.info, migrations: managedStates(migrations, managed, env.name), tracking };
    const gating: Gating = { env: { info: env.info, approvers: env.info.approvers }, approvals, now: Date.now() };
    return { environment: env.info, migrations: migrationStates(migrations, rows, env.name, gating), tracking };
  } catch (error) {
    if (rethrowRejectedPassword && error instanceof PasswordRejectedError) throw error;
    // One unreachable environment must not hide the others.
    return { environment: env.info, error: errorMessage(error), migrations: [] };
  }
}

/** The SQL stored when a version was applied next to the file's current up section. */
export async function appliedAndCurrent(
  project: Project,
  environment: string,
  version: string,
  options: Pick<RunOptions, 'askPassword'> = {},
): Promise<{ applied: string; current: string }> {
  const env = findEnvironment(project, environment);
  const { migrations } = migrationsOnDisk(project, false);
  const key = versionId(version);
  const migration = migrations.find((m) => versionId(m.version) === key);
  const { rows, managed } = await withReadSession(env, options, async ({ db, history }) => {
    const rows = await history.rows();
    return rows.length ? { rows, managed: undefined } : { rows, managed: (await readTracking(db, history, migrations, rows, env.platformSchemas)).managed };
  });
  const row = (managed?.rows ?? rows).find((r) => versionId(r.version) === key);
  if (!row && !migration) throw new RunnerInputError(`no migration ${version} on disk or in ${env.name}'s history`);
  if (row && managed?.checksumOnly.has(key)) {
    throw new RunnerInputError(
      `${version} was edited after it was applied in ${env.name}: ${managed.table.tool} keeps only a checksum of the file it ran, not its SQL, so the difference cannot be shown`,
    );
  }
  return { applied: row?.upSql ?? '', current: migration?.up.text ?? '' };
}

/** The newest events of an environment's history, newest first. */
export async function recentEvents(project: Project, environment: string, limit = 100, options: Pick<RunOptions, 'askPassword'> = {}) {
  const env = findEnvironment(project, environment);
  return withReadSession(env, options, ({ history }) => history.recentEvents(Math.max(1, Math.min(limit, 10_000))));
}
