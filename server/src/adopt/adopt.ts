/**
 * `tidemark adopt`: record migrations as applied without running them — the versions another
 * tool's history lists (--from), or every migration up to a version (--to, a baseline) — in one
 * transaction under the migration lock. Each row keeps the file's checksum and SQL as of adoption,
 * so drift is detected from then on, and says where it came from.
 */
import type { Migration } from '../migrations/types';
import type { AdoptReport } from '../protocol';
import { compareVersionKeys, versionId, versionOrder } from '../migrations/version';
import { findEnvironment, RunnerInputError, type Project } from '../database/environments';
import { historyFilesOf, validateToVersion, migrationsOnDisk, requireConfirmation, withLockedSession, withReadSession, type RunOptions, type Session } from '../runner/session';
import { FOREIGN_TOOLS, findForeignTables, matchEntry, namedTable, qualifiedName, readForeignEntries, toolLabel, type ForeignTable } from '../database/foreign-history';

export interface AdoptOptions extends Pick<RunOptions, 'askPassword' | 'progress' | 'confirm'> {
  /** A tool of FOREIGN_TOOLS (dbmate, prisma, drizzle, ...) or table:SCHEMA.TABLE; undefined with `to` for a baseline. */
  from?: string;
  /** Baseline: every migration up to this version. */
  to?: string;
  dryRun?: boolean;
  /** Leave failed versions and versions with no file out instead of refusing. */
  skipFailed?: boolean;
}

interface Candidate {
  migration?: Migration;
  version: string;
  appliedAt?: string;
  failed: boolean;
}

export async function adoptEnvironment(project: Project, environment: string | undefined, options: AdoptOptions): Promise<AdoptReport> {
  const env = findEnvironment(project, environment);
  if (options.from !== undefined && options.to !== undefined)
    throw new RunnerInputError("adopt takes --from (import another tool's history) or --to VERSION (a baseline), not both");
  if (!options.dryRun) requireConfirmation(env, options.confirm, 'adopt');
  const { migrations } = migrationsOnDisk(project, true);
  validateToVersion(options.to, migrations);
  const plan = async (session: Session) => {
    const rows = await session.history.rows();
    const { source, adoptedFrom, candidates } = await candidatesFor(session, migrations, options);
    const known = new Set(rows.map((r) => versionId(r.version)));
    const recorded: Array<{ migration: Migration; appliedAt?: string }> = [];
    const problems: Array<{ version: string; reason: string }> = [];
    const skipped: Array<{ version: string; reason: string }> = [];
    for (const c of candidates) {
      if (c.failed) problems.push({ version: c.version, reason: `${source} records it as failed` });
      else if (!c.migration) problems.push({ version: c.version, reason: 'no migration file has this version' });
      else if (known.has(versionId(c.migration.version))) skipped.push({ version: c.migration.version, reason: "already in Tidemark's history" });
      else recorded.push({ migration: c.migration, appliedAt: c.appliedAt });
    }
    if (problems.length && !options.skipFailed) {
      throw new RunnerInputError(
        `refusing to adopt ${env.name} from ${source}: ${problems.map((p) => `${p.version} (${p.reason})`).join('; ')}; ` +
          'fix them, or leave them out with --skip-failed (they then stay pending)',
      );
    }
    return { source, adoptedFrom, recorded, skipped: [...problems, ...skipped] };
  };
  const report = (p: Awaited<ReturnType<typeof plan>>, dryRun: boolean): AdoptReport => {
    const n = p.recorded.length;
    const what = `${n} migration${n === 1 ? '' : 's'} as applied`;
    return {
      environment: env.name,
      source: p.source,
      dryRun,
      recorded: p.recorded.map((r) => ({ version: r.migration.version, name: r.migration.name, ...(r.appliedAt ? { appliedAt: r.appliedAt } : {}) })),
      skipped: p.skipped,
      summary: dryRun
        ? `Would record ${what} in ${env.name} from ${p.source}, without running them (dry run: nothing written).`
        : `Recorded ${what} in ${env.name} from ${p.source}, without running them; \`tidemark apply\` applies the rest.`,
    };
  };
  if (options.dryRun) return withReadSession(env, options, async (session) => report(await plan(session), true));
  return withLockedSession(env, options, async (session) => {
    const p = await plan(session);
    await session.history.allowNewEventKinds();
    await session.db.transaction(async () => {
      for (const r of p.recorded) {
        const m = r.migration;
        await session.history.recordWithoutRunning(
          { ...historyFilesOf(m), state: 'applied', statementsDone: 0 },
          r.appliedAt,
          p.adoptedFrom,
          'adopt',
          `adopted from ${p.source} without running it (${p.recorded.length} version${p.recorded.length === 1 ? '' : 's'}: ${p.recorded.map((x) => x.migration.version).join(', ')})`,
        );
      }
    });
    return report(p, false);
  });
}

async function candidatesFor(session: Session, migrations: Migration[], options: AdoptOptions): Promise<{ source: string; adoptedFrom: string; candidates: Candidate[] }> {
  if (options.to !== undefined) {
    const limit = versionOrder(migrations)(options.to);
    if (!migrations.some((m) => compareVersionKeys(m.versionKey, limit) === 0)) throw new RunnerInputError(`--to ${options.to}: no migration file has this version`);
    const candidates = migrations.filter((m) => compareVersionKeys(m.versionKey, limit) <= 0).map((m) => ({ migration: m, version: m.version, failed: false }));
    return { source: `a baseline up to ${options.to}`, adoptedFrom: 'baseline', candidates };
  }
  const table = await foreignTable(session, options.from);
  const entries = await readForeignEntries(session.db, table, migrations);
  // What the tool undid (a Prisma rollback, goose down, a Liquibase SKIPPED) is not applied: not adopted.
  const candidates = entries
    .filter((e) => !e.undone)
    .map((e) => {
      const migration = matchEntry(table.tool, e, migrations);
      return { migration, version: migration?.version ?? e.version, appliedAt: e.appliedAt, failed: e.failed };
    });
  return { source: toolLabel(table), adoptedFrom: table.tool === 'table' ? `table:${qualifiedName(table)}` : table.tool, candidates };
}

async function foreignTable(session: Session, from: string | undefined): Promise<ForeignTable> {
  if (from?.startsWith('table:')) return namedTable(session.db, from.slice('table:'.length));
  if (from !== undefined && !FOREIGN_TOOLS.includes(from as ForeignTable['tool'])) {
    throw new RunnerInputError(`--from must be one of ${FOREIGN_TOOLS.filter((t) => t !== 'table').join(', ')} or table:SCHEMA.TABLE, not "${from}"`);
  }
  const found = await findForeignTables(session.db);
  const matching = from === undefined ? found : found.filter((t) => t.tool === from);
  if (matching.length === 0) {
    throw new RunnerInputError(
      from === undefined
        ? "no other migration tool's history table found; record a baseline with --to VERSION, or name a table with --from table:SCHEMA.TABLE"
        : `no ${from} history table found on the search path${found.length ? ` (found ${found.map(toolLabel).join(', ')})` : ''}`,
    );
  }
  if (matching.length > 1) throw new RunnerInputError(`several history tables found (${matching.map(toolLabel).join(', ')}); pick one with --from table:SCHEMA.TABLE`);
  return matching[0];
}
