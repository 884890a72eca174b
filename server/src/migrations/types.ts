import type { SourceFile } from '../sql/source';

/** The part of a migration a piece of SQL belongs to. */
export type SectionKind = 'up' | 'down' | 'verify' | 'check';

/**
 * Which migration tool's layout a migration was read from: one reader per layout in
 * migrations/layouts/ (docs/layouts.md). `folders` is the runbooks' NAME.sql + rollback/NAME.sql.
 */
export type LayoutId =
  | 'dbmate'
  | 'golang-migrate'
  | 'sqlx'
  | 'folders'
  | 'flyway'
  | 'goose'
  | 'diesel'
  | 'prisma'
  | 'drizzle'
  | 'sqitch'
  | 'atlas'
  | 'liquibase'
  | 'node-pg-migrate'
  | 'graphile-migrate'
  | 'supabase';

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
  /** The layout has down migrations by design (false for Prisma, Drizzle, Supabase, sqlx up-only files), or lint.rollbacks "require". */
  downsByDesign: boolean;
  /** Its statements may run a second time: a no-transaction resume, a repeatable migration (Flyway R__, graphile current.sql), or lint.idempotency "require". */
  canRunTwice: boolean;
  /** Written by an ORM's generator: a fix names the schema change, since editing the generated SQL is not how its users fix it. */
  generatedBy?: 'prisma' | 'drizzle';
}

/** Which of the four file layouts (docs/architecture.md "Migration files and layouts") a migration was found in. */
export type LayoutKind = 'sections' | 'paired' | 'folders' | 'flyway';

/**
 * One section of a migration: the SQL text and where it lives. `offset` is where the section's
 * text starts inside `file.text`, so positions inside the section map back to the file.
 */
export interface Section {
  kind: SectionKind;
  file: SourceFile;
  /** Offset of the first character of the section body in the file's text. */
  offset: number;
  /** The section body (text after the marker line up to the next marker or end of file). */
  text: string;
}

/** A numbered migration with its up, and optional down and verify parts. */
export interface Migration {
  /** The version as written (`001`, `20251126_004`, `1.2` for Flyway `V1_2`/`V1.2`). */
  version: string;
  /** Numeric groups of the version, compared group by group. */
  versionKey: number[];
  /** Human name from the file name (`create_users`). */
  name: string;
  layout: LayoutKind;
  up: Section;
  down?: Section;
  verify?: Section;
  /** Pre-checks (`-- migrate:check`, NAME.check.sql, check/NAME.sql): run before the up, in its transaction; a failure stops the run. */
  check?: Section;
  /** Directives found in the up section (`-- tidemark:no-transaction`). */
  noTransactionDirective: boolean;
  /** `-- tidemark:blocked REASON` / `-- tidemark:draft`: apply stops before it while any reason is listed. */
  blockedReasons: string[];
  /** `-- tidemark:environments a, b`: the only environments it is applied in; undefined for all. */
  environments?: string[];
  /** sha-256 of the up section, line endings and trailing whitespace normalised. */
  checksum: string;
  /** Set when another migration has the same version: what to tell the user. */
  duplicateVersion?: string;
}

/** A problem found while discovering migrations (a duplicate version, an orphan down file...). */
export interface DiscoveryProblem {
  code: 'duplicate-version' | 'orphan-file' | 'unreadable-file';
  message: string;
  /** Absolute path of the file the problem belongs to. */
  path: string;
  /** Other file involved (the first file with the same version). */
  relatedPath?: string;
}

export interface DiscoveryResult {
  migrationsDir: string;
  /** Sorted by version. Migrations sharing a version are all here, each with `duplicateVersion` set. */
  migrations: Migration[];
  problems: DiscoveryProblem[];
}
