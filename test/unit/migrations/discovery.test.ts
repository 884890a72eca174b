import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { discoverMigrations } from '../../../server/src/migrations/discovery';
import { checksum } from '../../../server/src/migrations/checksum';
import { scratchDir } from '../../support/test-cleanup';

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
    'V4__roles.sql': 'CREATE TYPE role AS ENUM (\'a\');',
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

  it('pairs up, down and verify parts from sections, sibling files and folders', () => {
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
    assert.equal(dup.migrations.length, 1);
    const codes = dup.problems.map((p) => p.code).sort();
    assert.deepEqual(codes, ['duplicate-version', 'orphan-file']);
    const message = dup.problems.find((p) => p.code === 'duplicate-version')!.message;
    assert.match(message, /006_a\.sql/);
    assert.match(message, /006_b\.sql/);
  });
});
