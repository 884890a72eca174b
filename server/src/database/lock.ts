/**
 * The migration lock: a session-level advisory lock taken with pg_try_advisory_lock and polled,
 * never the blocking pg_advisory_lock (a session waiting on it inside a migration deadlocks with
 * CREATE INDEX CONCURRENTLY, which waits for every older transaction). On timeout the error names
 * who holds it.
 */
import type { DatabaseAdapter } from './adapter';
import { RunnerInputError } from './environments';

/** "tdmk": the high half of the 64-bit key; the low half is derived from the history schema. */
const KEY_CLASS = 0x74646d6b;

export class LockTimeoutError extends RunnerInputError {}

function keyHalves(schema: string): [number, number] {
  let h = 2166136261;
  for (let i = 0; i < schema.length; i++) h = Math.imul(h ^ schema.charCodeAt(i), 16777619) >>> 0;
  return [KEY_CLASS, h & 0x7fffffff];
}

function lockKey(schema: string): string {
  const [hi, lo] = keyHalves(schema);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

export interface LockOptions {
  waitMs: number;
  environment: string;
  isCancelled?: () => boolean;
  /** Called once when the lock is busy, so a front end can say it is waiting. */
  onWait?: (holder: string) => void;
}

/** Takes the lock or throws LockTimeoutError; returns the function that releases it. */
export async function acquireMigrationLock(db: DatabaseAdapter, schema: string, options: LockOptions): Promise<() => Promise<void>> {
  const key = lockKey(schema);
  const deadline = Date.now() + options.waitMs;
  let told = false;
  for (;;) {
    const r = await db.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [key]);
    if (r.rows[0]?.locked === true) {
      return async () => {
        await db.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
      };
    }
    if (options.isCancelled?.()) throw new RunnerInputError('cancelled while waiting for the migration lock');
    if (!told && options.onWait) {
      told = true;
      options.onWait(await describeHolder(db, schema));
    }
    if (Date.now() >= deadline) {
      throw new LockTimeoutError(`${options.environment} is locked by another migration run (${await describeHolder(db, schema)}); gave up after ${options.waitMs} ms`);
    }
    await new Promise((r) => setTimeout(r, Math.min(250, Math.max(10, deadline - Date.now()))));
  }
}

/** "application tidemark, client 10.0.0.3, pid 4242, connected since ..., active since ...". */
export async function describeHolder(db: DatabaseAdapter, schema: string): Promise<string> {
  const [hi, lo] = keyHalves(schema);
  const r = await db.query(
    `SELECT a.pid, a.application_name, host(a.client_addr) AS client_addr, a.usename,
            to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS"Z"') AS backend_start,
            a.state, to_char(a.state_change AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS"Z"') AS state_change
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid AND l.objsubid = 1
        AND l.pid <> pg_backend_pid()`,
    [hi, lo],
  );
  const h = r.rows[0];
  if (!h) return 'holder not visible: it may have just finished';
  const parts = [
    `application "${h.application_name || '?'}"`,
    `user ${h.usename ?? '?'}`,
    `client ${h.client_addr ?? 'local socket'}`,
    `pid ${h.pid}`,
    `connected since ${h.backend_start}`,
    h.state ? `${h.state} since ${h.state_change}` : undefined,
  ];
  return parts.filter(Boolean).join(', ');
}
