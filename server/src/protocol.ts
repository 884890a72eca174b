/**
 * Custom LSP messages between the VS Code client and the Tidemark language server, declared once.
 * The client imports these constants and types (never the engine), so a renamed field breaks the
 * build on both sides instead of silently at run time.
 */
import { NotificationType, ProtocolRequestType, RequestType } from 'vscode-languageserver-protocol';
import type { PartialResultParams, WorkDoneProgressParams } from 'vscode-languageserver-protocol';

import type { MigrationState } from './migration-states';

/** Where a migration stands in one environment: the states and their meanings are in migration-states.ts. */
export type { MigrationState };

export interface MigrationStatus {
  version: string;
  name: string;
  state: MigrationState;
  /** Absolute paths of the migration's files; absent for `missing`. */
  files?: { up: string; down?: string; verify?: string };
  appliedAt?: string;
  appliedBy?: string;
  durationMs?: number;
  /** false when the file's checksum differs from the applied one. */
  checksumMatches?: boolean;
  hasDown: boolean;
  hasVerify: boolean;
  verifiedAt?: string;
  /** For `failed`: statements done so far and the error recorded. */
  statementsDone?: number;
  error?: string;
  /**
   * Set when the row was recorded without running the migration: the tool its history was
   * imported from (`dbmate`, `golang-migrate`, `flyway`, `sqitch`, `table:public.schema_migrations`),
   * `baseline` (adopt --to) or `mark` (tidemark mark applied).
   */
  adoptedFrom?: string;
  /** What the managing tool's table says beyond the state: rolled back, skipped, edited after it was applied, never run by drizzle-kit. */
  note?: string;
  /** `-- tidemark:blocked` reasons (`draft` for `-- tidemark:draft`), when the file has any. */
  blockedReasons?: string[];
  /** `-- tidemark:environments`: the only environments the migration is meant for. */
  environments?: string[];
  /** Why apply stops before it here (the `waiting` state, or a pending migration whose soak starts once the one before it is applied). */
  gate?: MigrationGate;
  /** The approval recorded for it in this environment, when there is one. */
  approval?: Approval;
}

/** A soak time or an approval apply waits for, in one environment. */
export interface MigrationGate {
  kind: 'soak' | 'approval';
  /** For `soak`: when it may be applied (ISO time); absent while the migration it waits on is not applied here. */
  until?: string;
  /** For `soak`: the version whose apply time starts the clock, and the soak time as written. */
  after?: string;
  soak?: string;
  /** For `approval`: who may approve (absent: anyone). */
  approvers?: string[];
  /** The one line status, the tree and apply show: "waiting: soak until 2026-12-09 00:10 UTC (48h after 002)". */
  message: string;
}

/** An `approve` event of an environment's history. */
export interface Approval {
  version: string;
  by: string;
  at: string;
  reason: string;
  /** The first 12 hex digits of the sha-256 of the up section approved. */
  fileChecksum?: string;
}

/** Another migration tool's history table found in an environment's database. */
export interface ForeignHistory {
  tool:
    | 'dbmate'
    | 'golang-migrate'
    | 'flyway'
    | 'sqitch'
    | 'prisma'
    | 'drizzle'
    | 'supabase'
    | 'goose'
    | 'diesel'
    | 'sqlx'
    | 'atlas'
    | 'liquibase'
    | 'graphile-migrate'
    | 'node-pg-migrate'
    | 'table';
  /** `schema.table`. */
  table: string;
  /** The versions it lists as the tool writes them, oldest first (golang-migrate: every version up to its current one). */
  versions: string[];
  /** Versions it lists as failed: a golang-migrate `dirty` row, a Flyway `success = false` row. */
  failed?: string[];
}

/** Whether Tidemark keeps this environment's history, and what else is in the database when it does not. */
export interface EnvironmentTracking {
  /** tracked: Tidemark's history has rows; untracked: no history, but user objects or another tool's history; empty: neither. */
  state: 'tracked' | 'untracked' | 'empty' | 'managed';
  foreign?: ForeignHistory;
  /**
   * managed: the database has the history table of the tool whose layout the files are in, and no
   * Tidemark history: that tool's table is the state, read live (Tidemark writes it only where the
   * tool is proven to agree, else refuses and names the tool's command).
   */
  managedBy?: { tool: ForeignHistory['tool']; table: string; writable: boolean; command?: string };
  /** untracked with a foreign table: the files' layout, when it is not that tool's (the table is reported, not read as their state). */
  filesLayout?: string;
  /** Tables and views in the non-system schemas (Tidemark's and the other tool's tables not counted). */
  objects?: number;
  /** tracked only: versions the foreign table lists that Tidemark's history does not (another runner still in use). */
  notInHistory?: string[];
}

export interface EnvironmentInfo {
  name: string;
  /** `sandbox` is the embedded PGlite database; everything else is a PostgreSQL server. */
  kind: 'pglite' | 'postgres';
  /** Connection target without secrets, e.g. `deploy@db.internal:5432/app`. */
  target: string;
  protected: boolean;
  after?: string;
  /** `approvers` in tidemark.json: every migration needs one of them to approve it here. */
  approvers?: string[];
}

export interface EnvironmentStatus {
  environment: EnvironmentInfo;
  /** The migration tool whose layout the folder is read as (docs/layouts.md), and what showed it. */
  layout?: string;
  layoutEvidence?: string;
  /** Set when the environment could not be read (unreachable, bad password...). */
  error?: string;
  migrations: MigrationStatus[];
  /** Absent when the environment could not be read. */
  tracking?: EnvironmentTracking;
}

/** A failure mapped back into the migration file. */
export interface StatementFailure {
  version: string;
  file: string;
  /** 0-based position in `file`. */
  line: number;
  character: number;
  statement: string;
  message: string;
}

export interface RunReport {
  environment: string;
  /** What happened to each migration touched, in order. */
  steps: Array<{
    version: string;
    name: string;
    action: 'apply' | 'verify' | 'rollback' | 'plan';
    outcome: 'ok' | 'failed' | 'skipped';
    durationMs: number;
    message?: string;
    /** plan only: locks taken per relation. */
    locks?: Array<{
      /** `schema.table` (or index, sequence). */
      relation: string;
      /** As pg_locks names it, e.g. `AccessExclusiveLock`. */
      mode: string;
      /** The statement that took it: `line 3: ALTER TABLE users ...`. */
      statement: string;
      /** The relation was created by the plan itself, so nobody else can be waiting on it. */
      newRelation?: boolean;
    }>;
  }>;
  failure?: StatementFailure;
  /** The backup taken before the first change (environments with `backup` in tidemark.json). */
  backup?: BackupRecord;
  /** One sentence a user can act on, e.g. "Applied 3 migrations to local; 0 pending." */
  summary: string;
}

/** A backup written before apply or rollback changed an environment. */
export interface BackupRecord {
  /** Absolute path of the file written. */
  file: string;
  /** What wrote it: `pg_dump 15.18` or `PGlite (PostgreSQL 18.6)`. */
  tool: string;
  bytes: number;
  durationMs: number;
  /** The command that restores it (pg_restore for a server, `tidemark restore` for a sandbox). */
  restoreCommand: string;
}

export interface RunParams extends WorkDoneProgressParams {
  /** Workspace folder (root holding tidemark.json or migrations/). */
  root: string;
  environment: string;
  /** Stop at this version (inclusive for apply/plan, exclusive lower bound for rollback). */
  toVersion?: string;
  /** The environment's name typed by the user; required for protected environments. */
  confirm?: string;
}

export interface HistoryEvent {
  version: string;
  kind: 'apply' | 'rollback' | 'verify' | 'fail' | 'adopt' | 'mark' | 'backup' | 'approve' | 'ignore-soak';
  actor: string;
  clientHost: string;
  at: string;
  durationMs?: number;
  message?: string;
}

/** What `tidemark adopt` recorded (or, for a dry run, would record) without running SQL. */
export interface AdoptReport {
  environment: string;
  /** `dbmate's public.schema_migrations`, or `baseline up to 004`. */
  source: string;
  dryRun: boolean;
  /** What is (or would be) recorded, oldest first. */
  recorded: Array<{ version: string; name: string; appliedAt?: string }>;
  /** Versions left out: failed in the other tool, no file, or already in Tidemark's history. */
  skipped: Array<{ version: string; reason: string }>;
  summary: string;
}

/** What `tidemark mark applied|pending` changed, each version's state before and after. */
export interface MarkReport {
  environment: string;
  mark: 'applied' | 'pending';
  changes: Array<{ version: string; name: string; before: string; after: string }>;
  /** E.g. a migration marked pending whose objects still exist in the database. */
  warnings?: string[];
  summary: string;
}

export interface AdoptParams {
  root: string;
  environment: string;
  /** dbmate | golang-migrate | flyway | sqitch | table:SCHEMA.TABLE; neither this nor `to`: the one table found. */
  from?: string;
  /** A baseline: every migration up to this version. */
  to?: string;
  dryRun?: boolean;
  skipFailed?: boolean;
  confirm?: string;
}

export interface MarkParams {
  root: string;
  environment: string;
  mark: 'applied' | 'pending';
  versions: string[];
  reason?: string;
  confirm?: string;
}

export namespace StatusRequest {
  export const method = 'tidemark/status' as const;
  export const type = new RequestType<{ root: string; environment?: string }, EnvironmentStatus[], void>(method);
}

export namespace ApplyRequest {
  export const method = 'tidemark/apply' as const;
  export const type = new ProtocolRequestType<RunParams & PartialResultParams, RunReport, never, void, void>(method);
}

export namespace VerifyRequest {
  export const method = 'tidemark/verify' as const;
  export const type = new ProtocolRequestType<RunParams & { version?: string }, RunReport, never, void, void>(method);
}

export namespace RollbackRequest {
  export const method = 'tidemark/rollback' as const;
  export const type = new ProtocolRequestType<RunParams, RunReport, never, void, void>(method);
}

export namespace PlanRequest {
  export const method = 'tidemark/plan' as const;
  export const type = new ProtocolRequestType<RunParams, RunReport, never, void, void>(method);
}

export namespace HistoryRequest {
  export const method = 'tidemark/history' as const;
  export const type = new RequestType<{ root: string; environment: string; limit?: number }, HistoryEvent[], void>(method);
}

export namespace DiffRequest {
  export const method = 'tidemark/diff' as const;
  /** The SQL stored at apply time and the file's current up section, for a drifted migration. */
  export const type = new RequestType<{ root: string; environment: string; version: string }, { applied: string; current: string }, void>(method);
}

export namespace NewMigrationRequest {
  export const method = 'tidemark/newMigration' as const;
  /** Scaffolds the next migration in the project's layout; returns the files created. */
  export const type = new RequestType<{ root: string; name: string }, { files: string[] }, void>(method);
}

/** Records migrations an existing database already has as applied, without running them (adopt). */
export namespace AdoptRequest {
  export const method = 'tidemark/adopt' as const;
  export const type = new RequestType<AdoptParams, AdoptReport, void>(method);
}

/** Records or removes history rows by hand, without running SQL (mark applied / mark pending). */
export namespace MarkRequest {
  export const method = 'tidemark/mark' as const;
  export const type = new RequestType<MarkParams, MarkReport, void>(method);
}

export interface ApproveParams {
  root: string;
  environment: string;
  version: string;
  /** Who approves. */
  by: string;
  reason: string;
}

/** Records an approval event in one environment's history (tidemark approve). */
export namespace ApproveRequest {
  export const method = 'tidemark/approve' as const;
  export const type = new RequestType<ApproveParams, { summary: string; approval: Approval }, void>(method);
}

export namespace ListEnvironmentsRequest {
  export const method = 'tidemark/environments' as const;
  export const type = new RequestType<{ root: string }, { environments: EnvironmentInfo[]; configError?: string }, void>(method);
}

/** Server → client: a connection needs a password that is not in the config or environment. */
export namespace PasswordRequest {
  export const method = 'tidemark/password' as const;
  export const type = new RequestType<{ environment: string; target: string }, { password?: string }, void>(method);
}

/** Server → client: the password the server was given was rejected; the client should forget it. */
export namespace PasswordRejectedNotification {
  export const method = 'tidemark/passwordRejected' as const;
  export const type = new NotificationType<{ environment: string }>(method);
}

/**
 * Client → server: the user set or forgot an environment's password; the server drops the copy it
 * keeps for its connections, so the next one asks again (and gets the new one).
 */
export namespace PasswordChangedNotification {
  export const method = 'tidemark/passwordChanged' as const;
  export const type = new NotificationType<{ environment: string }>(method);
}

/** Server → client: migration files or an environment's history changed; refresh views. */
export namespace StatusChangedNotification {
  export const method = 'tidemark/statusChanged' as const;
  export const type = new NotificationType<{ root: string; environment?: string }>(method);
}

/**
 * Server → client: the replay check of a migration file started or ended (for the status bar).
 * `finished` carries how many replay findings it published and how long it took; `cancelled`
 * means a newer edit replaced it; `failed` that the shadow could not run it (details in the log).
 */
/** What a replay check of one file came to: the same as its last replayStatus notification. */
export interface ReplayStatus {
  uri: string;
  /** `untrusted`: not run, the workspace is not trusted (its SQL and check.setup would run). */
  state: 'started' | 'finished' | 'cancelled' | 'failed' | 'untrusted';
  findings?: number;
  durationMs?: number;
}

/**
 * Client → server: run the replay check of an open migration file now (VS Code's "Check
 * Migration"); answers when it ends. `state: 'failed'` with a message when it could not run.
 */
export namespace ReplayMigrationRequest {
  export const method = 'tidemark/checkMigration' as const;
  export const type = new RequestType<{ uri: string }, ReplayMigrationResult, void>(method);
}

export type ReplayMigrationResult = Omit<ReplayStatus, 'state'> & { state: Exclude<ReplayStatus['state'], 'started'>; message?: string };

/**
 * Client → server: whether the workspace is trusted (VS Code's workspace trust). Sent as
 * `initializationOptions.workspaceTrusted` at start and with this notification when trust is
 * granted. The replay check runs the workspace's SQL and check.setup: only in a trusted workspace.
 */
export namespace WorkspaceTrustNotification {
  export const method = 'tidemark/workspaceTrust' as const;
  export const type = new NotificationType<{ trusted: boolean }>(method);
}

export namespace ReplayStatusNotification {
  export const method = 'tidemark/replayStatus' as const;
  export const type = new NotificationType<ReplayStatus>(method);
}
