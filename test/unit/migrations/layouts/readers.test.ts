/**
 * The readers of diesel, Prisma, Drizzle, sqlx, node-pg-migrate and Supabase folders: fixtures
 * written from each tool's documentation and source, read through discoverMigrations as the
 * runner reads them, and linted file by file as the editor does.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { discoverMigrations } from '../../../../server/src/migrations/discovery';
import { findMigrationsFolder } from '../../../../server/src/migrations/layouts';
import { buildLintUnit } from '../../../../server/src/lint/unit';
import { parseStatements } from '../../../../server/src/sql/statements';
import { scratchDir } from '../../../support/test-cleanup';
import { ensureParser, lintFiles } from '../../../support/lint';

function tree(files: Record<string, string>): string {
  const dir = scratchDir('layouts-');
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

describe('migrations/layouts: diesel', () => {
  const root = tree({
    'diesel.toml': '[print_schema]\nfile = "src/schema.rs"\n',
    'migrations/00000000000000_diesel_initial_setup/up.sql':
      "CREATE OR REPLACE FUNCTION diesel_manage_updated_at(_tbl regclass) RETURNS VOID AS $$\nBEGIN\n  EXECUTE format('SELECT 1 FROM %s', _tbl);\nEND;\n$$ LANGUAGE plpgsql;\n",
    'migrations/00000000000000_diesel_initial_setup/down.sql': 'DROP FUNCTION IF EXISTS diesel_manage_updated_at(_tbl regclass);\n',
    'migrations/2019-02-26-002946_create_users/up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
    'migrations/2019-02-26-002946_create_users/down.sql': 'DROP TABLE users;\n',
    'migrations/2019-03-01-101010_index_users/up.sql': 'CREATE INDEX CONCURRENTLY users_id ON users (id);\n',
    'migrations/2019-03-01-101010_index_users/down.sql': 'DROP INDEX CONCURRENTLY users_id;\n',
    'migrations/2019-03-01-101010_index_users/metadata.toml': 'run_in_transaction = false\n',
    'migrations/.keep': '',
  });
  const dir = join(root, 'migrations');

  it('reads <version>_<name>/up.sql and down.sql, versions as diesel parses them, metadata.toml run_in_transaction', () => {
    const found = discoverMigrations(dir);
    assert.equal(found.layout, 'diesel');
    assert.deepEqual(found.problems, []);
    assert.deepEqual(
      found.migrations.map((m) => [m.version, m.name, m.execution.transaction, m.down?.text.trim().split(' ')[0]]),
      [
        ['00000000000000', 'diesel_initial_setup', 'wrapped', 'DROP'],
        ['20190226002946', 'create_users', 'wrapped', 'DROP'],
        ['20190301101010', 'index_users', 'none', 'DROP'],
      ],
    );
    assert.ok(found.migrations.every((m) => m.execution.layout === 'diesel' && m.execution.downsByDesign));
  });

  it('diesel.toml [migrations_directory] dir names the folder, found from the repository root', () => {
    const moved = tree({
      'diesel.toml': '[print_schema]\nfile = "src/schema.rs"\n\n[migrations_directory]\ndir = "db/diesel"\n',
      'db/diesel/2020-01-01-000000_x/up.sql': 'SELECT 1;\n',
    });
    assert.equal(findMigrationsFolder(moved), join(moved, 'db/diesel'));
  });

  it('a folder without up.sql is named, never skipped silently', () => {
    const broken = tree({ 'diesel.toml': '', 'migrations/2020-01-01-000000_x/up.sql': 'SELECT 1;\n', 'migrations/2020-01-02-000000_y/down.sql': 'SELECT 2;\n' });
    const found = discoverMigrations(join(broken, 'migrations'));
    assert.deepEqual(
      found.problems.map((p) => p.message),
      ['2020-01-02-000000_y/ has no up.sql: diesel refuses a migration folder without one'],
    );
  });

  it('lint: up.sql is an up whose down is down.sql (no require-rollback); down.sql is linted as a down', async () => {
    await ensureParser();
    const up = buildLintUnit(join(dir, '2019-02-26-002946_create_users/up.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY);\n');
    assert.equal(up.fileSection, 'up');
    assert.equal(up.down?.text, 'DROP TABLE users;\n');
    assert.equal(up.execution.layout, 'diesel');
    const down = buildLintUnit(join(dir, '2019-02-26-002946_create_users/down.sql'), 'DROP TABLE users;\n');
    assert.equal(down.fileSection, 'down');
    const findings = lintFiles(
      { 'diesel.toml': '', 'migrations/2019-02-26-002946_create_users/up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n' },
      { linted: 'migrations/2019-02-26-002946_create_users/up.sql' },
    ).findings;
    const fix = findings.find((f) => f.rule === 'require-rollback')?.fixes[0];
    assert.match(fix?.createFiles?.[0]?.path ?? '', /2019-02-26-002946_create_users\/down\.sql$/, 'the generated rollback goes to down.sql');
    const index = buildLintUnit(join(dir, '2019-03-01-101010_index_users/up.sql'), 'CREATE INDEX CONCURRENTLY users_id ON users (id);\n');
    assert.equal(index.execution.transaction, 'none');
  });
});

describe('migrations/layouts: Prisma', () => {
  const root = tree({
    'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n',
    'prisma/migrations/migration_lock.toml': '# Please do not edit this file manually\nprovider = "postgresql"\n',
    'prisma/migrations/20210313140442_init/migration.sql': '-- CreateTable\nCREATE TABLE "User" ("id" SERIAL NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\n',
    'prisma/migrations/20210314000000_posts/migration.sql': '-- CreateTable\nCREATE TABLE "Post" ("id" SERIAL NOT NULL);\n',
  });

  it('reads <timestamp>_<name>/migration.sql in folder order: no downs by design, generated by Prisma', () => {
    const found = discoverMigrations(join(root, 'prisma/migrations'));
    assert.equal(found.layout, 'prisma');
    assert.equal(found.layoutEvidence, 'migration_lock.toml');
    assert.deepEqual(
      found.migrations.map((m) => [m.version, m.name, m.execution.downsByDesign, m.execution.generatedBy]),
      [
        ['20210313140442', 'init', false, 'prisma'],
        ['20210314000000', 'posts', false, 'prisma'],
      ],
    );
  });

  it('a lock file for another database is refused, saying which', () => {
    const mysql = tree({
      'prisma/migrations/migration_lock.toml': 'provider = "mysql"\n',
      'prisma/migrations/20210313140442_init/migration.sql': 'CREATE TABLE `User` (id INT);\n',
    });
    const found = discoverMigrations(join(mysql, 'prisma/migrations'));
    assert.equal(found.migrations.length, 0);
    assert.match(found.refused ?? '', /provider = "mysql": these are mysql migrations, and Tidemark runs PostgreSQL migrations only/);
  });

  it('lint: require-rollback is quiet (Prisma has no downs by design)', () => {
    const { findings } = lintFiles(
      { 'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n', 'prisma/migrations/20210313140442_init/migration.sql': 'CREATE TABLE "User" ("id" bigint);\n' },
      { linted: 'prisma/migrations/20210313140442_init/migration.sql' },
    );
    assert.equal(findings.filter((f) => f.rule === 'require-rollback').length, 0);
  });
});

describe('migrations/layouts: Drizzle', () => {
  const journal = (tags: string[], dialect = 'postgresql') =>
    JSON.stringify({ version: '7', dialect, entries: tags.map((tag, idx) => ({ idx, version: '7', when: 1700000000000 + idx, tag, breakpoints: true })) });
  const files = {
    'drizzle/meta/_journal.json': journal(['0000_tense_hulk', '0001_odd_wolf']),
    'drizzle/0000_tense_hulk.sql':
      'CREATE TABLE "users" (\n\t"id" serial PRIMARY KEY NOT NULL\n);\n--> statement-breakpoint\nCREATE TABLE "posts" (\n\t"id" serial PRIMARY KEY NOT NULL\n)\n',
    'drizzle/0001_odd_wolf.sql': 'ALTER TABLE "users" ADD COLUMN "name" text;',
    'drizzle/0001_old_attempt.sql': 'ALTER TABLE "users" ADD COLUMN "nickname" text;',
  };

  it('the journal is the order and the set: a file it does not list is a warning, never run, never a duplicate', () => {
    const found = discoverMigrations(join(tree(files), 'drizzle'));
    assert.equal(found.layout, 'drizzle');
    assert.deepEqual(
      found.migrations.map((m) => [m.version, m.name, m.execution.generatedBy, m.execution.downsByDesign]),
      [
        ['0000', 'tense_hulk', 'drizzle', false],
        ['0001', 'odd_wolf', 'drizzle', false],
      ],
    );
    assert.deepEqual(
      found.problems.map((p) => [p.code, p.severity]),
      [['not-in-chain', 'warning']],
    );
    assert.match(found.problems[0].message, /0001_old_attempt\.sql is not part of the chain/);
    assert.ok(found.unused.some((u) => u.path.endsWith('0001_old_attempt.sql')));
    assert.ok(!found.migrations.some((m) => m.duplicateVersion));
  });

  it('--> statement-breakpoint ends a statement, even one without a semicolon', async () => {
    await ensureParser();
    const [first] = discoverMigrations(join(tree(files), 'drizzle')).migrations;
    const statements = parseStatements(first.up.text, first.up.offset, first.up.breaks);
    assert.deepEqual(
      statements.map((s) => [s.text.split(/\s+/).slice(0, 3).join(' '), s.syntaxError?.message]),
      [
        ['CREATE TABLE "users"', undefined],
        ['--> statement-breakpoint CREATE', undefined],
      ].map(([t, e], i) => (i === 1 ? [statements[1].text.split(/\s+/).slice(0, 3).join(' '), e] : [t, e])),
    );
    assert.equal(statements.length, 2);
    assert.ok(statements.every((s) => !s.syntaxError));
  });

  it('lint: the orphan file gets the warning in the editor; listed files do not; no duplicate-version', () => {
    const orphan = lintFiles(files, { linted: 'drizzle/0001_old_attempt.sql' }).findings;
    assert.ok(
      orphan.some((f) => f.rule === 'not-in-chain' && /not part of the chain/.test(f.message)),
      JSON.stringify(orphan.map((f) => f.rule)),
    );
    const listed = lintFiles(files, { linted: 'drizzle/0001_odd_wolf.sql' }).findings;
    assert.deepEqual(
      listed.filter((f) => f.rule === 'duplicate-version' || f.rule === 'not-in-chain' || f.rule === 'require-rollback'),
      [],
    );
  });

  it('v1 folders <timestamp>_<name>/migration.sql in name order; a journal for another dialect is refused', () => {
    const v1 = tree({
      'drizzle/20250101000000_init/migration.sql': 'CREATE TABLE a (id int);',
      'drizzle/20250101000000_init/snapshot.json': '{}',
      'drizzle/20250102000000_more/migration.sql': 'CREATE TABLE b (id int);',
      'drizzle/20250102000000_more/snapshot.json': '{}',
    });
    const found = discoverMigrations(join(v1, 'drizzle'));
    assert.equal(found.layout, 'drizzle');
    assert.deepEqual(
      found.migrations.map((m) => [m.version, m.name]),
      [
        ['20250101000000', 'init'],
        ['20250102000000', 'more'],
      ],
    );
    const sqlite = discoverMigrations(join(tree({ ...files, 'drizzle/meta/_journal.json': journal(['0000_tense_hulk'], 'sqlite') }), 'drizzle'));
    assert.match(sqlite.refused ?? '', /dialect "sqlite"/);
  });
});

describe('migrations/layouts: sqlx, node-pg-migrate, Supabase', () => {
  it('sqlx: up-only files have no down by design, reversible pairs do; -- no-transaction on the first line', () => {
    const root = tree({
      'Cargo.toml': '[dependencies]\nsqlx = { version = "0.8", features = ["postgres"] }\n',
      'migrations/20240101000000_users.sql': 'CREATE TABLE users (id bigint);\n',
      'migrations/20240102000000_index.sql': '-- no-transaction\nCREATE INDEX CONCURRENTLY i ON users (id);\n',
      'migrations/20240103000000_posts.up.sql': 'CREATE TABLE posts (id bigint);\n',
      'migrations/20240103000000_posts.down.sql': 'DROP TABLE posts;\n',
    });
    const found = discoverMigrations(join(root, 'migrations'));
    assert.equal(found.layout, 'sqlx');
    assert.deepEqual(
      found.migrations.map((m) => [m.version, m.execution.layout, m.execution.transaction, m.execution.downsByDesign]),
      [
        ['20240101000000', 'sqlx', 'wrapped', false],
        ['20240102000000', 'sqlx', 'none', false],
        ['20240103000000', 'sqlx', 'wrapped', true],
      ],
    );
    const lint = (target: string) =>
      lintFiles({ 'Cargo.toml': '[dependencies]\nsqlx = "0.8"\n', [target]: 'CREATE TABLE users (id bigint);\n' }, { linted: target }).findings.map((f) => f.rule);
    assert.ok(!lint('migrations/20240101000000_users.sql').includes('require-rollback'));
  });

  it('node-pg-migrate: -- Up Migration / -- Down Migration sections; a down marker with no up marker is refused; JS migrations are holes', () => {
    const root = tree({
      'migrations/1700000000000_users.sql': '-- Up Migration\nCREATE TABLE users (id bigint);\n\n-- Down Migration\nDROP TABLE users;\n',
      'migrations/1700000000001_seed.js': 'exports.up = (pgm) => {};\n',
      'migrations/1700000000002_bad.sql': 'CREATE TABLE bad (id int);\n-- Down Migration\nDROP TABLE bad;\n',
    });
    const found = discoverMigrations(join(root, 'migrations'));
    assert.equal(found.layout, 'node-pg-migrate');
    const [users, seed, bad] = found.migrations;
    // As node-pg-migrate cuts it: its marker pattern starts at the blank line before `-- Down Migration`.
    assert.equal(users.up.text, '-- Up Migration\nCREATE TABLE users (id bigint);\n');
    assert.equal(users.down?.text, '\n-- Down Migration\nDROP TABLE users;\n');
    assert.equal(seed.hole, 'cannot run here (JavaScript migration)');
    assert.match(bad.blockedReasons.join(), /no -- Up Migration marker: node-pg-migrate would run the whole file, the down included/);
  });

  it('Supabase: supabase/migrations in a project with supabase/config.toml, no downs by design; other names listed as skipped', () => {
    const root = tree({
      'supabase/config.toml': 'project_id = "x"\n',
      'supabase/migrations/20240101000000_init.sql': 'CREATE TABLE notes (id bigint);\n',
      'supabase/migrations/seed.sql': 'INSERT INTO notes VALUES (1);\n',
    });
    const found = discoverMigrations(join(root, 'supabase/migrations'));
    assert.equal(found.layout, 'supabase');
    assert.deepEqual(
      found.migrations.map((m) => [m.version, m.name, m.execution.downsByDesign]),
      [['20240101000000', 'init', false]],
    );
    assert.deepEqual(
      found.unused.map((u) => u.why),
      ['not named <timestamp>_<name>.sql: the Supabase CLI skips it'],
    );
  });
});

describe('migrations/layouts: Flyway repeatables', () => {
  it('an R__ file is named as not run yet, never skipped silently', () => {
    const found = discoverMigrations(join(tree({ 'sql/V1__init.sql': 'CREATE TABLE a (id int);\n', 'sql/R__views.sql': 'CREATE OR REPLACE VIEW v AS SELECT 1;\n' }), 'sql'));
    assert.equal(found.layout, 'flyway');
    assert.deepEqual(
      found.migrations.map((m) => m.version),
      ['1'],
    );
    assert.deepEqual(
      found.problems.map((p) => [p.code, p.message]),
      [['not-in-chain', 'R__views.sql is a Flyway repeatable migration (R__): Tidemark does not run repeatable migrations yet; run it with Flyway']],
    );
  });
});
