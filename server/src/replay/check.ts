/**
 * The replay check of one migration M on a shadow database holding the schema of the migrations
 * before it: catalog snapshot S0, M's up statement by statement, its verify section, the up again,
 * the down, snapshot S2 compared with S0, the down again. It all runs in one transaction that is
 * rolled back (each step under a savepoint), so the shadow is left as it was.
 */
import type { Migration, Section } from '../migrations/types';
import { fileIgnoredRules, ignoredRules } from '../migrations/sections';
import type { SeveritySetting } from '../migrations/config';
import { applyExecutionPolicy, type ExecutionPolicy } from '../migrations/execution';
import { configuredSeverity, DEFAULT_DOCS_BASE, type Finding } from '../findings/finding';
import type { SourceFile } from '../sql/source';
import type { Statement } from '../sql/statements';
import { ServerError } from '../database/adapter';
import { CancelledError, errorMessage, fileOffsetOfPosition, planSection, StatementError } from '../runner/execution';
import { runVerifyChecks } from '../runner/verify';
import { OWN_LOCKS } from '../runner/plan';
import { catalogSnapshot, compareSnapshots, describeDifference, markCatalog, unchangedSinceMark, type CatalogDifference, type CatalogSnapshot } from './catalog';
import { notReplayedReason, shadowLimitation, shadowStatementText } from './limitations';
import { REPLAY_ERROR, REPLAY_NOT_IDEMPOTENT, REPLAY_ROLLBACK_MISMATCH, REPLAY_SKIPPED, REPLAY_VERIFY_FAILED, type ReplayRule } from '../findings/replay-rules';
import type { Shadow } from './shadow';

/** A finding of the replay check: the lint Finding, in the file of the section it is about. */
export interface ReplayFinding extends Finding {
  file: SourceFile;
}

export interface ReplayOptions {
  severities?: Record<string, SeveritySetting>;
  /** tidemark.json `lint.idempotency`: the second run of each section is proved only where a statement can run twice. */
  policy?: ExecutionPolicy;
  docsBase?: string;
  isCancelled?: () => boolean;
  /**
   * False when the caller shows no observed locks (`tidemark check`: only the editor's hover does):
   * pg_locks is then not read after each up statement (bench:check: ~2 ms a statement, 1 s of a
   * 100-migration chain). ReplayResult.observedLocks is then empty.
   */
  observeLocks?: boolean;
  /**
   * True when the next check on this shadow is of a later migration (`tidemark check` of a chain):
   * a check that ran through leaves its up committed, its first pass as the build would run it,
   * instead of the build running it again (bench:check: the build was ~15% of a whole chain).
   */
  keepUp?: boolean;
  /** Called before each statement runs on the shadow: what to name if it never returns. */
  onStatement?: (section: Section, statement: Statement) => void;
}

/** The relation locks one up statement took in the shadow that its transaction did not hold already. */
export interface ObservedLocks {
  /** The statement's offsets in the up section's file. */
  start: number;
  end: number;
  locks: Array<{ relation: string; mode: string }>;
}

export interface ReplayResult {
  version: string;
  findings: ReplayFinding[];
  /** Per up statement of the first pass, in order (statements that failed or were not replayed have none). */
  observedLocks: ObservedLocks[];
  /** True when every step ran to its end: a statement the second up pass did not flag is proved re-runnable. */
  completed: boolean;
  /** What the shadow did differently from a server (CONCURRENTLY dropped, VACUUM not replayed). */
  notes: string[];
  durationMs: number;
}

/** A failure that ends the check of the migration: the rest would only repeat its consequence. */
class StopReplay extends Error {}

/**
 * A migration that runs statement by statement (no transaction, or its own transactions) used a
 * value an earlier statement of it added to an enum: PostgreSQL allows that only once the value is
 * committed, which apply does and a rolled-back check cannot. The check is run again committing
 * each statement (enumValueCommitted).
 */
class NeedsCommits extends Error {}

/** "unsafe use of new value ... of enum type": a value added in this transaction, used before its commit. */
const UNSAFE_NEW_ENUM_VALUE = '55P04';

class ReplayRun {
  readonly findings: ReplayFinding[] = [];
  readonly notes: string[] = [];
  readonly observedLocks: ObservedLocks[] = [];
  private savepoints = 0;
  /** `${oid}/${mode}` of the relation locks the check's transaction holds. */
  private readonly held = new Set<string>();

  constructor(
    private readonly shadow: Shadow,
    private readonly migration: Migration,
    private readonly options: ReplayOptions,
    /** Each statement commits, as apply runs a no-transaction migration; the shadow is discarded afterwards. */
    private readonly committing = false,
  ) {}

  private get db() {
    return this.shadow.db;
  }

  get database() {
    return this.shadow.db;
  }

  get catalogCache() {
    return this.shadow.catalogCache;
  }

  /** The up's first pass was committed: the shadow now holds this migration built. */
  keptUp(): void {
    this.shadow.builtBy(this.migration);
  }

  report(rule: ReplayRule, section: Section, statement: Statement | undefined, message: string, at?: number): void {
    const severity = configuredSeverity(this.options.severities, rule);
    if (severity === undefined) return;
    const fileIgnores = fileIgnoredRules(section.file.text);
    if (fileIgnores.has(rule.id) || fileIgnores.has('*')) return;
    if (statement) {
      const ignored = ignoredRules(statement.leadingComments);
      if (ignored.has(rule.id) || ignored.has('*')) return;
    }
    const start = at ?? statement?.start ?? section.offset;
    const end = statement && start < statement.end ? statement.end : start;
    this.findings.push({ rule: rule.id, severity, message, start, end, fixes: [], docs: `${this.options.docsBase ?? DEFAULT_DOCS_BASE}${rule.id}.md`, file: section.file });
  }

  /** Runs `work` under a savepoint; rolled back to it when `keep` is false or work throws. */
  async savepoint<T>(work: () => Promise<T>, keep: boolean): Promise<T> {
    if (this.committing) return keep ? work() : this.db.transaction(work, { rollback: true });
    const name = `tidemark_replay_${++this.savepoints}`;
    await this.db.exec(`SAVEPOINT ${name}`);
    try {
      const result = await work();
      await this.db.exec(keep ? `RELEASE SAVEPOINT ${name}` : `ROLLBACK TO SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      await this.db.exec(`ROLLBACK TO SAVEPOINT ${name}`);
      throw error;
    }
  }

  /** Set from the up's plan: apply runs it statement by statement (no transaction, or its own transactions). */
  runsStatementByStatement = false;

  upHasSyntaxError = false;

  /** Each section is parsed once per check, not at each pass over it. */
  private readonly parsed = new Map<Section, Statement[]>();

  private async statementsOf(section: Section): Promise<Statement[]> {
    const known = this.parsed.get(section);
    if (known) return known;
    const plan = await planSection(section, this.migration);
    if (section.kind === 'up') {
      this.runsStatementByStatement = plan.transaction !== 'wrapped';
      // The build runs these too (and records a gap): a kept up would differ from it.
      this.upHasSyntaxError = plan.statements.some((s, i) => !plan.skipped.has(i) && s.syntaxError);
    }
    const statements = plan.statements.filter((s, i) => !plan.skipped.has(i) && !s.syntaxError);
    this.parsed.set(section, statements);
    return statements;
  }

  private async cancellationPoint(): Promise<void> {
    if (!this.options.isCancelled) return;
    // PGlite runs in this thread: give a cancellation that arrived meanwhile a turn to be read.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.options.isCancelled()) throw new CancelledError();
  }

  /**
   * Runs a section statement by statement. On the first pass a failure is `firstRule` and stops
   * the check; on the second pass each failing statement is `replay-not-idempotent` and the
   * others still run.
   */
  async runSection(section: Section, pass: 'first' | 'again'): Promise<void> {
    for (const statement of await this.statementsOf(section)) {
      await this.cancellationPoint();
      const text = shadowStatementText(statement);
      if (!text) {
        const reason = notReplayedReason(statement);
        if (reason && pass === 'first') this.note(section, statement, reason);
        continue;
      }
      if (text.note && pass === 'first') this.note(section, statement, text.note);
      this.options.onStatement?.(section, statement);
      try {
        // A failure of the first pass ends the check and its transaction is rolled back whole:
        // only the second pass, which goes on after a failing statement, needs a savepoint each.
        if (pass === 'first') await this.db.exec(text.sql);
        else await this.savepoint(() => this.db.exec(text.sql), true);
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        this.failed(section, statement, error, pass);
        continue;
      }
      // Committed statements release their locks at once: there is nothing to read.
      if (section.kind === 'up' && pass === 'first' && !this.committing && this.observesLocks) await this.recordLocks(statement);
    }
  }

  get observesLocks(): boolean {
    return this.options.observeLocks !== false;
  }

  /** Reads pg_locks of the shadow's own backend: the locks this statement added (as plan measures them). */
  async recordLocks(statement: Statement): Promise<void> {
    const locks: ObservedLocks['locks'] = [];
    for (const r of (await this.db.query(OWN_LOCKS, ['tidemark'])).rows) {
      const key = `${r.oid}/${r.mode}`;
      if (this.held.has(key)) continue;
      this.held.add(key);
      locks.push({ relation: r.nspname === 'public' ? String(r.relname) : `${r.nspname}.${r.relname}`, mode: String(r.mode) });
    }
    this.observedLocks.push({ start: statement.start, end: statement.end, locks });
  }

  async recordHeldLocks(): Promise<void> {
    for (const r of (await this.db.query(OWN_LOCKS, ['tidemark'])).rows) this.held.add(`${r.oid}/${r.mode}`);
  }

  private failed(section: Section, statement: Statement, error: unknown, pass: 'first' | 'again'): void {
    if (!this.committing && error instanceof ServerError && error.code === UNSAFE_NEW_ENUM_VALUE && this.runsStatementByStatement) throw new NeedsCommits();
    const message = errorMessage(error);
    const at = fileOffsetOfPosition(statement, error instanceof ServerError ? error.position : undefined);
    const limitation = shadowLimitation(statement, error);
    if (limitation) {
      this.report(REPLAY_SKIPPED, section, statement, `not replayed: ${limitation}`);
      throw new StopReplay();
    }
    if (pass === 'again') {
      this.report(REPLAY_NOT_IDEMPOTENT, section, statement, `the ${section.kind} section fails when it runs a second time: ${message}`, at);
      return;
    }
    const gap = this.shadow.buildGaps[0];
    if (gap) {
      this.report(
        REPLAY_SKIPPED,
        section,
        statement,
        `not replayed: ${message}, but the shadow could not build all earlier migrations (${gap.version}: ${gap.reason}), so this may come from there`,
      );
      throw new StopReplay();
    }
    const where = section.kind === 'down' ? 'the down section fails after the up section ran: ' : '';
    this.report(REPLAY_ERROR, section, statement, `${where}${message}`, at);
    throw new StopReplay();
  }

  private note(section: Section, statement: Statement, text: string): void {
    const line = section.file.positionAt(statement.start).line + 1;
    this.notes.push(`${this.migration.version} line ${line}: ${text}`);
  }

  async verify(section: Section): Promise<void> {
    try {
      await this.savepoint(() => runVerifyChecks(this.db, this.migration, section, this.options.isCancelled), false);
    } catch (error) {
      if (!(error instanceof StatementError)) throw error;
      const f = error.failure;
      const at = section.file.offsetAt({ line: f.line, character: f.character });
      const statement = (await this.statementsOf(section)).find((s) => s.start <= at && at <= s.end);
      this.report(REPLAY_VERIFY_FAILED, section, statement, `the verify query fails right after the up section ran: ${f.message}`, at);
    }
  }

  /**
   * One finding per migration listing what the rollback leaves different (a down left empty on
   * purpose differs in every column: one finding says so, hundreds would bury everything else),
   * placed on the up statement that names the first object, else on the down section.
   */
  async mismatch(differences: readonly CatalogDifference[], up: Section, down: Section): Promise<void> {
    if (!differences.length) return;
    const message = differences.length === 1 ? describeDifference(differences[0]) : summariseDifferences(differences);
    const difference = differences[0];
    const bare = difference.object.name.split(' on ')[0].split('(')[0].split('.').pop()!.toLowerCase();
    const word = new RegExp(`(^|[^a-z0-9_$])"?${bare.replace(/[$]/g, '\\$')}"?($|[^a-z0-9_$])`, 'i');
    const upStatements = await this.statementsOf(up);
    const statement = upStatements.find((s) => word.test(s.text));
    if (statement) this.report(REPLAY_ROLLBACK_MISMATCH, up, statement, message);
    else this.report(REPLAY_ROLLBACK_MISMATCH, down, (await this.statementsOf(down))[0], message);
  }
}

/** "after the rollback, the schema differs: 3 columns still exist (a.x, a.y, a.z); 1 index was not restored (i)". */
function summariseDifferences(differences: readonly CatalogDifference[]): string {
  const groups = new Map<string, string[]>();
  for (const d of differences) {
    const key = `${d.change}\0${d.object.kind}`;
    groups.set(key, [...(groups.get(key) ?? []), d.object.name]);
  }
  const parts = [...groups].map(([key, names]) => {
    const [change, kind] = key.split('\0');
    const plural = names.length === 1 ? kind : kind.endsWith('x') ? `${kind.slice(0, -1)}ces` : `${kind}s`;
    const verb =
      change === 'changed'
        ? names.length === 1
          ? 'is defined differently'
          : 'are defined differently'
        : change === 'still exists'
          ? names.length === 1
            ? 'still exists'
            : 'still exist'
          : names.length === 1
            ? 'was not restored'
            : 'were not restored';
    const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? `, and ${names.length - 5} more` : '');
    return `${names.length} ${plural} ${verb} (${shown})`;
  });
  return `after the rollback, the schema differs from before the up in ${differences.length} places: ${parts.join('; ')}`;
}

/**
 * Checks `migrations[index]` on `shadow`, which must hold (or be able to build) the migrations
 * before it. Throws CancelledError when cancelled; the shadow stays usable.
 */
export async function replayMigration(shadow: Shadow, migrations: readonly Migration[], index: number, options: ReplayOptions = {}): Promise<ReplayResult> {
  const started = Date.now();
  const migration = migrations[index];
  await shadow.build(migrations.slice(0, index), options.isCancelled);
  if (options.isCancelled?.()) throw new CancelledError();
  let run = new ReplayRun(shadow, migration, options);
  let completed: boolean;
  try {
    completed = await replaySteps(run, migration, true, options);
  } catch (error) {
    if (!(error instanceof NeedsCommits)) throw error;
    // As apply runs it: each statement committed. The shadow then holds what the check did and is
    // not the schema of the earlier migrations any more: it is discarded (Shadow.spent).
    run = new ReplayRun(shadow, migration, options, true);
    shadow.spend();
    completed = await replaySteps(run, migration, false, options);
    run.notes.push(`${migration.version}: checked committing each statement, as apply runs it (an enum value it adds is used after it)`);
  }
  const findings = run.findings.sort((a, b) => a.file.path.localeCompare(b.file.path) || a.start - b.start || a.rule.localeCompare(b.rule));
  return { version: migration.version, findings, observedLocks: run.observedLocks, completed, notes: run.notes, durationMs: Date.now() - started };
}

/** The savepoint at the start of a check: the catalog before the up, read only when the down did not restore it. */
const START = 'tidemark_replay_start';
/** The savepoint right after the up's first pass: what is kept when the check keeps the up (ReplayOptions.keepUp). */
const BUILT = 'tidemark_replay_built';

/**
 * Runs the steps of the check; in one rolled-back transaction when `inTransaction`. True when every step ran.
 *
 * In a transaction the catalog before the up is not read up front: only marked (a count of its
 * rows). When the down leaves exactly those rows there is nothing to compare; otherwise the
 * catalog after the down is read, and the one before it after rolling back to the start
 * (bench:check: the snapshot before each up was ~40% of a whole-chain check, the mark a quarter of
 * it). Not rolling back, each statement committed, the snapshot before is read first as it must be.
 */
async function replaySteps(run: ReplayRun, migration: Migration, inTransaction: boolean, options: ReplayOptions): Promise<boolean> {
  const db = run.database;
  if (inTransaction) await db.exec('BEGIN');
  let completed = true;
  let before: CatalogSnapshot | undefined;
  let after: CatalogSnapshot | undefined;
  try {
    const mark = inTransaction ? await markCatalog(db, run.catalogCache) : undefined;
    if (mark) await db.exec(`SAVEPOINT ${START}`);
    else before = await catalogSnapshot(db, run.catalogCache, true);
    if (inTransaction && run.observesLocks) await run.recordHeldLocks();
    // Running a section twice proves it re-runnable; that matters only where it can run twice.
    const twice = applyExecutionPolicy(migration.execution, options.policy).canRunTwice;
    await run.runSection(migration.up, 'first');
    if (inTransaction && options.keepUp) await db.exec(`SAVEPOINT ${BUILT}`);
    if (migration.verify?.text.trim()) await run.verify(migration.verify);
    if (twice) await run.runSection(migration.up, 'again');
    if (migration.down?.text.trim()) {
      await run.runSection(migration.down, 'first');
      if (!mark || !(await unchangedSinceMark(db, mark, run.catalogCache))) after = await catalogSnapshot(db, run.catalogCache);
      if (before && after) await run.mismatch(compareSnapshots(before, after), migration.up, migration.down);
      if (twice) await run.runSection(migration.down, 'again');
    }
  } catch (error) {
    if (!(error instanceof StopReplay)) {
      if (inTransaction) await db.exec('ROLLBACK').catch(() => undefined);
      throw error;
    }
    completed = false;
  }
  if (after && !before) {
    try {
      await db.exec(`ROLLBACK TO SAVEPOINT ${START}`);
      before = await catalogSnapshot(db, run.catalogCache, true);
    } catch (error) {
      await db.exec('ROLLBACK').catch(() => undefined);
      throw error;
    }
    await run.mismatch(compareSnapshots(before, after), migration.up, migration.down!);
  }
  // Kept only when the catalog after the down was as before the up (else the rollback to START
  // above removed the up) and every statement of the up ran, as the build would have run them.
  // Sequences advanced by the verify, the second pass and the down stay advanced, as they do when
  // the whole check is rolled back.
  if (inTransaction && options.keepUp && completed && !after && !run.upHasSyntaxError) {
    await db.exec(`ROLLBACK TO SAVEPOINT ${BUILT}`);
    await db.exec('COMMIT');
    run.keptUp();
  } else if (inTransaction) await db.exec('ROLLBACK');
  return completed;
}
