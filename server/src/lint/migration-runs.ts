/**
 * What each rule reported over a migration, kept for the migration's other files. A migration split
 * over files (golang-migrate's NAME.up.sql and NAME.down.sql, a rollback/ file, a verify file) is
 * linted once per file, and each file's unit holds every section of the migration: the rules would
 * judge the same sections once per file, and the engine keep each time only the findings in the
 * file being linted. Instead the first file's lint records each rule's reports (all files'), and
 * the other files' lints replay them through their own reporter, which keeps their findings.
 *
 * A rule's reports are reused only when nothing the rule read differs between the files' units:
 * the same parsed sections (the same objects: an edit of either file parses it anew, and the unit
 * no longer matches), the same execution, environments and layout facts; and a rule that reads
 * what is the linted file's own — `unit.file`, `fileSection`, `problems` — while it lints is seen
 * doing so and runs again for each file. Kept for the last few migrations of one batch
 * (migrations/steady-disk.ts: a CLI run, the language server's workspace pass), within which the
 * earlier migrations are taken as steady too; outside a batch nothing is kept.
 */
import { steadyValue } from '../migrations/steady-disk';
import type { LintUnit, ParsedSection, Rule, RuleReport } from './types';

/** One rule's lint of a migration: what it reported, in order, and what it threw after that. */
export interface RuleRun {
  readonly reports: readonly RuleReport[];
  threw?: { error: unknown };
}

/** The reports of the many runs that report nothing (one array for all of them). */
const NO_REPORTS: readonly RuleReport[] = Object.freeze([]);

/** The fields of a unit that belong to the linted file rather than to its migration. */
const FILE_FIELDS = ['file', 'fileSection', 'problems'] as const;
/** The parsed sections: the very same objects, as parsed once (lint/unit.ts parseSection). */
const SECTION_FIELDS = ['up', 'down', 'verify', 'precheck'] as const;

export class MigrationRuns {
  private readonly runs = new Map<Rule, RuleRun>();
  /** Whether the rule running now read the linted file's own fields; the watched unit's getters set it. */
  private readonly reads = { running: false, file: false };
  private watchedUnit?: { of: LintUnit; view: LintUnit };

  /** The migration's files whose lint has not taken these runs yet. */
  readonly unserved: Set<string>;

  constructor(readonly unit: LintUnit) {
    this.unserved = new Set([unit.up, unit.down, unit.verify, unit.precheck].flatMap((s) => (s ? [s.file.path] : [])));
  }

  /** A run recorded by another file's lint of the migration. */
  recorded(rule: Rule): RuleRun | undefined {
    return this.runs.get(rule);
  }

  /** The reports of the rule running now, and where they go as well (run). */
  private reportsOfRun?: RuleReport[];
  private passOn: (r: RuleReport) => void = () => undefined;
  /** One function for every run (a rule reports synchronously, while it runs): none made per rule and file. */
  private readonly record = (r: RuleReport): void => {
    (this.reportsOfRun ??= []).push(r);
    this.passOn(r);
  };

  /** Runs `rule` over `unit` (a unit of this migration), recording its run for the migration's other files unless it read the linted file's own fields. */
  run(rule: Rule, unit: LintUnit, report: (r: RuleReport) => void): RuleRun {
    if (this.watchedUnit?.of !== unit) this.watchedUnit = { of: unit, view: watched(unit, this.reads) };
    this.reads.running = true;
    this.reads.file = false;
    this.reportsOfRun = undefined;
    this.passOn = report;
    let threw: RuleRun['threw'];
    try {
      rule.lint(this.watchedUnit.view, this.record);
    } catch (error) {
      threw = { error };
    } finally {
      this.reads.running = false;
    }
    const reports = this.reportsOfRun ?? NO_REPORTS;
    this.reportsOfRun = undefined;
    const run: RuleRun = threw ? { reports, threw } : { reports };
    if (!this.reads.file) this.runs.set(rule, run);
    return run;
  }
}

/**
 * `unit` with its file's own fields noted in `reads` when read while a rule runs: one object for
 * all rules of a lint (their caches may key on it), holding nothing of the runs (fixes keep it).
 */
function watched(unit: LintUnit, reads: { running: boolean; file: boolean }): LintUnit {
  const read = <T>(value: T): T => {
    if (reads.running) reads.file = true;
    return value;
  };
  // Getters in the literal, not defineProperty afterwards: the object stays a fast one for the rules.
  return {
    ...unit,
    get file() {
      return read(unit.file);
    },
    get fileSection() {
      return read(unit.fileSection);
    },
    get problems() {
      return read(unit.problems);
    },
  };
}

/**
 * A batch lints a migration's files one after the other (a folder's files in order): the runs are
 * let go once each file took them, and only the last few migrations' are kept meanwhile: kept for
 * the whole batch, each migration's reports and down section lived as long as its up section.
 */
const MIGRATIONS_KEPT = 4;

/**
 * The runs kept for `unit`'s migration in this batch, or new ones; undefined where nothing can be
 * shared: outside a batch, a migration in one file, a file holding several migrations.
 */
export function migrationRunsFor(unit: LintUnit): MigrationRuns | undefined {
  const up = unit.up;
  if (!up || unit.siblings?.length || ![unit.down, unit.verify, unit.precheck].some((s) => s && s.file.path !== up.file.path)) return undefined;
  const kept = steadyValue('lint:migration-runs', () => new Map<ParsedSection, MigrationRuns>());
  let runs = kept.get(up);
  if (!runs || !sameMigration(runs.unit, unit)) {
    runs = new MigrationRuns(unit);
    kept.delete(up);
    if (kept.size >= MIGRATIONS_KEPT) kept.delete(kept.keys().next().value!);
    kept.set(up, runs);
  }
  // Every file linted: nothing left to share them with (a file linted again runs the rules again).
  runs.unserved.delete(unit.file.path);
  if (runs.unserved.size === 0) kept.delete(up);
  return runs;
}

/** Whether two files' units hold the same migration: every field but the linted file's own alike. */
function sameMigration(a: LintUnit, b: LintUnit): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof LintUnit>;
  for (const key of FILE_FIELDS) keys.delete(key);
  for (const key of SECTION_FIELDS) if (keys.delete(key) && a[key] !== b[key]) return false;
  for (const key of keys) if (!shallowEqual(a[key], b[key])) return false;
  return true;
}

/** The same value, or arrays or plain objects (an execution, environment names) with the same items. */
function shallowEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b) || (Object.getPrototypeOf(a) !== Object.prototype && !Array.isArray(a))) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k]);
}
