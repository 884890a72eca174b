/**
 * Other tools' folders opened as they are, from the command line: the layout found at a
 * repository root without tidemark.json, shown by status; folders nothing recognises, folders
 * that do not exist and files that cannot be read are said out loud (exit 2 or a named problem),
 * never an empty success.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { seedSandbox } from '../support/databases';
import { tempWorkspace } from '../support/lsp-client';
import { tidemark } from '../support/cli';

async function sandboxProject(files: Record<string, string>): Promise<string> {
  const root = tempWorkspace(files);
  await seedSandbox(join(root, '.tidemark', 'sandbox'));
  return root;
}

describe("tidemark with other tools' folders", function () {
  this.timeout(180_000);

  it('a Prisma repository without tidemark.json: found at prisma/migrations, status says prisma, lint lints both, apply applies', async () => {
    const root = await sandboxProject({
      'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n',
      'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      'prisma/migrations/20210313140442_init/migration.sql': '-- CreateTable\nCREATE TABLE "User" ("id" BIGINT NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\n',
      'prisma/migrations/20210314000000_posts/migration.sql': '-- CreateTable\nCREATE TABLE "Post" ("id" BIGINT NOT NULL);\n',
    });
    const status = await tidemark(root, ['status', '--format', 'json']);
    assert.equal(status.code, 0, status.stderr);
    const [sandbox] = JSON.parse(status.stdout);
    assert.equal(sandbox.layout, 'prisma');
    assert.deepEqual(
      sandbox.migrations.map((m: { version: string; state: string }) => `${m.version} ${m.state}`),
      ['20210313140442 pending', '20210314000000 pending'],
    );
    const text = await tidemark(root, ['status']);
    assert.match(text.stdout, /^layout: prisma \(migration_lock\.toml\)$/m);
    const lint = await tidemark(root, ['lint', '--format', 'json']);
    assert.notEqual(lint.code, 2, lint.stderr);
    const linted = await tidemark(root, ['lint']);
    assert.match(linted.stdout, /in 2 files\.?$/m);
    const apply = await tidemark(root, ['apply']);
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.match(apply.stdout, /Applied 2 migrations/);
  });

  it('a goose repository without tidemark.json: db/migrations found, the layout shown with what showed it', async () => {
    const root = await sandboxProject({ 'db/migrations/20240101000000_create_t.sql': '-- +goose Up\nCREATE TABLE t (id int);\n-- +goose Down\nDROP TABLE t;\n' });
    const status = await tidemark(root, ['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^layout: goose \(-- \+goose Up in 1 of 1 \.sql files\)$/m);
    assert.match(status.stdout, /20240101000000\s+create_t\s+pending/);
  });

  it('a folder of SQL that no reader recognises: lint, status, apply and check say what they saw and exit 2', async () => {
    const root = await sandboxProject({ 'migrations/schema.sql': 'CREATE TABLE a (id int);\n', 'migrations/seed.sql': 'INSERT INTO a VALUES (1);\n' });
    for (const command of [['lint'], ['status'], ['apply'], ['check']]) {
      const r = await tidemark(root, command);
      assert.equal(r.code, 2, `${command}: ${r.stdout}${r.stderr}`);
      assert.match(
        r.stderr,
        /no migration layout recognised in migrations: saw 2 \.sql files \(schema\.sql, seed\.sql\): none of them is named like a migration/,
        command.join(' '),
      );
      assert.doesNotMatch(r.stdout, /No problems|Nothing to apply/);
    }
    const shaped = await sandboxProject({ 'migrations/20240101_init/migration.sql': 'CREATE TABLE a (id int);\n' });
    const r = await tidemark(shaped, ['lint']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /1 folder with \.sql files \(20240101_init\/\): folders with migration\.sql look like Prisma or Drizzle migrations/);
  });

  it('a migrationsDir that does not exist is an error (exit 2) for status and apply, not "no migrations found"', async () => {
    const root = await sandboxProject({ 'tidemark.json': JSON.stringify({ migrationsDir: 'db/nope' }) });
    for (const command of [['status'], ['apply']]) {
      const r = await tidemark(root, command);
      assert.equal(r.code, 2, `${command}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /the migrations folder db\/nope does not exist/);
    }
  });

  it('lint FILE of a file in no migration folder lints it as one up section, saying so once', async () => {
    const root = tempWorkspace({ 'scratch/try.sql': 'ALTER TABLE users DROP COLUMN note;\n', 'scratch/also.sql': 'SELECT 1;\n' });
    const one = await tidemark(root, ['lint', 'scratch/try.sql']);
    assert.match(one.stdout, /scratch\/try\.sql:1:19: warning ban-drop-column/, one.stdout + one.stderr);
    assert.equal(one.stderr.match(/in no migration folder/g)?.length, 1);
    assert.match(one.stderr, /scratch\/try\.sql is in no migration folder: linted as one up section/);
    const both = await tidemark(root, ['lint', 'scratch/try.sql', 'scratch/also.sql']);
    assert.equal(both.stderr.match(/in no migration folder/g)?.length, 1, both.stderr);
  });

  it('a FIFO and a dangling link named like migrations: named, never read (lint and apply finish); an orphan down file and a down-only file are named', async () => {
    const root = await sandboxProject({
      'migrations/001_a.sql': '-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n',
      'migrations/003_c.down.sql': 'DROP TABLE c;\n',
      'migrations/004_d.sql': '-- migrate:down\nDROP TABLE d;\n',
    });
    execFileSync('mkfifo', [join(root, 'migrations', '002_b.sql')]);
    symlinkSync(join(root, 'nowhere.sql'), join(root, 'migrations', '005_e.sql'));
    const lint = await tidemark(root, ['lint', '--format', 'json']);
    const findings = JSON.parse(lint.stdout) as Array<{ file: string; rule: string; message: string }>;
    const about = (file: string) => findings.filter((f) => f.file === file).map((f) => `${f.rule}: ${f.message}`);
    assert.deepEqual(about('migrations/002_b.sql'), ['migration-layout: 002_b.sql is not a regular file (a FIFO, socket or device): skipped, never read']);
    assert.deepEqual(about('migrations/005_e.sql'), ['migration-layout: 005_e.sql is a symbolic link to a file that does not exist: skipped']);
    assert.deepEqual(about('migrations/003_c.down.sql'), ['migration-layout: 003_c.down.sql belongs to version 003, which has no up migration']);
    assert.ok(about('migrations/004_d.sql').includes('empty-migration: the up section is empty: the file has only a down section'), JSON.stringify(findings));
    assert.equal(lint.code, 1);
    const apply = await tidemark(root, ['apply']);
    assert.match(apply.stderr, /warning: migrations\/002_b\.sql: 002_b\.sql is not a regular file/);
    assert.match(apply.stderr, /warning: migrations\/003_c\.down\.sql: 003_c\.down\.sql belongs to version 003, which has no up migration/);
    assert.match(apply.stdout, /Stopped before 004 d is blocked: the up section is empty: the file has only a down section/);
    const status = await tidemark(root, ['status', '--format', 'json']);
    const states = JSON.parse(status.stdout)[0].migrations.map((m: { version: string; state: string }) => `${m.version} ${m.state}`);
    assert.deepEqual(states, ['001 applied', '004 blocked']);
  });

  it('a lone-CR file is read with its line ends: the broken statement fails apply instead of an empty up being recorded', async () => {
    const root = await sandboxProject({ 'migrations/001_t4.sql': '-- migrate:up\rCREATE TABLE t4 (id int);\rSELEC 1;\r' });
    const apply = await tidemark(root, ['apply']);
    assert.equal(apply.code, 1, apply.stdout + apply.stderr);
    assert.match(apply.stdout, /syntax error at or near "SELEC"/);
    const status = await tidemark(root, ['status', '--format', 'json']);
    assert.deepEqual(
      JSON.parse(status.stdout)[0].migrations.map((m: { state: string }) => m.state),
      ['pending'],
    );
  });
});
