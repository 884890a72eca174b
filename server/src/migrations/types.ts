import type { SourceFile } from '../sql/source';

/** The section of a migration a piece of SQL belongs to (docs/architecture.md "Names"); `check` is the pre-check, named as its marker. */
export type SectionKind = 'up' | 'down' | 'verify' | 'check';

/**
 * Which migration tool's layout a migration was read from: one reader per layout in
 * migrations/layouts/ (docs/layouts.md). `folders` is the runbooks' NAME.sql + rollback/NAME.sql.
 */
export const LAYOUT_IDS = [
  'dbmate',
  'golang-migrate',
  'sqlx',
  'folders',
  'flyway',
  'goose',
  'diesel',
  'prisma',
  'drizzle',
  'sqitch',
  'atlas',
  'liquibase',
  'node-pg-migrate',
  'graphile-migrate',
  'supabase',
] as const;
export type LayoutId = (typeof LAYOUT_IDS)[number];

/**
 * How a migration will run, computed once per migration and read by every lint rule and by the
 * runner, so that no rule special-cases a tool: a finding is only right if it is right for the
 * way the migration will really run.
 */
export interface MigrationExecution {
  layout: LayoutId;
  /**
   * `wrapped`: the runner wraps the up in one transaction (dbmate, goose, diesel, Prisma...);
   * `own`: the file opens and ends its own transaction (BEGIN ... COMMIT under golang-migrate or sqitch), run as written;
   * `none`: statement by statement without a transaction (no-transaction directive, goose NO TRANSACTION,
   * diesel run_in_transaction = false, or a statement PostgreSQL refuses in a transaction).
   */
  transaction: 'wrapped' | 'own' | 'none';
  /**
   * What makes it run without a transaction, in its tool's own words (`the -- +goose NO TRANSACTION
   * annotation`, `run_in_transaction = false in metadata.toml`), for messages; set when `transaction` is `none`.
   */
  noTransactionMarker?: string;
  /** The layout has down migrations by design (false for Prisma, Drizzle, Supabase, sqlx up-only files), or lint.rollbacks "require". */
  downsByDesign: boolean;
  /** Its statements may run a second time: a no-transaction resume, a repeatable migration (Flyway R__, graphile current.sql), or lint.idempotency "require". */
  canRunTwice: boolean;
  /** Written by an ORM's generator: a fix names the schema change, since editing the generated SQL is not how its users fix it. */
  generatedBy?: 'prisma' | 'drizzle';
}

/**
 * How a migration's sections are spread over files: `sections` in one file (dbmate, goose,
 * node-pg-migrate...), `paired` NAME.up.sql / NAME.down.sql files, `folders` NAME.sql with
 * rollback/NAME.sql, `flyway` V/U files, `directory` one folder per migration (diesel, Prisma,
 * Drizzle v1). Where a generated rollback goes and how `tidemark new` names files follow it;
 * which tool reads the files is `execution.layout`.
 */
export type LayoutKind = 'sections' | 'paired' | 'folders' | 'flyway' | 'directory';

/**
 * One section of a migration: the SQL text and where it lives. `offset` is where the section's
 * text starts inside `file.text`, so positions inside the section map back to the file.
 */
export interface Section {
  kind: SectionKind;
  /**
   * A verify script that passes when it raises no error, whatever its queries return (sqitch's
   * rule); otherwise a lone boolean must be true and `-- expect:` values must match.
   */
  passesWithoutError?: boolean;
  file: SourceFile;
  /** Offset of the first character of the section body in the file's text. */
  offset: number;
  /** The section body (text after the marker line up to the next marker or end of file). */
  text: string;
  /**
   * Offsets inside `text` where a statement ends whatever the SQL says: the tool's own statement
   * boundaries (goose `StatementEnd`, Drizzle `--> statement-breakpoint`), which it sends to the
   * server as separate statements even without a semicolon between them.
   */
  breaks?: number[];
}

/** One `-- tidemark:soak 48h [after VERSION] [in protected | in ENV, ENV]` line. */
export interface SoakDirective {
  /** As written: `48h`. */
  duration: string;
  durationMs: number;
  /** The version whose apply time starts the clock; undefined for the migration before this one. */
  after?: string;
  /** Where it applies: every environment but sandboxes, protected ones, or the ones named. */
  scope: 'all' | 'protected' | string[];
  /** The line, for an error message. */
  text: string;
}

/** A numbered migration with its up, and optional down and verify sections. */
export interface Migration {
  /**
   * The version as written (`001`, `20251126_004`, `1.2` for Flyway `V1_2`/`V1.2`), or, in layouts
   * without version numbers, the name its tool knows it by (a sqitch change, Liquibase `author:id`).
   */
  version: string;
  /** Its place in the order its tool runs migrations: the numeric groups of the version, or its position in a plan or changelog. */
  versionKey: number[];
  /** Human name from the file name (`create_users`). */
  name: string;
  layout: LayoutKind;
  /** How it will run, from its layout reader: every rule and the runner read this. */
  execution: MigrationExecution;
  up: Section;
  down?: Section;
  verify?: Section;
  /** Pre-checks (`-- migrate:check`, NAME.check.sql, check/NAME.sql): run before the up, in its transaction; a failure stops the run. */
  precheck?: Section;
  /** Directives found in the up section (`-- tidemark:no-transaction`). */
  noTransactionDirective: boolean;
  /** `-- tidemark:blocked REASON` / `-- tidemark:draft`: apply stops before it while any reason is listed. */
  blockedReasons: string[];
  /** `-- tidemark:environments a, b`: the only environments it is applied in; undefined for all. */
  environments?: string[];
  /** `-- tidemark:soak`: how long the migration before it (or `after VERSION`) must have been applied in an environment first. */
  soaks?: SoakDirective[];
  /** `-- tidemark:soak` lines that do not read as one; apply refuses the migration while there are any. */
  unreadableSoaks?: string[];
  /** `-- tidemark:requires-approval`: protected environments apply it only once it is approved there. */
  requiresApproval?: boolean;
  /** sha-256 of the up section, line endings and trailing whitespace normalised. */
  checksum: string;
  /** Set when another migration has the same version: what to tell the user. */
  duplicateVersion?: string;
  /** Its identity in its tool's own history (sqitch's change ID, graphile-migrate's hash), for matching that tool's records. */
  toolId?: string;
  /**
   * Applied again whenever its checksum changes (Flyway `R__name.sql`), after every versioned
   * migration, in description order (its versionKey starts with REPEATABLE_KEY); never rolled back.
   */
  repeatable?: boolean;
  /** Set for a migration Tidemark cannot run (a goose Go migration): why. It is also in blockedReasons, so apply stops before it. */
  hole?: string;
  /**
   * The marker that starts a down section in this layout (`-- migrate:down`, `-- +goose Down`),
   * for a generated rollback; undefined where downs live in their own files or do not exist.
   */
  downMarker?: string;
  /** Where a generated rollback file goes, for layouts that keep downs in files of their own (diesel's down.sql). */
  downFile?: string;
}

/** A problem found while discovering migrations (a duplicate version, an orphan down file...). */
export interface DiscoveryProblem {
  code:
    | 'duplicate-version'
    | 'orphan-file'
    | 'unreadable-file'
    /** The file breaks its tool's own rules (a goose file without `-- +goose Up`, an unterminated StatementBegin...). */
    | 'layout-error'
    /** The file carries another tool's markers (a `-- +goose Down` in a dbmate folder). */
    | 'foreign-marker'
    /** Its up section holds no SQL: nothing would run, yet it would be recorded as applied. */
    | 'empty-up'
    /** In the folder but not part of the chain its tool runs (a Drizzle file the journal does not list, a Go migration). */
    | 'not-in-chain'
    /** Worth knowing, changes nothing (goose ENVSUB variables left as written). */
    | 'layout-note';
  /** error unless said otherwise. */
  severity?: 'error' | 'warning' | 'info';
  message: string;
  /** Absolute path of the file the problem belongs to. */
  path: string;
  /** Other file involved (the first file with the same version). */
  relatedPath?: string;
  /** Offset in the file the problem is about, when it is about one place. */
  offset?: number;
}

/** A file in the migrations folder that no migration uses: listed, never dropped silently. */
export interface UnusedFile {
  path: string;
  why: string;
}

export interface DiscoveryResult {
  migrationsDir: string;
  /** The layout the folder was read as; undefined when no reader recognised it (see `unrecognised`). */
  layout?: LayoutId;
  /** Why that layout: the marker file or content that decided it, or "set in tidemark.json". */
  layoutEvidence?: string;
  /**
   * Set when the folder holds SQL files or migration-shaped folders that no reader recognises:
   * what was seen and what it looks like. Front ends stop with this (exit 2), never report an empty success.
   */
  unrecognised?: string;
  /** Set when the folder is its tool's but Tidemark must not run it (a Prisma lock file for MySQL): why. Front ends stop with it (exit 2). */
  refused?: string;
  /** Set when the migrations folder does not exist. */
  missing?: boolean;
  unused: UnusedFile[];
  /** Sorted by version. Migrations sharing a version are all here, each with `duplicateVersion` set. */
  migrations: Migration[];
  problems: DiscoveryProblem[];
}
