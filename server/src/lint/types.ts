import type { SourceFile } from '../sql/source';
import type { Statement } from '../sql/statements';
import type { DiscoveryProblem, LayoutId, LayoutKind, MigrationExecution, SectionKind } from '../migrations/types';
import type { Fix, Severity } from '../findings/finding';

// The finding contract lives in findings/ (shared with the replay check); rules import it from here.
export type { Finding, Fix, Severity, TextEdit } from '../findings/finding';

/** One section of the migration being linted, parsed. May live in another file than the one linted. */
export interface ParsedSection {
  kind: SectionKind;
  file: SourceFile;
  offset: number;
  text: string;
  /** Top-level statements in order. */
  statements: Statement[];
  /**
   * Top-level statements with, right after each DO block or function, the SQL statements found
   * in its body (`statement.embedding` set). Rules that judge DDL read this list.
   */
  statementsWithEmbedded: Statement[];
}

/** Everything a rule may look at: the linted file and the whole migration it belongs to. */
export interface LintUnit {
  /** The file findings are reported in. */
  file: SourceFile;
  version?: string;
  name?: string;
  /** How the migration's sections are spread over files (where a generated rollback goes); the tool is `execution.layout`. */
  layout: LayoutKind;
  /** The role of the linted file: a one-file migration, or one part of a split migration. */
  fileSection: 'sections' | 'up' | 'down' | 'verify' | 'check';
  /** Sections of the migration, including those in companion files. */
  up?: ParsedSection;
  down?: ParsedSection;
  verify?: ParsedSection;
  /** Pre-checks: queries run before the up; read-only like verify. */
  precheck?: ParsedSection;
  /** `-- tidemark:no-transaction` (or dbmate's transaction:false) is present. */
  noTransactionDirective: boolean;
  /** How the migration will run: rules decide from this, never from the tool's name. */
  execution: MigrationExecution;
  /** Problems with this file found by looking at its folder (duplicate version...). */
  problems: DiscoveryProblem[];
  /** Where a generated down file would go for split layouts (paired, folders, flyway). */
  downFilePath?: string;
  /** The marker that starts a down section in this layout (`-- migrate:down`, `-- +goose Down`); undefined where downs are files of their own. */
  downMarker?: string;
  /** The layout tidemark.json sets (undefined: detected from the folder): the earlier migrations are read as it too. */
  forcedLayout?: LayoutId;
  /** The environments of the project's tidemark.json; undefined when not known (names are then not checked). */
  environmentNames?: readonly string[];
  /**
   * The other migrations written in the same file (Liquibase changesets after the first), each a
   * unit of its own with its own way of running: linted with this one, findings together.
   */
  siblings?: LintUnit[];
}

export interface RuleReport {
  section: ParsedSection;
  statement?: Statement;
  /** Defaults to the statement's range. Absolute offsets in `section.file`. */
  start?: number;
  end?: number;
  message: string;
  /** The fixes, or how to compute them when first read (generating a rollback is not free). */
  fixes?: Fix[] | (() => Fix[]);
}

export interface Rule {
  /** Stable id: used in config, suppressions, CLI output and the docs page name. */
  id: string;
  defaultSeverity: Severity;
  /** One line for the rule index and SARIF. */
  summary: string;
  /**
   * The rule reads the migrations before the unit's (earlier-migrations.ts), so its findings in a
   * file change when an earlier migration does: `tidemark lint --cache` keys on those files too.
   */
  readsEarlierMigrations?: boolean;
  lint(unit: LintUnit, report: (finding: RuleReport) => void): void;
  /**
   * Runs after every other rule with what each `-- tidemark-ignore` comment suppressed in this
   * run (unused-ignore). Only the engine knows that, so such a rule's `check` finds nothing itself.
   */
  lintSuppressions?(unit: LintUnit, use: SuppressionUse, report: (finding: RuleReport) => void): void;
}

/** What each `-- tidemark-ignore` comment suppressed in one lint run (kept by lint/suppressions.ts). */
export interface SuppressionUse {
  /** A rule id a comment may name: lint's or the replay check's. */
  isRuleId(id: string): boolean;
  /** The rule ran in this run (not turned off, not left out). */
  hasRun(id: string): boolean;
  /** Whether the comment suppressed a finding of `id` (`*`: of any rule). */
  suppressed(directive: { kind: 'statement' | 'file'; statement?: Statement }, id: string): boolean;
}
