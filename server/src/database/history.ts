/**
 * Tidemark's own tables in each target database (docs/architecture.md "History tables"): `<schema>.migrations`, one
 * row per applied (or half-applied) version, and `<schema>.events`, append-only. Every value goes
 * through a parameter; only the schema name — a plain identifier checked by the config schema —
 * is written into the SQL, quoted.
 */
import { hostname, userInfo } from 'node:os';
import type { Approval, HistoryEvent } from '../protocol';
import type { DatabaseAdapter } from './adapter';

export interface HistoryRow {
  version: string;
  name: string;
  checksum: string;
  upSql: string;
  downSql?: string;
  verifySql?: string;
  appliedAt: string;
  appliedBy: string;
  durationMs?: number;
  state: 'applied' | 'failed';
  statementsDone: number;
  /** A statement PostgreSQL refuses in a transaction was started (1-based) and not seen to finish: it may or may not have run. */
  statementStarted?: number;
  error?: string;
  verifyResult?: 'passed' | 'failed';
  verifyMessage?: string;
  verifiedAt?: string;
  /** Recorded without running (adopt, mark applied): where the record came from. */
  adoptedFrom?: string;
  /** Read from another tool's table with no version to order it by (a Drizzle hash whose file is gone): not counted as the newest applied. */
  unordered?: boolean;
}

/** Who runs Tidemark, as recorded in history rows and events. */
export const actor = (() => {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
})();
export const clientHost = hostname();

/** What History.ensure created in this session. */
export interface HistoryCreation {
  schema: boolean;
  tables: boolean;
}

export class History {
  readonly migrations: string;
  readonly events: string;
  private readonly quotedSchema: string;

  constructor(
    private readonly db: DatabaseAdapter,
    readonly schema: string,
  ) {
    this.quotedSchema = `"${schema.replace(/"/g, '""')}"`;
    this.migrations = `${this.quotedSchema}.migrations`;
    this.events = `${this.quotedSchema}.events`;
  }

  /**
   * Creates the schema and tables if needed. Call under the migration lock: CREATE IF NOT EXISTS
   * alone races. Says what it created, for undoCreation.
   */
  async ensure(): Promise<HistoryCreation> {
    // Quoted, as to_regnamespace reads an identifier: a schema named MySchema is not myschema.
    const before = await this.db.query('SELECT to_regnamespace($1) IS NOT NULL AS schema, to_regclass($2) IS NOT NULL AS tables', [this.quotedSchema, this.migrations]);
    const created: HistoryCreation = { schema: before.rows[0]?.schema !== true, tables: before.rows[0]?.tables !== true };
    await this.db.exec(`
      CREATE SCHEMA IF NOT EXISTS ${this.quotedSchema};
      CREATE TABLE IF NOT EXISTS ${this.migrations} (
        version text PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        up_sql text NOT NULL,
        down_sql text,
        verify_sql text,
        applied_at timestamptz NOT NULL DEFAULT now(),
        applied_by text NOT NULL,
        duration_ms integer,
        state text NOT NULL CHECK (state IN ('applied', 'failed')),
        statements_done integer NOT NULL DEFAULT 0,
        error text,
        verify_result text CHECK (verify_result IN ('passed', 'failed')),
        verify_message text,
        verified_at timestamptz,
        statement_started integer
      );
      -- History tables made by versions before statement_started existed.
      ALTER TABLE ${this.migrations} ADD COLUMN IF NOT EXISTS statement_started integer;
      CREATE TABLE IF NOT EXISTS ${this.events} (
        id bigserial PRIMARY KEY,
        version text NOT NULL,
        kind text NOT NULL CHECK (kind IN (${EVENT_KINDS})),
        actor text NOT NULL,
        client_host text NOT NULL,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        duration_ms integer,
        message text
      );
      ALTER TABLE ${this.migrations} ADD COLUMN IF NOT EXISTS adopted_from text;`);
    return created;
  }

  /**
   * Drops what ensure created, for a run that stopped before its first change (a backup that
   * failed): the database is then as the run found it. Only empty tables are dropped, under the
   * lock ensure was called under; the schema only when ensure made it.
   */
  async undoCreation(created: HistoryCreation): Promise<void> {
    if (!created.tables) return;
    const r = await this.db.query(`SELECT (SELECT count(*) FROM ${this.migrations})::int + (SELECT count(*) FROM ${this.events})::int AS n`);
    if (Number(r.rows[0]?.n) !== 0) return;
    await this.db.exec(`DROP TABLE ${this.events}, ${this.migrations}${created.schema ? `; DROP SCHEMA ${this.quotedSchema}` : ''}`);
  }

  /**
   * History tables created before the `adopt`, `mark` and `backup` events existed refuse those
   * kinds: widen the check (once; under the migration lock, like ensure).
   */
  async allowNewEventKinds(): Promise<void> {
    const r = await this.db.query(
      `SELECT c.conname, pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
        WHERE c.conrelid = to_regclass($1) AND c.contype = 'c' AND pg_get_constraintdef(c.oid) LIKE '%kind%'`,
      [this.events],
    );
    const check = r.rows[0];
    if (!check || String(check.def).includes(`'${NEWEST_EVENT_KIND}'`)) return;
    const name = `"${String(check.conname).replace(/"/g, '""')}"`;
    await this.db.exec(`ALTER TABLE ${this.events} DROP CONSTRAINT ${name}, ADD CONSTRAINT ${name} CHECK (kind IN (${EVENT_KINDS}))`);
  }

  async exists(): Promise<boolean> {
    const r = await this.db.query('SELECT to_regclass($1) IS NOT NULL AS present', [this.migrations]);
    return r.rows[0]?.present === true;
  }

  /** Every row, oldest version first as stored; empty when the tables do not exist yet. */
  async rows(): Promise<HistoryRow[]> {
    if (!(await this.exists())) return [];
    const r = await this.db.query(
      `SELECT version, name, checksum, up_sql, down_sql, verify_sql, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS applied_at,
              applied_by, duration_ms, state, statements_done, error, verify_result, verify_message,
              to_char(verified_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS verified_at,
              to_jsonb(m) ->> 'adopted_from' AS adopted_from,
              -- read through jsonb so that a table not yet given the column by ensure() reads too
              to_jsonb(m) ->> 'statement_started' AS statement_started
         FROM ${this.migrations} m`,
    );
    return r.rows.map((row) => ({
      version: String(row.version),
      name: String(row.name),
      checksum: String(row.checksum),
      upSql: String(row.up_sql),
      downSql: opt(row.down_sql),
      verifySql: opt(row.verify_sql),
      appliedAt: String(row.applied_at),
      appliedBy: String(row.applied_by),
      durationMs: row.duration_ms === null ? undefined : Number(row.duration_ms),
      state: row.state === 'failed' ? 'failed' : 'applied',
      statementsDone: Number(row.statements_done),
      statementStarted: row.statement_started === null || row.statement_started === undefined ? undefined : Number(row.statement_started),
      error: opt(row.error),
      verifyResult: row.verify_result === 'passed' || row.verify_result === 'failed' ? row.verify_result : undefined,
      verifyMessage: opt(row.verify_message),
      verifiedAt: opt(row.verified_at),
      adoptedFrom: opt(row.adopted_from),
    }));
  }

  /** Inserts or replaces the row of a version (a resumed migration replaces its failed row). */
  async upsert(row: Omit<HistoryRow, 'appliedAt' | 'appliedBy'>): Promise<void> {
    await this.db.query(this.upsertSql(), rowParams(row));
  }

  /** INSERT ... ON CONFLICT of a version's row with parameters $1..$11 (see rowParams). */
  private upsertSql(): string {
    return `INSERT INTO ${this.migrations} (version, name, checksum, up_sql, down_sql, verify_sql, applied_by, duration_ms, state, statements_done, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, checksum = EXCLUDED.checksum, up_sql = EXCLUDED.up_sql,
         down_sql = EXCLUDED.down_sql, verify_sql = EXCLUDED.verify_sql, applied_at = now(), applied_by = EXCLUDED.applied_by,
         duration_ms = EXCLUDED.duration_ms, state = EXCLUDED.state, statements_done = EXCLUDED.statements_done, error = EXCLUDED.error,
         statement_started = NULL, verify_result = NULL, verify_message = NULL, verified_at = NULL`;
  }

  /**
   * The row of a version and its event in one statement: the runner pays one round trip per
   * migration for its bookkeeping, which is what keeps `apply` close to plain `psql -f`.
   */
  async upsertWithEvent(row: Omit<HistoryRow, 'appliedAt' | 'appliedBy'>, kind: HistoryEvent['kind'], message: string | undefined): Promise<void> {
    await this.db.query(
      `WITH written AS (${this.upsertSql()} RETURNING version)
       INSERT INTO ${this.events} (version, kind, actor, client_host, duration_ms, message)
       SELECT version, $12, $7, $13, $8, $14 FROM written`,
      [...rowParams(row), kind, clientHost, message ?? null],
    );
  }

  /**
   * The row of a migration recorded as applied without running it (adopt, mark applied), with
   * the time it was applied when the other tool knew it, and its event.
   */
  async recordWithoutRunning(
    row: Omit<HistoryRow, 'appliedAt' | 'appliedBy' | 'adoptedFrom'>,
    appliedAt: string | undefined,
    adoptedFrom: string,
    kind: 'adopt' | 'mark',
    message: string,
  ): Promise<void> {
    await this.db.query(
      `WITH written AS (
         INSERT INTO ${this.migrations} (version, name, checksum, up_sql, down_sql, verify_sql, applied_by, duration_ms, state, statements_done, error, applied_at, adopted_from)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce($12::timestamptz, now()), $13)
         ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, checksum = EXCLUDED.checksum, up_sql = EXCLUDED.up_sql,
           down_sql = EXCLUDED.down_sql, verify_sql = EXCLUDED.verify_sql, applied_at = EXCLUDED.applied_at, applied_by = EXCLUDED.applied_by,
           duration_ms = EXCLUDED.duration_ms, state = EXCLUDED.state, statements_done = EXCLUDED.statements_done, error = EXCLUDED.error,
           adopted_from = EXCLUDED.adopted_from, statement_started = NULL, verify_result = NULL, verify_message = NULL, verified_at = NULL
         RETURNING version)
       INSERT INTO ${this.events} (version, kind, actor, client_host, duration_ms, message)
       SELECT version, $14, $7, $15, NULL, $16 FROM written`,
      [...rowParams(row), appliedAt ?? null, adoptedFrom, kind, clientHost, message],
    );
  }

  /** True when Tidemark has ever recorded anything here (a row, or an event of a run since rolled back). */
  async hasRecords(): Promise<boolean> {
    if (!(await this.exists())) return false;
    const r = await this.db.query(`SELECT EXISTS (SELECT 1 FROM ${this.migrations}) OR EXISTS (SELECT 1 FROM ${this.events}) AS any`);
    return r.rows[0]?.any === true;
  }

  /** Statements 1..statementsDone have run; `started` is the (1-based) statement about to run bare, if any. */
  async recordProgress(version: string, statementsDone: number, error: string | null, started: number | null = null): Promise<void> {
    await this.db.query(`UPDATE ${this.migrations} SET statements_done = $2, error = $3, statement_started = $4 WHERE version = $1`, [version, statementsDone, error, started]);
  }

  async recordVerify(version: string, passed: boolean, message: string | null): Promise<void> {
    await this.db.query(`UPDATE ${this.migrations} SET verify_result = $2, verify_message = $3, verified_at = clock_timestamp() WHERE version = $1`, [
      version,
      passed ? 'passed' : 'failed',
      message,
    ]);
  }

  async remove(version: string): Promise<void> {
    await this.db.query(`DELETE FROM ${this.migrations} WHERE version = $1`, [version]);
  }

  async event(version: string, kind: HistoryEvent['kind'], durationMs: number | undefined, message: string | undefined): Promise<void> {
    await this.db.query(`INSERT INTO ${this.events} (version, kind, actor, client_host, duration_ms, message) VALUES ($1, $2, $3, $4, $5, $6)`, [
      version,
      kind,
      actor,
      clientHost,
      durationMs === undefined ? null : Math.round(durationMs),
      message ?? null,
    ]);
  }

  /**
   * Records an approval of `version` by `by` (the name given, not the OS user: who approves is not
   * who types the command); the message holds the reason and the file approved.
   */
  async approve(version: string, by: string, message: string): Promise<void> {
    await this.db.query(`INSERT INTO ${this.events} (version, kind, actor, client_host, message) VALUES ($1, 'approve', $2, $3, $4)`, [version, by, clientHost, message]);
  }

  /** Every approval recorded here, newest first. */
  async approvals(): Promise<Approval[]> {
    if (!(await this.exists())) return [];
    const r = await this.db.query(
      `SELECT version, actor, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, message FROM ${this.events} WHERE kind = $1 ORDER BY id DESC`,
      ['approve'],
    );
    return r.rows.map((row) => {
      const message = String(row.message ?? '');
      const file = APPROVED_FILE.exec(message);
      return {
        version: String(row.version),
        by: String(row.actor),
        at: String(row.at),
        reason: file ? message.slice(0, file.index) : message,
        ...(file ? { fileChecksum: file[1] } : {}),
      };
    });
  }

  /** The newest events first. */
  async recentEvents(limit: number): Promise<HistoryEvent[]> {
    if (!(await this.exists())) return [];
    const r = await this.db.query(
      `SELECT version, kind, actor, client_host, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, duration_ms, message
         FROM ${this.events} ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return r.rows.map((row) => ({
      version: String(row.version),
      kind: row.kind as HistoryEvent['kind'],
      actor: String(row.actor),
      clientHost: String(row.client_host),
      at: String(row.at),
      durationMs: row.duration_ms === null ? undefined : Number(row.duration_ms),
      message: opt(row.message),
    }));
  }
}

const NEWEST_EVENT_KIND: HistoryEvent['kind'] = 'ignore-soak';
const EVENT_KINDS = `'apply', 'rollback', 'verify', 'fail', 'adopt', 'mark', 'backup', 'approve', '${NEWEST_EVENT_KIND}'`;

function rowParams(row: Omit<HistoryRow, 'appliedAt' | 'appliedBy'>): unknown[] {
  const duration = row.durationMs === undefined ? null : Math.round(row.durationMs);
  return [row.version, row.name, row.checksum, row.upSql, row.downSql ?? null, row.verifySql ?? null, actor, duration, row.state, row.statementsDone, row.error ?? null];
}

/** The end of an approval's message: the file it approved (runner/gates.ts approvalMessage writes it). */
const APPROVED_FILE = / \(file sha256 ([0-9a-f]{12})\)$/;

const opt = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
