/**
 * `tidemark approve VERSION --env ENV --as NAME --reason TEXT`: records that NAME approved applying
 * a migration to one environment, as an `approve` event in that environment's own history (the
 * approval lives with the database it is about). Apply reads it back (runner/gates.ts): it counts
 * for this version of the file only, and, where tidemark.json lists `approvers`, only from them.
 */
import type { Approval } from '../protocol';
import { findEnvironment, RunnerInputError, type Project } from '../database/environments';
import { versionId } from '../migrations/version';
import { approvalMessage } from './gates';
import { migrationsFor } from './directives';
import { migrationsOnDisk, withLockedSession, type RunOptions } from './session';

export interface ApproveReport {
  environment: string;
  approval: Approval;
  summary: string;
}

export async function approveMigration(
  project: Project,
  environment: string | undefined,
  version: string,
  by: string,
  reason: string,
  options: Pick<RunOptions, 'askPassword' | 'progress'> = {},
): Promise<ApproveReport> {
  const env = findEnvironment(project, environment);
  if (!by.trim()) throw new RunnerInputError('approve needs --as NAME: who approves');
  if (!reason.trim()) throw new RunnerInputError('approve needs --reason TEXT: why it may be applied (backup taken, tests passing...)');
  const approvers = env.info.approvers;
  if (approvers?.length && !approvers.includes(by)) throw new RunnerInputError(`${by} is not an approver of ${env.name} (approvers in tidemark.json: ${approvers.join(', ')})`);
  const migration = migrationsFor(migrationsOnDisk(project, true).migrations, env.name).find((m) => versionId(m.version) === versionId(version));
  if (!migration) throw new RunnerInputError(`no migration ${version} for ${env.name} on disk`);
  return withLockedSession(env, options, async ({ history }) => {
    const row = (await history.rows()).find((r) => versionId(r.version) === versionId(version));
    if (row?.state === 'applied') throw new RunnerInputError(`${migration.version} ${migration.name} is already applied in ${env.name}: there is nothing left to approve`);
    await history.allowNewEventKinds();
    const message = approvalMessage(reason.trim(), migration.checksum);
    await history.approve(migration.version, by, message);
    const approval = (await history.approvals()).find((a) => a.version === migration.version)!;
    return { environment: env.name, approval, summary: `Approved ${migration.version} ${migration.name} for ${env.name} as ${by}: ${reason.trim()}` };
  });
}
