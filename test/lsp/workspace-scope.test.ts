import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { codes, onlyRules, tempWorkspace, TestLspClient, uri } from '../support/lsp-client';
import { ensureParser } from '../support/lint';

/** golang-migrate files: an index built CONCURRENTLY in its own migration, then the key it serves. */
const INDEX_FIRST = {
  'migrations/000001_index.up.sql': 'CREATE INDEX CONCURRENTLY orders_tenant ON orders (tenant_id);\n',
  'migrations/000001_index.down.sql': 'DROP INDEX CONCURRENTLY orders_tenant;\n',
  'migrations/000002_key.up.sql': 'ALTER TABLE orders ADD CONSTRAINT orders_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id) NOT VALID;\n',
  'migrations/000002_key.down.sql': 'ALTER TABLE orders DROP CONSTRAINT orders_tenant_fk;\n',
  'migrations/000003_drop.up.sql': 'ALTER TABLE users DROP COLUMN email;\n',
  'migrations/000003_drop.down.sql': 'ALTER TABLE users ADD COLUMN email text;\n',
};
const RULES = ['ban-drop-column', 'fk-missing-index', 'syntax-error'];

describe('language server: tidemark.lint.scope', function () {
  let client: TestLspClient;
  before(ensureParser);
  afterEach(async () => client?.dispose());

  /** `rules: null` writes no tidemark.json (the test brings its own). */
  const start = async (scope: 'workspace' | 'openFiles' | undefined, files: Record<string, string> = INDEX_FIRST, rules: string[] | null = RULES) => {
    const dir = tempWorkspace(files, rules ?? undefined);
    client = new TestLspClient({ workspaceFolder: dir, scope });
    await client.initialize();
    return { dir, at: (rel: string) => join(dir, rel) };
  };

  it('workspace (the default) publishes every migration file, none of them opened', async () => {
    const { at } = await start(undefined);
    assert.deepEqual(codes(await client.diagnostics(uri(at('migrations/000003_drop.up.sql')))), ['ban-drop-column']);
    // Files without findings are published too (empty), so fixing one on disk clears it.
    assert.deepEqual(codes(await client.diagnostics(uri(at('migrations/000002_key.up.sql')))), []);
    assert.deepEqual(codes(await client.diagnostics(uri(at('migrations/000001_index.down.sql')))), []);
    // tidemark.json is not a migration: only its own (config) diagnostics, never a lint of it as SQL.
    assert.ok(client.published.every((p) => p.uri.endsWith('.sql') || p.uri.endsWith('tidemark.json')));
  });

  it('openFiles publishes only the open file', async () => {
    const { at } = await start('openFiles');
    const opened = client.open(at('migrations/000002_key.up.sql'), 'ALTER TABLE users DROP COLUMN email;\n');
    assert.deepEqual(codes(await client.diagnosticsFor(opened, 1)), ['ban-drop-column']);
    // Long enough for the workspace scope to have published all six files (the test above).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const sqlUris = new Set(client.published.filter((p) => p.uri.endsWith('.sql')).map((p) => p.uri));
    assert.deepEqual([...sqlUris], [opened]);
  });

  it("publishes the opened file's diagnostics before any file linted in the background", async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 150; i++) {
      const base = `migrations/${String(i).padStart(6, '0')}_step`;
      files[`${base}.up.sql`] = `CREATE TABLE t${i} (id int);\nALTER TABLE t${i} ADD COLUMN note text;\n`;
      files[`${base}.down.sql`] = `DROP TABLE t${i};\n`;
    }
    const dir = tempWorkspace(files, RULES);
    client = new TestLspClient({ workspaceFolder: dir, scope: 'workspace' });
    await client.initialize();
    const last = client.open(join(dir, 'migrations/000150_step.up.sql'), 'ALTER TABLE users DROP COLUMN email;\n');
    assert.deepEqual(codes(await client.diagnosticsFor(last, 1)), ['ban-drop-column']);
    await client.diagnostics(uri(join(dir, 'migrations/000150_step.down.sql')));
    const firstSql = client.published.find((p) => p.uri.endsWith('.sql'))!;
    assert.equal(firstSql.uri, last);
    assert.equal(firstSql.version, 1);
    // Every other file was published once in the background, the open file never from disk.
    const sqlUris = new Set(client.published.filter((p) => p.uri.endsWith('.sql')).map((p) => p.uri));
    assert.equal(sqlUris.size, 300);
    assert.ok(client.published.filter((p) => p.uri === last).every((p) => p.version === 1));
  });

  it('lints a file opened while the background lint runs before the rest of the project', async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 400; i++) files[`migrations/${String(i).padStart(6, '0')}_step.up.sql`] = `CREATE TABLE t${i} (id int);\nALTER TABLE t${i} ADD COLUMN note text;\n`;
    const dir = tempWorkspace(files, RULES);
    client = new TestLspClient({ workspaceFolder: dir, scope: 'workspace' });
    await client.initialize();
    await client.diagnostics(uri(join(dir, 'migrations/000001_step.up.sql')));
    const opened = client.open(join(dir, 'migrations/000200_step.up.sql'), 'ALTER TABLE users DROP COLUMN email;\n');
    assert.deepEqual(codes(await client.diagnosticsFor(opened, 1)), ['ban-drop-column']);
    const lastUri = uri(join(dir, 'migrations/000400_step.up.sql'));
    assert.ok(!client.published.some((p) => p.uri === lastUri), 'the whole project was linted before the opened file');
    await client.diagnostics(lastUri);
  });

  it('keeps a closed file listed, linted from its disk text', async () => {
    const { at } = await start('workspace');
    const path = at('migrations/000003_drop.up.sql');
    const opened = client.open(path, 'SELECT 1;\n');
    assert.deepEqual(codes(await client.diagnosticsFor(opened, 1)), []);
    const since = client.mark();
    client.close(opened);
    // The disk text still drops the column: the finding comes back instead of the list being cleared.
    assert.deepEqual(codes(await client.diagnostics(opened, () => true, since)), ['ban-drop-column']);
  });

  it('clears a closed file in openFiles scope', async () => {
    const { at } = await start('openFiles');
    const opened = client.open(at('migrations/000003_drop.up.sql'), 'ALTER TABLE users DROP COLUMN email;\n');
    assert.deepEqual(codes(await client.diagnosticsFor(opened, 1)), ['ban-drop-column']);
    const since = client.mark();
    client.close(opened);
    assert.deepEqual(codes(await client.diagnostics(opened, () => true, since)), []);
  });

  it('re-publishes a changed file and the later migrations that read it; a created file is linted', async () => {
    const { at } = await start('workspace');
    const key = uri(at('migrations/000002_key.up.sql'));
    assert.deepEqual(codes(await client.diagnostics(key)), []);
    await client.diagnostics(uri(at('migrations/000003_drop.down.sql')));

    // The index moves to another column: the key of the next migration is no longer served by it.
    const since = client.mark();
    const index = at('migrations/000001_index.up.sql');
    writeFileSync(index, 'CREATE INDEX CONCURRENTLY orders_created ON orders (created_at);\nSELEC 1;\n');
    client.filesChanged([{ path: index, type: 'changed' }]);
    assert.deepEqual(codes(await client.diagnostics(uri(index), () => true, since)), ['syntax-error']);
    assert.deepEqual(codes(await client.diagnostics(key, () => true, since)), ['fk-missing-index']);

    const created = at('migrations/000004_more.up.sql');
    writeFileSync(created, 'ALTER TABLE accounts DROP COLUMN plan;\n');
    client.filesChanged([{ path: created, type: 'created' }]);
    assert.deepEqual(codes(await client.diagnostics(uri(created), () => true, since)), ['ban-drop-column']);
  });

  it("clears a deleted file's diagnostics", async () => {
    const { at } = await start('workspace');
    const path = at('migrations/000003_drop.up.sql');
    assert.deepEqual(codes(await client.diagnostics(uri(path))), ['ban-drop-column']);
    const since = client.mark();
    rmSync(path);
    client.filesChanged([{ path, type: 'deleted' }]);
    assert.deepEqual(codes(await client.diagnostics(uri(path), () => true, since)), []);
  });

  it('re-lints an open later migration with the earlier one changed on disk, at once', async () => {
    // openFiles: nothing in the background; the open file's own re-lint must read the new disk text.
    const { at } = await start('openFiles');
    const key = at('migrations/000002_key.up.sql');
    const opened = client.open(key, INDEX_FIRST['migrations/000002_key.up.sql']);
    assert.deepEqual(codes(await client.diagnosticsFor(opened, 1)), []);
    // Within the second the earlier migrations' context used to be trusted without a look at the disk.
    const since = client.mark();
    const index = at('migrations/000001_index.up.sql');
    writeFileSync(index, 'CREATE INDEX CONCURRENTLY orders_created ON orders (created_at);\n');
    client.filesChanged([{ path: index, type: 'changed' }]);
    assert.deepEqual(codes(await client.diagnostics(opened, (d) => d.length > 0, since)), ['fk-missing-index']);
  });

  it('re-lints the later migrations of a changed one in the workspace from what is on disk now', async () => {
    const { at } = await start('workspace');
    const key = uri(at('migrations/000002_key.up.sql'));
    assert.deepEqual(codes(await client.diagnostics(key)), []);
    await client.diagnostics(uri(at('migrations/000003_drop.down.sql')));
    // Two changes in a row, the second undoing the first: the key ends served by the index again.
    const index = at('migrations/000001_index.up.sql');
    writeFileSync(index, 'CREATE INDEX CONCURRENTLY orders_created ON orders (created_at);\n');
    client.filesChanged([{ path: index, type: 'changed' }]);
    assert.deepEqual(codes(await client.diagnostics(key, (d) => d.length > 0)), ['fk-missing-index']);
    const since = client.mark();
    writeFileSync(index, INDEX_FIRST['migrations/000001_index.up.sql']);
    client.filesChanged([{ path: index, type: 'changed' }]);
    assert.deepEqual(codes(await client.diagnostics(key, () => true, since)), []);
  });

  it("publishes a folder's problems that belong to no migration file (a diesel folder without up.sql)", async () => {
    const { at } = await start(
      'workspace',
      {
        'migrations/2024-01-01-000000_users/up.sql': 'ALTER TABLE users DROP COLUMN email;\n',
        'migrations/2024-01-01-000000_users/down.sql': 'ALTER TABLE users ADD COLUMN email text;\n',
        'migrations/2024-02-01-000000_orders/down.sql': 'DROP TABLE orders;\n',
      },
      [...RULES, 'migration-layout'],
    );
    const broken = at('migrations/2024-02-01-000000_orders');
    const problems = await client.diagnostics(uri(broken));
    assert.deepEqual(codes(problems), ['migration-layout']);
    assert.match(String(problems[0].message), /has no up\.sql/);
    assert.deepEqual(codes(await client.diagnostics(uri(at('migrations/2024-01-01-000000_users/up.sql')))), ['ban-drop-column']);

    // Fixed on disk: the folder's problem is cleared.
    const since = client.mark();
    writeFileSync(join(broken, 'up.sql'), 'CREATE TABLE orders (id bigint);\n');
    client.filesChanged([{ path: join(broken, 'up.sql'), type: 'created' }]);
    assert.deepEqual(codes(await client.diagnostics(uri(broken), () => true, since)), []);
  });

  it('publishes a duplicate version on both files of the workspace', async () => {
    const { at } = await start(
      'workspace',
      {
        'migrations/20240101000000_users.sql': '-- migrate:up\nCREATE TABLE users (id bigint);\n-- migrate:down\nDROP TABLE users;\n',
        'migrations/20240101000000_orders.sql': '-- migrate:up\nCREATE TABLE orders (id bigint);\n-- migrate:down\nDROP TABLE orders;\n',
      },
      [...RULES, 'duplicate-version'],
    );
    assert.deepEqual(codes(await client.diagnostics(uri(at('migrations/20240101000000_users.sql')), (d) => d.length > 0)), ['duplicate-version']);
    assert.deepEqual(codes(await client.diagnostics(uri(at('migrations/20240101000000_orders.sql')), (d) => d.length > 0)), ['duplicate-version']);
  });

  it('shows in tidemark.json that the migrations folder it names does not exist, until it does', async () => {
    const { at } = await start('workspace', { 'tidemark.json': JSON.stringify({ migrationsDir: 'db/migrations', lint: { rules: onlyRules(RULES) } }) }, null);
    const config = uri(at('tidemark.json'));
    const problems = await client.diagnostics(config, (d) => d.length > 0);
    assert.deepEqual(
      problems.map((d) => d.message),
      ['migrationsDir: the migrations folder db/migrations does not exist'],
    );
    assert.equal(problems[0].range.start.line, 0);

    const since = client.mark();
    const created = at('db/migrations/000001_drop.up.sql');
    mkdirSync(dirname(created), { recursive: true });
    writeFileSync(created, 'ALTER TABLE users DROP COLUMN email;\n');
    client.filesChanged([{ path: created, type: 'created' }]);
    assert.deepEqual(codes(await client.diagnostics(uri(created), () => true, since)), ['ban-drop-column']);
    // The folder exists now: the problem goes from tidemark.json.
    assert.deepEqual(await client.diagnostics(config, (d) => d.length === 0, since), []);
  });

  it('re-checks the disk itself for an open migration outside the workspace folders (no file events there)', async () => {
    await start('openFiles', { 'notes.sql': 'SELECT 1;\n' });
    const elsewhere = tempWorkspace(INDEX_FIRST, RULES);
    const opened = client.open(join(elsewhere, 'migrations/000002_key.up.sql'), INDEX_FIRST['migrations/000002_key.up.sql']);
    assert.deepEqual(codes(await client.diagnosticsFor(opened, 1)), []);
    // The client watches the workspace folders only: nothing reports this change.
    writeFileSync(join(elsewhere, 'migrations/000001_index.up.sql'), 'CREATE INDEX CONCURRENTLY orders_created ON orders (created_at);\n');
    // The engine's own look at the folder is trusted for a second (earlier-migrations.ts).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const version = client.change(opened, INDEX_FIRST['migrations/000002_key.up.sql']);
    assert.deepEqual(codes(await client.diagnosticsFor(opened, version)), ['fk-missing-index']);
  });
});
