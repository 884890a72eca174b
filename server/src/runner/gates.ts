/**
 * The gates a pending migration waits behind in one environment (DESIGN.md "Status": gates):
 * `-- tidemark:soak 48h [after VERSION] [in protected | in ENV, ...]` — the migration before it
 * (or VERSION) must have been applied *there* for that long; sandboxes never wait — and an
 * approval recorded in that environment's history (`tidemark approve`) for a migration with
 * `-- tidemark:requires-approval` in a protected environment, or for any migration in an
 * environment whose tidemark.json entry lists `approvers`. Pure: status and apply both read it.
 */
import type { Migration } from '../migrations/types';
import { versionId } from '../migrations/version';
import type { Approval, EnvironmentInfo, MigrationGate } from '../protocol';
import type { HistoryRow } from '../database/history';

/** What a gate needs to know about the environment. */
export interface GateEnvironment {
  info: Pick<EnvironmentInfo, 'name' | 'kind' | 'protected'>;
  /** `approvers` in tidemark.json: only their approvals count, and every migration needs one. */
  approvers?: string[];
}

/** The applied time of each version in the environment's history, by versionId. */
export type AppliedTimes = Map<string, string>;

/** Applied time of each applied version, by versionId. */
export function appliedTimes(rows: readonly HistoryRow[]): AppliedTimes {
  return new Map(rows.filter((r) => r.state === 'applied' && r.appliedAt).map((r) => [versionId(r.version), r.appliedAt]));
}

/** The approval message as the history stores it: the reason, then the file it approved. */
export function approvalMessage(reason: string, checksum: string): string {
  return `${reason} (file sha256 ${checksum.slice(0, 12)})`;
}

/** The approval of `migration` that counts here: the newest by an allowed approver, for this very file. */
export function approvalFor(migration: Migration, approvals: readonly Approval[], env: GateEnvironment): Approval | undefined {
  const id = versionId(migration.version);
  return approvals.find((a) => {
    if (versionId(a.version) !== id) return false;
    if (env.approvers?.length && !env.approvers.includes(a.by)) return false;
    return a.fileChecksum === undefined || migration.checksum.startsWith(a.fileChecksum);
  });
}

function utc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/:\d\d\.\d{3}Z$/, ' UTC')
    .replace('T', ' ');
}

/**
 * The gate `migration` waits behind in `env` at `now`, or undefined when it may be applied.
 * `ordered` is the environment's migrations in version order (the one before a migration is its
 * soak's default reference). `ignoreSoak` lifts soak gates (apply --ignore-soak).
 */
export function gateOf(
  migration: Migration,
  ordered: readonly Migration[],
  applied: AppliedTimes,
  approvals: readonly Approval[],
  env: GateEnvironment,
  now: number,
  { ignoreSoak = false } = {},
): MigrationGate | undefined {
  if (migration.unreadableSoaks?.length) {
    return { kind: 'soak', message: `waiting: cannot read ${migration.unreadableSoaks[0]} (write -- tidemark:soak 48h [after VERSION] [in protected | in ENV, ...])` };
  }
  let soakNote: MigrationGate | undefined;
  if (!ignoreSoak && env.info.kind !== 'pglite') {
    let latest: MigrationGate | undefined;
    let latestUntil = -Infinity;
    const index = ordered.indexOf(migration);
    for (const soak of migration.soaks ?? []) {
      if (soak.scope === 'protected' ? !env.info.protected : Array.isArray(soak.scope) && !soak.scope.includes(env.info.name)) continue;
      const reference = soak.after ?? (index > 0 ? ordered[index - 1].version : undefined);
      if (reference === undefined) continue;
      const at = applied.get(versionId(reference));
      if (at === undefined) {
        // Its clock has not started: the migration it waits on is not applied here yet.
        if (latestUntil < Infinity) {
          latestUntil = Infinity;
          latest = { kind: 'soak', after: reference, soak: soak.duration, message: `waiting: soak ${soak.duration} once ${reference} is applied in ${env.info.name}` };
        }
        continue;
      }
      const until = Date.parse(at) + soak.durationMs;
      if (until > now && until > latestUntil) {
        latestUntil = until;
        latest = {
          kind: 'soak',
          until: new Date(until).toISOString(),
          after: reference,
          soak: soak.duration,
          message: `waiting: soak until ${utc(until)} (${soak.duration} after ${reference} was applied in ${env.info.name})`,
        };
      }
    }
    // A soak whose clock runs (or has not started) wins; a missing approval is said next.
    if (latest?.until) return latest;
    soakNote = latest;
  }
  const needsApproval = (migration.requiresApproval && env.info.protected) || !!env.approvers?.length;
  if (needsApproval && !approvalFor(migration, approvals, env)) {
    const who = env.approvers?.length ? ` by ${env.approvers.join(' or ')}` : '';
    return {
      kind: 'approval',
      ...(env.approvers?.length ? { approvers: env.approvers } : {}),
      message: `waiting: approval${who} in ${env.info.name} (tidemark approve ${migration.version} --env ${env.info.name} --as NAME --reason TEXT)`,
    };
  }
  return soakNote;
}
