import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { discoverMigrations } from '../../../server/src/migrations/discovery';
import { checksum } from '../../../server/src/migrations/checksum';
import { scratchDir } from '../../support/test-cleanup';
import { ensureParser, lintFiles } from '../../support/lint';

function folder(files: Record<string, string>): string {
  const dir = scratchDir('discovery-');
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

describe('migrations/discovery: the four layouts, mixed in one folder', () => {
  const dir = folder({
    '001_tenants.sql': 'CREATE TABLE tenants (id bigint);\n-- migrate:down\nDROP TABLE tenants;\n-- migrate:verify\n-- expect: 0\nSELECT count(*) FROM tenants;\n',
    '002_users.up.sql': 'CREATE TABLE users (id bigint);',
    '002_users.down.sql': 'DROP TABLE users;',
    '002_users.verify.sql': 'SELECT true;',
    '003_audit.sql': '-- tidemark:no-transaction\nCREATE INDEX CONCURRENTLY i ON users (id);',
    'rollback/003_rollback.sql': 'DROP INDEX CONCURRENTLY i;',
    'verify/003_audit.sql': 'SELECT 1;',
    'V4__roles.sql': "CREATE TYPE role AS ENUM ('a');",
    'U4__roles.sql': 'DROP TYPE role;',
    '10_later.sql': 'SELECT 10;',
    'notes.md': 'not a migration',
  });
  const result = discoverMigrations(dir);

  it('finds every migration in version order with its layout', () => {
    assert.deepEqual(
      result.migrations.map((m) => [m.version, m.name, m.layout]),
      [
        ['001', 'tenants', 'sections'],
        ['002', 'users', 'paired'],
        ['003', 'audit', 'folders'],
        ['4', 'roles', 'flyway'],
        ['10', 'later', 'sections'],
      ],
    );
    assert.deepEqual(result.problems, []);
  });

  it('pairs up, down and verify sections from sections, sibling files and folders', () => {
    const [tenants, users, audit, roles, later] = result.migrations;
    assert.equal(tenants.up.text.trim(), 'CREATE TABLE tenants (id bigint);');
    assert.equal(tenants.down?.text.trim(), 'DROP TABLE tenants;');
    assert.match(tenants.verify!.text, /-- expect: 0/);
    assert.equal(tenants.down!.file.text.slice(tenants.down!.offset, tenants.down!.offset + 10), 'DROP TABLE');
    assert.equal(users.down?.text, 'DROP TABLE users;');
    assert.equal(users.verify?.text, 'SELECT true;');
    assert.equal(audit.down?.text, 'DROP INDEX CONCURRENTLY i;');
    assert.equal(audit.verify?.text, 'SELECT 1;');
    assert.equal(audit.noTransactionDirective, true);
    assert.equal(users.noTransactionDirective, false);
    assert.equal(roles.down?.text, 'DROP TYPE role;');
    assert.equal(later.down, undefined);
  });

  it('checksums the up section with line endings and trailing spaces normalised', () => {
    const [tenants] = result.migrations;
    assert.equal(tenants.checksum, checksum('CREATE TABLE tenants (id bigint);  \r\n'));
    assert.notEqual(tenants.checksum, checksum('CREATE TABLE tenants (id int);'));
  });

  it('reports two migrations with the same version, naming both files', () => {
    const dup = discoverMigrations(folder({ '006_a.sql': 'SELECT 1;', '006_b.sql': 'SELECT 2;', 'rollback/007_x.sql': 'SELECT 3;' }));
    // Both are listed (status shows each with the error); apply refuses while the problem stands.
    assert.deepEqual(
      dup.migrations.map((m) => [m.name, m.duplicateVersion]),
      [
        ['a', 'version 006 is used by 2 migrations: 006_a.sql, 006_b.sql; every migration needs its own version'],
        ['b', 'version 006 is used by 2 migrations: 006_a.sql, 006_b.sql; every migration needs its own version'],
      ],
    );
    const codes = dup.problems.map((p) => p.code).sort();
    assert.deepEqual(codes, ['duplicate-version', 'orphan-file']);
    const message = dup.problems.find((p) => p.code === 'duplicate-version')!.message;
    assert.match(message, /006_a\.sql/);
    assert.match(message, /006_b\.sql/);
  });
});

describe('migrations/discovery: two migrations of one version in the sibling-folder layout', () => {
  const files = {
    '0006_billing.sql': 'CREATE TABLE billing (id int);\n',
    '0006_sessions.sql': 'CREATE TABLE sessions (id int);\n',
    'rollback/0006_billing.sql': 'DROP TABLE IF EXISTS billing;\n',
    'rollback/0006_sessions.sql': 'DROP TABLE IF EXISTS sessions;\n',
  };

  it('pairs each rollback file with the migration of its name, and only the migrations are duplicates', () => {
    const found = discoverMigrations(folder(files));
    assert.deepEqual(
      found.migrations.map((m) => [m.name, m.layout, m.down?.text, !!m.duplicateVersion]),
      [
        ['billing', 'folders', 'DROP TABLE IF EXISTS billing;\n', true],
        ['sessions', 'folders', 'DROP TABLE IF EXISTS sessions;\n', true],
      ],
    );
    assert.deepEqual(
      found.problems.map((p) => p.message),
      ['version 0006 is used twice: 0006_sessions.sql and 0006_billing.sql are both a migration for it'],
    );
  });

  it('a rollback file named for the version alone pairs by version; a leftover one never becomes a migration', () => {
    const generic = discoverMigrations(folder({ '0007_audit.sql': 'SELECT 1;\n', 'rollback/0007_rollback.sql': 'SELECT 2;\n', 'rollback/0007_other.sql': 'SELECT 3;\n' }));
    assert.deepEqual(
      generic.migrations.map((m) => [m.name, m.down?.text]),
      [['audit', 'SELECT 2;\n']],
    );
    assert.deepEqual(
      generic.problems.map((p) => p.message),
      ['version 0007 is used twice: rollback/0007_other.sql and rollback/0007_rollback.sql are both a down file for it'],
    );
    const stray = discoverMigrations(folder({ ...files, 'rollback/0006_invoices.sql': 'DROP TABLE invoices;\n' }));
    assert.equal(stray.migrations.length, 2);
    assert.ok(
      stray.problems.some(
        (p) =>
          p.code === 'orphan-file' &&
          p.message === 'rollback/0006_invoices.sql belongs to version 0006, but no migration of that version is named invoices (0006_billing.sql, 0006_sessions.sql)',
      ),
      JSON.stringify(stray.problems),
    );
  });

  it('lint: the rollback files are rollbacks of their own migration, not duplicates or ups', () => {
    // What pairing by version got wrong: rollback files flagged as duplicates or as ups, a migration paired with the other's rollback.
    const pairing = new Set(['duplicate-version', 'ban-drop-table', 'rollback-incomplete']);
    const rules = (target: string) =>
      lintFiles(files, { linted: target })
        .findings.filter((f) => pairing.has(f.rule))
        .map((f) => `${f.rule}: ${f.message}`);
    assert.deepEqual(rules('rollback/0006_billing.sql'), []);
    assert.deepEqual(rules('rollback/0006_sessions.sql'), []);
    assert.deepEqual(rules('0006_billing.sql'), ['duplicate-version: version 0006 is also used by 0006_sessions.sql; every migration needs its own version']);
    assert.deepEqual(rules('0006_sessions.sql'), ['duplicate-version: version 0006 is also used by 0006_billing.sql; every migration needs its own version']);
  });
});

describe('migrations/discovery: pre-checks in each layout', () => {
  const dir = folder({
    '001_agents.sql':
      '-- migrate:check\n-- expect: 0\nSELECT count(*) FROM agents WHERE tenant_id IS NULL;\n-- migrate:up\nALTER TABLE agents ALTER COLUMN tenant_id SET NOT NULL;\n-- migrate:down\nALTER TABLE agents ALTER COLUMN tenant_id DROP NOT NULL;\n',
    '002_users.up.sql': 'CREATE TABLE IF NOT EXISTS users (id bigint);',
    '002_users.check.sql': "SELECT to_regclass('agents') IS NOT NULL;",
    '003_audit.sql': 'CREATE TABLE IF NOT EXISTS audit (id bigint);',
    'check/003_audit.sql': 'SELECT true;',
  });

  it('finds -- migrate:check, NAME.check.sql and check/NAME.sql, none of them part of the up or its checksum', () => {
    const { migrations, problems } = discoverMigrations(dir);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      migrations.map((m) => [m.version, m.precheck?.text.trim(), m.up.text.trim().split('\n')[0]]),
      [
        ['001', '-- expect: 0\nSELECT count(*) FROM agents WHERE tenant_id IS NULL;', 'ALTER TABLE agents ALTER COLUMN tenant_id SET NOT NULL;'],
        ['002', "SELECT to_regclass('agents') IS NOT NULL;", 'CREATE TABLE IF NOT EXISTS users (id bigint);'],
        ['003', 'SELECT true;', 'CREATE TABLE IF NOT EXISTS audit (id bigint);'],
      ],
    );
    assert.equal(migrations[0].checksum, checksum(migrations[0].up.text));
    assert.equal(migrations[2].layout, 'folders');
  });

  it('lints a pre-check section like a verify section: its syntax errors, never the DDL rules', async () => {
    await ensureParser();
    const agents =
      '-- migrate:check\n-- expect: 0\nDELETE FROM agents WHERE tenant_id IS NULL RETURNING 0;\n-- migrate:up\nALTER TABLE agents ADD COLUMN IF NOT EXISTS note text;\n-- migrate:down\nALTER TABLE agents DROP COLUMN IF EXISTS note;\n';
    const { findings } = lintFiles({ '001_agents.sql': agents });
    const checkEnd = agents.indexOf('-- migrate:up');
    assert.deepEqual(
      findings.filter((f) => f.start < checkEnd).map((f) => f.rule),
      [],
      'no rule judges the pre-check section as DDL',
    );
    const broken = lintFiles(
      { 'check/001_a.sql': 'SELECT count(*) FROM a WHERE;\n', '001_a.sql': 'CREATE TABLE IF NOT EXISTS a (id bigint);\n-- migrate:down\nDROP TABLE IF EXISTS a;\n' },
      { allowSyntaxErrors: true },
    );
    assert.deepEqual(
      broken.findings.map((f) => f.rule),
      ['syntax-error'],
    );
  });
});
