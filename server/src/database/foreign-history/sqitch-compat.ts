/**
 * sqitch's compatibility writer: what App::Sqitch::Role::DBIEngine (sqitch 1.x, the pg engine)
 * writes to its registry when it deploys or reverts one change, so that `sqitch status`,
 * `sqitch deploy` and `sqitch revert` run afterwards see the change as deployed (or reverted).
 *
 * Deploy (log_deploy_change): one `changes` row — change_id (the plan's change ID), script_hash
 * (SHA-1 of the deploy script's bytes, Plan::Change `_deploy_hash`), change, project, note,
 * committer, planned_at (the plan's timestamp), planner, committed_at = clock_timestamp() —; one
 * `dependencies` row per `[require]` (its `dependency_id` the earliest deployed change of that
 * name, change_id_for) and `[!conflict]`; then an `events` row `deploy` with the tags, requires
 * and conflicts as text arrays. Revert (log_revert_change): the dependencies and the changes row
 * are deleted, and a `revert` event is logged with what was deleted.
 *
 * What Tidemark does not write, and so refuses (nothing runs then): a change carrying a plan tag
 * (sqitch writes `tags` rows with a tag ID Tidemark does not compute), a reworked change, and a
 * dependency on a tag, a change ID or another project.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type { DatabaseAdapter } from '../adapter';
import type { Migration } from '../../migrations/types';
import { parseSqitchPlan, readSqitchConf, sqitchPaths, type SqitchChange } from '../../migrations/layouts/sqitch';
import { quotedName, type ForeignTable } from './reader';

interface Planned {
  change: SqitchChange;
  project: string;
}

/** The plan entry of `m`: the sqitch.plan of the project its deploy script belongs to, searched upwards. */
function plannedChange(m: Migration): Planned | string {
  for (let dir = dirname(m.up.file.path); ; dir = dirname(dir)) {
    const conf = existsSync(join(dir, 'sqitch.conf')) ? readSqitchConf(readFileSync(join(dir, 'sqitch.conf'), 'utf8')) : undefined;
    const planFile = sqitchPaths(dir, conf ?? new Map()).planFile;
    if (conf || existsSync(planFile)) {
      if (!existsSync(planFile)) return `its plan ${planFile} does not exist`;
      const plan = parseSqitchPlan(readFileSync(planFile, 'utf8'));
      const change = plan.changes.find((c) => c.id === m.toolId);
      if (!change || !plan.project) return `its change ID is not in ${planFile}`;
      return { change, project: plan.project };
    }
    if (dirname(dir) === dir) return 'no sqitch.plan was found above its deploy script';
  }
}

/** Who committed it, as sqitch takes it from SQITCH_USER_NAME / SQITCH_USER_EMAIL, else the system user. */
function committer(): [string, string] {
  const user = userInfo().username;
  return [process.env.SQITCH_USER_NAME || user, process.env.SQITCH_USER_EMAIL || `${user}@${hostname()}`];
}

const registry = (t: ForeignTable, table: string) => quotedName({ schema: t.schema, table });

export function sqitchRefuses(m: Migration): string | undefined {
  const planned = plannedChange(m);
  if (typeof planned === 'string') return planned;
  const { change, project } = planned;
  if (change.tags.length)
    return `it carries the tag${change.tags.length > 1 ? 's' : ''} @${change.tags.join(', @')}, whose registry rows Tidemark does not write; run \`sqitch deploy\``;
  if (change.instance > 1 || change.reworkTags.length) return 'it is a reworked change, which Tidemark does not record for sqitch; run `sqitch deploy`';
  const unresolved = [...change.requires, ...change.conflicts].find((d) => d.tag !== undefined || d.id !== undefined || (d.project !== undefined && d.project !== project));
  if (unresolved) return `its dependency ${unresolved.text} names a tag, a change ID or another project, which Tidemark does not resolve as sqitch does; run \`sqitch deploy\``;
  return undefined;
}

export async function sqitchRecord(db: DatabaseAdapter, t: ForeignTable, m: Migration): Promise<void> {
  const planned = plannedChange(m);
  if (typeof planned === 'string') throw new Error(`cannot record ${m.version} in sqitch's registry: ${planned}`);
  const { change, project } = planned;
  const [name, email] = committer();
  const scriptHash = createHash('sha1').update(readFileSync(m.up.file.path)).digest('hex');
  await db.query(
    `INSERT INTO ${registry(t, 'changes')} (change_id, script_hash, change, project, note, committer_name, committer_email, planned_at, planner_name, planner_email, committed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, clock_timestamp())`,
    [change.id, scriptHash, change.name, project, change.note, name, email, change.timestamp, change.plannerName, change.plannerEmail],
  );
  for (const dep of change.requires) {
    const found = await db.query(`SELECT change_id FROM ${registry(t, 'changes')} WHERE project = $1 AND change = $2 ORDER BY committed_at ASC LIMIT 1`, [project, dep.change]);
    await db.query(`INSERT INTO ${registry(t, 'dependencies')} (change_id, type, dependency, dependency_id) VALUES ($1, 'require', $2, $3)`, [
      change.id,
      dep.text,
      found.rows[0]?.change_id ?? null,
    ]);
  }
  for (const dep of change.conflicts)
    await db.query(`INSERT INTO ${registry(t, 'dependencies')} (change_id, type, dependency, dependency_id) VALUES ($1, 'conflict', $2, NULL)`, [
      change.id,
      dep.text.replace(/^!/, ''),
    ]);
  await logEvent(
    db,
    t,
    'deploy',
    planned,
    [],
    change.requires.map((d) => d.text),
    change.conflicts.map((d) => d.text.replace(/^!/, '')),
  );
}

export async function sqitchRemove(db: DatabaseAdapter, t: ForeignTable, m: Migration): Promise<void> {
  const planned = plannedChange(m);
  if (typeof planned === 'string') throw new Error(`cannot remove ${m.version} from sqitch's registry: ${planned}`);
  const id = planned.change.id;
  const deps = await db.query(`SELECT type, dependency FROM ${registry(t, 'dependencies')} WHERE change_id = $1`, [id]);
  const of = (type: string) => deps.rows.filter((r) => r.type === type).map((r) => String(r.dependency));
  await db.query(`DELETE FROM ${registry(t, 'dependencies')} WHERE change_id = $1`, [id]);
  await db.query(`DELETE FROM ${registry(t, 'changes')} WHERE change_id = $1`, [id]);
  await logEvent(db, t, 'revert', planned, [], of('require'), of('conflict'));
}

async function logEvent(db: DatabaseAdapter, t: ForeignTable, event: string, { change, project }: Planned, tags: string[], requires: string[], conflicts: string[]): Promise<void> {
  const [name, email] = committer();
  await db.query(
    `INSERT INTO ${registry(t, 'events')} (event, change_id, change, project, note, tags, requires, conflicts, committer_name, committer_email, planned_at, planner_name, planner_email, committed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, clock_timestamp())`,
    [event, change.id, change.name, project, change.note, tags, requires, conflicts, name, email, change.timestamp, change.plannerName, change.plannerEmail],
  );
}
