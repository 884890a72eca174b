/**
 * The shadow database: an in-memory PGlite that holds the schema of the migrations before the one
 * under check, never the user's sandbox or a server. It stays warm: the built prefix is keyed by
 * the checksums of the migrations applied to it, so checking the same migration again (the user
 * editing it) builds nothing, and checking the next one applies only what is new. Each check runs
 * in one transaction that is rolled back, so the built schema is never changed by a check.
 *
 * Measured (bench:check and the report of issue 10): dumpDataDir of a 100-table shadow takes
 * ~650 ms (45 MB) and loadDataDir into a new instance ~1.8 s, clone() ~2.3 s, while a rolled-back
 * transaction on the warm instance costs ~20 ms; so the warm instance is the cache.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { Migration } from '../migrations/types';
import type { DatabaseAdapter } from '../database/adapter';
import { PgliteAdapter } from '../database/pglite-adapter';
import type { EmbeddedSetup } from '../database/embedded-setup';
import { extensionsNamedIn, loadableExtensions, pgliteExtensionOptions } from '../database/pglite-extensions';
import { pgliteTemplate } from '../database/pglite-template';
import { startPgliteEngine } from '../database/pglite-engine';
import { planSection } from '../runner/execution';
import type { Statement } from '../sql/statements';
import { shadowStatementText, shadowLimitation } from './limitations';
import type { CatalogCache } from './catalog';

export interface ShadowSetup {
  /** Roles created before anything else (`check.roles`). */
  roles?: readonly string[];
  /** A script run once before the migrations (`check.setup`): seed rows, objects the platform provides. */
  setupSql?: { path: string; text: string };
  /**
   * The extensions to load and the stubs (`check.stubs`, the preset's), and the preset's setup,
   * run before `check.setup`. `extensions` holds those the migrations name: withMigrationExtensions.
   */
  embedded?: EmbeddedSetup;
}

/** `setup` with the extensions `migrations` create added: the shadow loads them when it opens. */
export function withMigrationExtensions(setup: ShadowSetup, migrations: readonly Migration[]): ShadowSetup {
  const named = new Set(setup.embedded?.extensions ?? []);
  for (const m of migrations) for (const s of [m.up, m.down, m.verify, m.precheck]) if (s) for (const name of extensionsNamedIn(s.text)) named.add(name);
  return { ...setup, embedded: { stubs: [], ...setup.embedded, extensions: [...named].sort() } };
}

/** A statement of an earlier migration the shadow could not run: later failures may come from it. */
export interface BuildGap {
  version: string;
  statement: string;
  reason: string;
}

export class ShadowSetupError extends Error {}

export class Shadow {
  private built: string[] = [];
  private readonly gaps: BuildGap[] = [];

  private constructor(
    readonly db: DatabaseAdapter,
    private readonly setupKey: string,
  ) {}

  static async open(setup: ShadowSetup = {}): Promise<Shadow> {
    const template = pgliteTemplate('shadow');
    const embedded = setup.embedded ?? { extensions: [], stubs: [] };
    const extensions = pgliteExtensionOptions(loadableExtensions(embedded.extensions, embedded.stubs), embedded.stubs);
    const pglite: PGlite = await startPgliteEngine(undefined, { ...(template ? { loadDataDir: template } : {}), extensions });
    const db = new PgliteAdapter(pglite, () => undefined, 'shadow');
    try {
      if (embedded.setupSql) {
        try {
          await db.exec(embedded.setupSql);
        } catch (error) {
          throw new ShadowSetupError(`${embedded.setupOrigin ?? 'the preset'} failed in the shadow database: ${(error as Error).message}`);
        }
      }
      for (const role of setup.roles ?? []) {
        // A role the preset made already (check.roles written before the preset existed) is not an error.
        if ((await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rows.length) continue;
        await db.query(`CREATE ROLE ${quoteIdentifier(role)}`);
      }
      if (setup.setupSql) {
        try {
          await db.exec(setup.setupSql.text);
        } catch (error) {
          throw new ShadowSetupError(`check.setup ${setup.setupSql.path} failed in the shadow database: ${(error as Error).message}`);
        }
      }
    } catch (error) {
      await db.close();
      throw error;
    }
    return new Shadow(db, setupKeyOf(setup));
  }

  /** True when this shadow was set up with the same roles and setup script. */
  matches(setup: ShadowSetup): boolean {
    return this.setupKey === setupKeyOf(setup);
  }

  private spent = false;
  /** Definitions of the built schema, refreshed by each check's first snapshot (catalog.ts). */
  readonly catalogCache: CatalogCache = { horizon: 0, definitions: new Map() };

  /**
   * Marks the shadow as holding what a check committed (a migration checked committing each
   * statement): it is no longer the schema of earlier migrations, so it builds nothing more and
   * its owner opens a new one.
   */
  spend(): void {
    this.spent = true;
  }

  /** True when the earlier migrations are already built or can be built by applying more. */
  canBuild(earlier: readonly Migration[]): boolean {
    return !this.spent && this.built.every((c, i) => earlier[i]?.checksum === c) && this.built.length <= earlier.length;
  }

  /** `migration`, the next to build, was applied whole by its check (ReplayOptions.keepUp). */
  builtBy(migration: Migration): void {
    this.built.push(migration.checksum);
  }

  /** What the shadow skipped while building the migrations it holds. */
  get buildGaps(): readonly BuildGap[] {
    return this.gaps;
  }

  get builtCount(): number {
    return this.built.length;
  }

  /**
   * Applies the up sections of `earlier` that are not built yet, statement by statement in
   * autocommit. A statement that fails is recorded as a gap, not an error: it is reported when
   * that migration itself is checked.
   */
  async build(earlier: readonly Migration[], isCancelled?: () => boolean): Promise<void> {
    if (!this.canBuild(earlier)) throw new Error('the shadow holds other migrations; open a new one');
    for (let i = this.built.length; i < earlier.length; i++) {
      const migration = earlier[i];
      if (isCancelled?.()) return;
      const plan = await planSection(migration.up, migration);
      const statements = plan.statements.filter((_, index) => !plan.skipped.has(index));
      if (!(await this.runBuildBatch(statements))) {
        for (const statement of statements) {
          if (isCancelled?.()) return;
          await this.runBuildStatement(migration, statement);
        }
      }
      this.built.push(migration.checksum);
    }
  }

  /**
   * Runs a migration's statements as one multi-statement query: one round trip instead of one per
   * statement (building 99 two-statement migrations: 280 ms statement by statement, measured
   * against this in bench:check). PostgreSQL runs such a query as one implicit transaction, so
   * when any statement fails nothing of it stays, and the caller replays the migration statement
   * by statement to record which statement failed and why; so do statements that cannot run in a
   * transaction block.
   */
  private async runBuildBatch(statements: readonly Statement[]): Promise<boolean> {
    const texts = statements.map(shadowStatementText);
    if (texts.some((text) => text === undefined)) return false;
    try {
      // A newline before each separator: a statement may end in a line comment.
      await this.db.exec(texts.map((text) => `${text!.sql}\n;`).join('\n'));
      return true;
    } catch {
      return false;
    }
  }

  private async runBuildStatement(migration: Migration, statement: Statement): Promise<void> {
    const text = shadowStatementText(statement);
    if (text === undefined) return;
    try {
      await this.db.query(text.sql);
    } catch (error) {
      const limitation = shadowLimitation(statement, error);
      this.gaps.push({ version: migration.version, statement: statement.text, reason: limitation ?? (error as Error).message });
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

function setupKeyOf(setup: ShadowSetup): string {
  const embedded = setup.embedded;
  return JSON.stringify([setup.roles ?? [], setup.setupSql?.text ?? '', embedded?.extensions ?? [], embedded?.stubs.map((s) => [s.name, s.sql]) ?? [], embedded?.setupSql ?? '']);
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
