/**
 * The one interface the runner talks to a database through. Two implementations exist — a
 * PostgreSQL server over `pg` and the embedded PGlite sandbox — and nothing above this file knows
 * which one it holds.
 */

export interface QueryResult {
  rows: Record<string, unknown>[];
  /** Column names and type oids, in order (16 = boolean). */
  fields: Array<{ name: string; dataTypeID: number }>;
}

export interface DatabaseAdapter {
  readonly kind: 'pglite' | 'postgres';
  /** Runs one statement; `$1`... placeholders take `params` (never string-built values). */
  query(sql: string, params?: unknown[]): Promise<QueryResult>;
  /** Runs a script of several statements in one round trip (simple query protocol). */
  exec(script: string): Promise<void>;
  /** Runs `work` in a transaction: committed when it resolves, rolled back when it throws or `rollback` is set. */
  transaction<T>(work: () => Promise<T>, options?: { rollback?: boolean }): Promise<T>;
  /**
   * Calls `listener` with the text of each NOTICE (or WARNING, INFO) the session receives until the
   * returned function is called: a backfill's progress, as psql prints it. A server's arrive while
   * the statement runs; PGlite's when its statement returns.
   */
  onNotice(listener: (message: string) => void): () => void;
  close(): Promise<void>;
  /**
   * Servers only: the PG* variables with which a libpq tool (pg_dump) reaches the same database as
   * this session, the password it connected with included. Passed to a child's environment only.
   */
  libpqEnvironment?(): Record<string, string>;
  /** The sandbox only: its whole data directory, as a gzipped tarball PGlite can load. */
  dumpDataDir?(): Promise<Blob>;
}

export const BOOLEAN_TYPE_OID = 16;

/** An error reported by the PostgreSQL server, the same for both adapters. */
export class ServerError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    /** 1-based character position in the statement text sent, when the server gave one. */
    readonly position?: number,
    readonly detail?: string,
    readonly hint?: string,
  ) {
    super(message);
  }

  /** True when the session is gone (terminated backend, network failure). */
  get connectionLost(): boolean {
    return this.code === '57P01' || this.code === '57P02' || this.code === '57P03' || this.code === 'CONNECTION_LOST';
  }
}

/** Wraps what `pg` or PGlite threw into a ServerError; other errors pass through unchanged. */
export function toServerError(error: unknown): unknown {
  if (error instanceof ServerError) return error;
  const e = error as { message?: string; code?: unknown; position?: unknown; detail?: unknown; hint?: unknown; severity?: unknown };
  if (e && typeof e === 'object' && typeof e.message === 'string' && (typeof e.severity === 'string' || typeof e.code === 'string')) {
    const position = e.position === undefined || e.position === null || e.position === '' ? undefined : Number(e.position);
    const code = typeof e.code === 'string' ? e.code : undefined;
    return new ServerError(e.message, code, Number.isFinite(position) ? position : undefined, str(e.detail), str(e.hint));
  }
  if (e && typeof e === 'object' && typeof e.message === 'string' && /Connection terminated|connection.*(closed|ended)|ECONNRESET|Client was closed/i.test(e.message)) {
    return new ServerError(`the connection was lost: ${e.message}`, 'CONNECTION_LOST');
  }
  return error;
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** Shared transaction logic: BEGIN, the work, then COMMIT or ROLLBACK. */
export async function runTransaction<T>(db: Pick<DatabaseAdapter, 'query'>, work: () => Promise<T>, rollback = false): Promise<T> {
  await db.query('BEGIN');
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  await db.query(rollback ? 'ROLLBACK' : 'COMMIT');
  return result;
}
