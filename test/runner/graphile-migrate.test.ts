/**
 * graphile-migrate itself (npm, a devDependency) on a real PostgreSQL server, next to Tidemark's
 * reading of the same folder: a migration `graphile-migrate commit` writes is read with its hash
 * chain intact, and a folder graphile-migrate refuses to migrate (an edited migration, a broken
 * link) is one Tidemark reports, naming the same file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverMigrations } from '../../server/src/migrations/discovery';
import { freshDatabase, startServers, type TestServer } from '../support/databases';
import { repoRoot } from '../support/paths';
import { scratchDir } from '../support/test-cleanup';

const fixture = join(repoRoot, 'test', 'fixtures', 'layouts', 'graphile-migrate');
const bin = join(repoRoot, 'node_modules', '.bin', 'graphile-migrate');

describe('graphile-migrate: its own commit and migrate agree with Tidemark on the hash chain', function () {
  this.timeout(300_000);
  let server: TestServer;
  before(async () => {
    if (!existsSync(bin)) throw new Error(`graphile-migrate is not installed at ${bin}: it is a devDependency of the project; run npm ci`);
    [server] = await startServers(1);
  });
  after(() => server?.stop());

  async function project(): Promise<{ dir: string; run: (...args: string[]) => { status: number | null; output: string } }> {
    const dir = scratchDir('gm-project-');
    cpSync(fixture, dir, { recursive: true });
    const [database, shadow] = [await freshDatabase(server), await freshDatabase(server)];
    const url = (db: string) => `postgres://${server.user}:${encodeURIComponent(server.password)}@${server.host}:${server.port}/${db}`;
    const env = { ...process.env, DATABASE_URL: url(database), SHADOW_DATABASE_URL: url(shadow), ROOT_DATABASE_URL: url(server.adminDatabase) };
    return {
      dir,
      run: (...args) => {
        const r = spawnSync(bin, args, { cwd: dir, env, encoding: 'utf8' });
        return { status: r.status, output: `${r.stdout}${r.stderr}` };
      },
    };
  }

  it('reads the migration graphile-migrate commit writes, chained to the ones before it', async () => {
    const { dir, run } = await project();
    const migrated = run('migrate');
    assert.equal(migrated.status, 0, migrated.output);
    const committed = run('commit', '--message', 'Count posts');
    assert.equal(committed.status, 0, committed.output);
    const found = discoverMigrations(dir);
    assert.deepEqual(found.problems, []);
    assert.deepEqual(
      found.migrations.map((m) => [m.version, m.name]),
      [
        ['000001', 'Create users'],
        ['000002', ''],
        ['000003', 'Posts: one per user message'],
        ['000004', 'Count posts'],
      ],
    );
    const written = readFileSync(join(dir, 'migrations', 'committed', '000004-count-posts.sql'), 'utf8');
    assert.equal(found.migrations[3].toolId, /^--! Hash: (\S+)$/m.exec(written)![1]);
    assert.match(found.migrations[3].up.text, /create function post_count/);
    // current.sql is reset to the blank migration; it stays listed as work in progress, never a migration.
    assert.deepEqual(
      found.unused.map((u) => u.path.slice(dir.length + 1)),
      ['migrations/current.sql'],
    );
  });

  it('an edited committed migration: graphile-migrate refuses to migrate, Tidemark reports the same file', async () => {
    const { dir, run } = await project();
    const path = join(dir, 'migrations', 'committed', '000001-create-users.sql');
    writeFileSync(path, readFileSync(path, 'utf8').replace('name text', 'name text not null'));
    const migrated = run('migrate');
    assert.notEqual(migrated.status, 0);
    assert.match(migrated.output, /Hash for 000001-create-users\.sql does not match/);
    const found = discoverMigrations(dir);
    assert.deepEqual(
      found.problems.map((p) => p.path),
      [path],
    );
    assert.match(found.problems[0].message, /does not match its hash/);
  });

  it('a broken link: graphile-migrate refuses to migrate, Tidemark reports the same file', async () => {
    const { dir, run } = await project();
    const path = join(dir, 'migrations', 'committed', '000003-posts-one-per-user-message.sql');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^--! Previous: sha1:a/m, '--! Previous: sha1:b'));
    const migrated = run('migrate');
    assert.notEqual(migrated.status, 0);
    assert.match(migrated.output, /doesn't match '000003\.sql''s expected previous hash/);
    const found = discoverMigrations(dir);
    assert.ok(
      found.problems.some((p) => p.path === path && /the chain is broken/.test(p.message)),
      JSON.stringify(found.problems),
    );
  });
});
