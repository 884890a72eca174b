/**
 * What the `-- tidemark:blocked`, `-- tidemark:draft` and `-- tidemark:environments` directives
 * mean to the runner: which migrations an environment takes at all, and where apply must stop.
 */
import type { Migration } from '../migrations/types';
import type { MigrationStatus } from '../protocol';
import { RunnerInputError } from '../database/environments';

/** A migration limited by `-- tidemark:environments` applies only in the environments it names. */
export function appliesIn(migration: Pick<Migration, 'environments'>, environment: string): boolean {
  return migration.environments === undefined || migration.environments.includes(environment);
}

/** The migrations an environment takes; the others are neither pending nor applied there. */
export function migrationsFor(migrations: Migration[], environment: string): Migration[] {
  return migrations.filter((m) => appliesIn(m, environment));
}

/** The directive facts status carries for a migration, only when the file has them. */
export function directiveFields(m: Migration): Pick<MigrationStatus, 'blockedReasons' | 'environments'> {
  return { ...(m.blockedReasons.length ? { blockedReasons: m.blockedReasons } : {}), ...(m.environments ? { environments: m.environments } : {}) };
}

export function describeBlock(m: Migration): string {
  return `${m.version} ${m.name} is blocked: ${m.blockedReasons.join('; ')}`;
}

/**
 * The pending migrations that may run now: those before the first blocked one. With `--to`,
 * reaching a blocked migration is refused rather than silently stopping short of the `--to` version.
 */
export function untilBlocked(candidates: Migration[], toVersion: string | undefined): { runnable: Migration[]; blockedBy?: Migration } {
  const at = candidates.findIndex((m) => m.blockedReasons.length > 0);
  if (at < 0) return { runnable: candidates };
  const blockedBy = candidates[at];
  if (toVersion !== undefined) {
    throw new RunnerInputError(
      `refusing --to ${toVersion}: ${describeBlock(blockedBy)}${at > 0 ? `; apply up to ${candidates[at - 1].version} with --to ${candidates[at - 1].version}` : ''}`,
    );
  }
  return { runnable: candidates.slice(0, at), blockedBy };
}
