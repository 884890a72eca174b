/** The adapter for PostgreSQL servers, over `pg`, one session per runner. */
import type { Client } from 'pg';
import { runTransaction, ServerError, toServerError, type DatabaseAdapter, type QueryResult } from './adapter';
import { RunnerInputError, scrubSecrets, type Environment } from './environments';

type PgpassLookup = (info: object, cb: (password: string | undefined) => void) => void;

/** Asked when neither the config, PGPASSWORD nor ~/.pgpass has a password for the target. */
export type PasswordSource = (request: { environment: string; target: string }) => Promise<string | undefined>;

export const APPLICATION_NAME = 'tidemark';

/** The password was refused by the server; a front end may forget what it stored. */
export class PasswordRejectedError extends RunnerInputError {}

export async function connectPostgres(env: Environment, askPassword?: PasswordSource): Promise<DatabaseAdapter> {
  // Loaded here, not at the top: every CLI command bundles the runner, and `lint` never connects.
  // pg depends on pgpass; it is the reader of ~/.pgpass libpq users already rely on.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Client } = require('pg') as typeof import('pg');
  const pgpass = require('pgpass') as PgpassLookup;
  /* eslint-enable @typescript-eslint/no-require-imports */
  // libpq treats an empty PGPASSWORD as unset and reads ~/.pgpass; the pgpass module gives up when
  // the variable exists at all, and so would pg_dump's environment. A CI step exporting an unset
  // secret sets it empty.
  if (process.env.PGPASSWORD === '') delete process.env.PGPASSWORD;
  const target = env.postgres!;
  const secrets: Array<string | undefined> = [target.password];
  let used: string | undefined;
  const password = async (): Promise<string> => (used = await findPassword());
  const findPassword = async (): Promise<string> => {
    if (target.password) return target.password;
    if (process.env.PGPASSWORD) return process.env.PGPASSWORD;
    const stored = await new Promise<string | undefined>((done) => pgpass({ host: target.host, port: target.port, database: target.database, user: target.user }, done));
    if (stored) {
      secrets.push(stored);
      return stored;
    }
    if (askPassword) {
      // The connect timeout is for the network, not for a person typing a password.
      clearTimeout((client as unknown as { connectionTimeoutHandle?: NodeJS.Timeout }).connectionTimeoutHandle);
      const given = await askPassword({ environment: env.name, target: env.info.target });
      if (given) {
        secrets.push(given);
        return given;
      }
    }
    throw new RunnerInputError(`${env.name} (${env.info.target}) needs a password: set PGPASSWORD, add it to ~/.pgpass, or use \${env:VAR} in the url`);
  };
  const client = new Client({
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.user,
    password,
    ssl: target.ssl,
    application_name: APPLICATION_NAME,
    connectionTimeoutMillis: env.connectTimeoutMs,
    keepAlive: true,
  });
  // A terminated backend emits 'error' on the client; the failing query reports it to the runner.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw connectError(env, error, secrets);
  }
  return new PostgresAdapter(client, secrets, () => libpqEnvironment(env, used));
}

function libpqEnvironment(env: Environment, password: string | undefined): Record<string, string> {
  const t = env.postgres!;
  const vars: Record<string, string> = {
    PGHOST: t.host,
    PGPORT: String(t.port),
    PGUSER: t.user,
    PGDATABASE: t.database,
    PGCONNECT_TIMEOUT: String(Math.max(2, Math.ceil(env.connectTimeoutMs / 1000))),
    PGAPPNAME: `${APPLICATION_NAME}-backup`,
  };
  if (password !== undefined) vars.PGPASSWORD = password;
  // pg's { rejectUnauthorized: true } checks the certificate and host name, as verify-full does.
  if (t.ssl) vars.PGSSLMODE = typeof t.ssl === 'object' && t.ssl.rejectUnauthorized ? 'verify-full' : 'require';
  return vars;
}

function connectError(env: Environment, error: unknown, secrets: Array<string | undefined>): Error {
  if (error instanceof RunnerInputError) return error;
  const e = error as { code?: string; message?: string };
  const where = `${env.name} (${env.info.target})`;
  let reason: string;
  if (e.code === '28P01' || e.code === '28000') {
    return new PasswordRejectedError(scrubSecrets(`cannot connect to ${where}: ${e.message}`, secrets));
  } else if (e.code === 'ECONNREFUSED') reason = 'connection refused (is the server running and listening on that port?)';
  else if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') reason = `unknown host "${env.postgres!.host}"`;
  else if (e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH') reason = `host ${env.postgres!.host} is unreachable`;
  else if (/timeout/i.test(e.message ?? '')) reason = `no answer within ${env.connectTimeoutMs} ms (connectTimeout)`;
  else if (/Connection terminated unexpectedly/i.test(e.message ?? ''))
    reason = 'the server closed the connection before it was ready (not PostgreSQL on that port, or a proxy/firewall refused it)';
  else if (e.code === '3D000') reason = e.message ?? 'database does not exist';
  else reason = e.message ?? String(error);
  return new RunnerInputError(scrubSecrets(`cannot connect to ${where}: ${reason}`, secrets));
}

class PostgresAdapter implements DatabaseAdapter {
  readonly kind = 'postgres' as const;

  constructor(
    private readonly client: Client,
    private readonly secrets: Array<string | undefined>,
    readonly libpqEnvironment: () => Record<string, string>,
  ) {}

  onNotice(listener: (message: string) => void): () => void {
    const forward = (notice: { message?: string }) => listener(notice.message ?? '');
    this.client.on('notice', forward);
    return () => void this.client.off('notice', forward);
  }

  async query(sql: string, params?: unknown[]): Promise<QueryResult> {
    try {
      const result = await this.client.query({ text: sql, values: params as unknown[] | undefined });
      // A multi-statement text returns one result per statement; the last is the one wanted.
      const last = Array.isArray(result) ? result[result.length - 1] : result;
      return { rows: last?.rows ?? [], fields: (last?.fields ?? []).map((f: { name: string; dataTypeID: number }) => ({ name: f.name, dataTypeID: f.dataTypeID })) };
    } catch (error) {
      throw this.clean(error);
    }
  }

  async exec(script: string): Promise<void> {
    try {
      await this.client.query(script);
    } catch (error) {
      throw this.clean(error);
    }
  }

  transaction<T>(work: () => Promise<T>, options: { rollback?: boolean } = {}): Promise<T> {
    return runTransaction(this, work, options.rollback);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  private clean(error: unknown): unknown {
    const e = toServerError(error);
    if (e instanceof ServerError) {
      const message = scrubSecrets(e.message, this.secrets);
      return message === e.message ? e : new ServerError(message, e.code, e.position, e.detail, e.hint);
    }
    return e;
  }
}
