/**
 * node-pg-migrate itself (npm) against Tidemark's reading of the same SQL migrations, on a real
 * PostgreSQL server: the tool migrates one database up and one step down, Tidemark another, and
 * both databases must end the same way — the sections Tidemark reads are the ones the tool runs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { applyMigrations } from '../../server/src/runner/apply';
import { rollbackMigrations } from '../../server/src/runner/rollback';
import { discoverMigrations } from '../../server/src/migrations/discovery';
import { repoRoot } from '../support/paths';
import { postgresBackend } from './backends';

const run = promisify(execFile);

const MIGRATIONS = {
  'migrations/1700000000000_users.sql':
    '-- Up Migration\nCREATE TABLE users (id bigint PRIMARY KEY);\nCREATE INDEX users_id ON users (id);\n\n-- Down Migration\nDROP TABLE users;\n',
  // Down before up in the file: node-pg-migrate cuts each section up to the other marker.
  'migrations/1700000000001_posts.sql': '-- Down Migration\nDROP TABLE posts;\n-- Up Migration\nCREATE TABLE posts (id bigint, author bigint REFERENCES users (id));\n',
  'migrations/1700000000002_notes.sql': '-- up migration\nCREATE TABLE notes (body text);\n--- DOWN MIGRATION\nDROP TABLE notes;\n',
};

describe('node-pg-migrate (npm) and Tidemark on the same SQL migrations', function () {
  this.timeout(180_000);
  const backend = postgresBackend();
  before(() => backend.start());
  after(() => backend.stop());

  it('both end with the same tables after up, and after one step down', async () => {
    const f = await backend.fixture(MIGRATIONS);
    const server = backend.servers![1];
    const tables = async (env: 'local' | 'staging') =>
      (await f.sql(env, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'pgmigrations' ORDER BY 1`)).map((r) =>
        String(r.table_name),
      );
    const dbName = String((await f.sql('staging', 'SELECT current_database() AS d'))[0].d);
    const url = `postgres://${encodeURIComponent(server.user)}:${encodeURIComponent(server.password)}@${server.host}:${server.port}/${dbName}`;
    const tool = (args: string[]) =>
      run(process.execPath, [join(repoRoot, 'node_modules', 'node-pg-migrate', 'bin', 'node-pg-migrate.js'), ...args, '-m', join(f.root, 'migrations')], {
        env: { ...process.env, DATABASE_URL: url },
        cwd: f.root,
      });

    assert.equal(discoverMigrations(join(f.root, 'migrations')).layout, 'node-pg-migrate');
    await tool(['up']);
    const report = await applyMigrations(f.project(), 'local', f.options);
    assert.equal(report.failure, undefined, JSON.stringify(report.failure));
    assert.deepEqual(await tables('local'), ['notes', 'posts', 'users']);
    assert.deepEqual(await tables('local'), await tables('staging'));

    await tool(['down']);
    const back = await rollbackMigrations(f.project(), 'local', f.options);
    assert.equal(back.failure, undefined, JSON.stringify(back.failure));
    assert.deepEqual(await tables('local'), ['posts', 'users']);
    assert.deepEqual(await tables('local'), await tables('staging'));
  });
});
