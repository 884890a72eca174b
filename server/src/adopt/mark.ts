/**
 * `tidemark mark applied|pending VERSION...`: repair the history by hand — record a migration an
 * operator applied in an emergency, or remove the row of one they cleaned up — without running
 * SQL. Each change writes a `mark` event with the reason; the report names each version's state
 * before the change.
 */
import { stateDefinition } from '../migration-states';
import { versionId } from '../migrations/version';
import type { MarkReport, MigrationStatus } from '../protocol';
import { findEnvironment, RunnerInputError, type Project } from '../database/environments';
import { migrationStates } from '../runner/status';
import { historyFilesOf, migrationsOnDisk, requireConfirmation, withLockedSession, type RunOptions } from '../runner/session';
import type { DatabaseAdapter } from '../database/adapter';
import { ensureParser } from '../sql/parse';
import { parseStatements } from '../sql/statements';
import { describeObject, objectEffects, type DbObject } from '../sql/objects';
import { quoteIdentifier } from '../sql/names';

export interface MarkOptions extends Pick<RunOptions, 'askPassword' | 'progress' | 'confirm'> {
  reason?: string;
}

/** "failed (stopped after 2 statements: ...)", "applied on 2026-12-01 by ana". */
function describe(s: MigrationStatus | undefined): string {
  if (!s) return 'not on disk or in history';
  const label = stateDefinition(s.state).label;
  if (s.state === 'failed') return `${label} (stopped after ${s.statementsDone ?? 0} statement(s): ${s.error ?? ''})`;
  return s.appliedAt ? `${label} (applied ${s.appliedAt} by ${s.appliedBy ?? '?'}${s.adoptedFrom ? `, recorded from ${s.adoptedFrom}` : ''})` : label;
}

export async function markMigrations(
  project: Project,
  environment: string | undefined,
  mark: 'applied' | 'pending',
  versions: string[],
  options: MarkOptions,
): Promise<MarkReport> {
  const env = findEnvironment(project, environment);
  if (versions.length === 0) throw new RunnerInputError(`mark ${mark} needs at least one VERSION`);
  requireConfirmation(env, options.confirm, `mark migrations ${mark} in`);
  const { migrations } = migrationsOnDisk(project, true);
  await ensureParser();
  return withLockedSession(env, options, async ({ db, history }) => {
    const warnings: string[] = [];
    const rows = await history.rows();
    const states = migrationStates(migrations, rows);
    const changes: MarkReport['changes'] = [];
    const work: Array<() => Promise<void>> = [];
    const reason = options.reason ? `: ${options.reason}` : '';
    for (const version of versions) {
      const key = versionId(version);
      const state = states.find((s) => versionId(s.version) === key);
      const migration = migrations.find((m) => versionId(m.version) === key);
      if (mark === 'applied') {
        if (!migration) throw new RunnerInputError(`cannot mark ${version} applied in ${env.name}: no migration file has this version (${describe(state)})`);
        if (state && stateDefinition(state.state).hasRun && state.state !== 'failed') {
          throw new RunnerInputError(`cannot mark ${version} applied in ${env.name}: it is already ${describe(state)}`);
        }
        changes.push({ version: migration.version, name: migration.name, before: describe(state), after: 'applied (marked by hand)' });
        work.push(() =>
          history.recordWithoutRunning(
            { ...historyFilesOf(migration), state: 'applied', statementsDone: 0 },
            undefined,
            'mark',
            'mark',
            `marked applied without running it (was ${describe(state)})${reason}`,
          ),
        );
      } else {
        const row = rows.find((r) => versionId(r.version) === key);
        if (!row || !state) throw new RunnerInputError(`cannot mark ${version} pending in ${env.name}: it has no history row (${describe(state)})`);
        changes.push({ version: row.version, name: row.name, before: describe(state), after: migration ? 'pending' : 'gone (no file, no row)' });
        const remaining = await objectsStillThere(db, row.upSql);
        if (remaining.length) {
          warnings.push(
            `${row.version} ${row.name} created objects that still exist in ${env.name}: ${remaining.join(', ')}. Marking it pending does not remove them, so the next apply of it fails on them unless its up section is idempotent; to undo a migration, run \`tidemark rollback --env ${env.name}\` (it runs the down section) instead, or drop them by hand.`,
          );
        }
        work.push(async () => {
          await history.remove(row.version);
          await history.event(row.version, 'mark', undefined, `marked pending without running SQL (was ${describe(state)})${reason}`);
        });
      }
    }
    await history.allowNewEventKinds();
    await db.transaction(async () => {
      for (const w of work) await w();
    });
    const n = changes.length;
    return { environment: env.name, mark, changes, warnings, summary: `Marked ${n} migration${n === 1 ? '' : 's'} ${mark} in ${env.name} without running SQL.` };
  });
}

/** Relations and types an up section creates that exist in the database now, described ("table orders"). */
async function objectsStillThere(db: DatabaseAdapter, upSql: string): Promise<string[]> {
  const created: DbObject[] = [];
  for (const statement of parseStatements(upSql)) {
    for (const effect of objectEffects(statement.node)) if (effect.action === 'create') created.push(effect.object);
  }
  const found: string[] = [];
  for (const object of created) {
    const lookup = RELATION_KINDS.has(object.kind) ? 'to_regclass' : object.kind === 'type' || object.kind === 'domain' ? 'to_regtype' : undefined;
    if (!lookup) continue;
    const name = object.schema ? `${quoteIdentifier(object.schema)}.${quoteIdentifier(object.name)}` : quoteIdentifier(object.name);
    const r = await db.query(`SELECT ${lookup}($1) IS NOT NULL AS present`, [name]);
    if (r.rows[0]?.present === true && !found.includes(describeObject(object))) found.push(describeObject(object));
  }
  return found;
}

const RELATION_KINDS = new Set(['table', 'index', 'sequence', 'view', 'materialized view']);
