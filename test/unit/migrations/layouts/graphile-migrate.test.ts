/**
 * graphile-migrate folders: committed migrations in their hash chain, `--! no-transaction`, and
 * the work in progress (current.sql, current/) listed and never applied. The fixture
 * (test/fixtures/layouts/graphile-migrate) was made by `graphile-migrate commit` itself; the
 * runner tier checks the same verification against graphile-migrate on a real server.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverMigrations } from '../../../../server/src/migrations/discovery';
import { graphileHash, parseCommitted } from '../../../../server/src/migrations/layouts/graphile-migrate';
import { writeFiles } from '../../../support/databases';
import { buildLintUnit } from '../../../../server/src/lint/unit';
import { lintUnit } from '../../../../server/src/lint/engine';
import { ensureParser } from '../../../support/lint';
import { repoRoot } from '../../../support/paths';
import { scratchDir } from '../../../support/test-cleanup';

const fixture = join(repoRoot, 'test', 'fixtures', 'layouts', 'graphile-migrate');

function copy(): string {
  const dir = scratchDir('gm-');
  cpSync(fixture, dir, { recursive: true });
  return dir;
}

const errors = (dir: string) => discoverMigrations(dir).problems.map((p) => `${p.code}: ${p.message}`);

describe('migrations/layouts/graphile-migrate: committed/ in its hash chain, current.sql never applied', () => {
  it('reads the committed migrations of the fixture in order, with their messages and no-transaction', () => {
    const found = discoverMigrations(fixture);
    assert.equal(found.layout, 'graphile-migrate');
    assert.equal(found.layoutEvidence, '.gmrc');
    assert.deepEqual(found.problems, []);
    assert.deepEqual(
      found.migrations.map((m) => [m.version, m.name, m.execution.transaction]),
      [
        ['000001', 'Create users', 'wrapped'],
        ['000002', '', 'none'],
        ['000003', 'Posts: one per user message', 'wrapped'],
      ],
    );
    const [first] = found.migrations;
    assert.equal(first.up.text, 'create table users (id serial primary key, name text);\n');
    assert.equal(first.up.file.text.slice(first.up.offset), first.up.text, 'the up is the body after the headers');
    assert.equal(first.toolId, 'sha1:71eec015a2a7718b4fb81b381e9cf20c1f5ccd34');
    for (const m of found.migrations) assert.equal(m.execution.downsByDesign, false);
  });

  it('lists current.sql as work in progress that graphile-migrate watch re-runs, never as a migration', () => {
    const found = discoverMigrations(fixture);
    assert.deepEqual(
      found.unused.map((u) => u.path.slice(fixture.length + 1)),
      ['migrations/current.sql'],
    );
    assert.match(found.unused[0].why, /work in progress .*runs it again on every save.*never applied by Tidemark/);
    // The folder read directly (without .gmrc) is the same project.
    assert.deepEqual(
      discoverMigrations(join(fixture, 'migrations')).migrations.map((m) => m.version),
      ['000001', '000002', '000003'],
    );
  });

  it('lists the files of current/ when the work in progress is a folder', () => {
    const dir = copy();
    rmSync(join(dir, 'migrations', 'current.sql'));
    writeFiles(dir, { 'migrations/current/1-tables.sql': 'create table a (id int);\n', 'migrations/current/2-functions.sql': 'select 1;\n' });
    assert.deepEqual(
      discoverMigrations(dir).unused.map((u) => u.path.slice(dir.length + 1)),
      ['migrations/current/1-tables.sql', 'migrations/current/2-functions.sql'],
    );
  });

  it('hashes as graphile-migrate does: SHA-1 over the previous hash and the trimmed body', () => {
    const text = readFileSync(join(fixture, 'migrations', 'committed', '000003-posts-one-per-user-message.sql'), 'utf8');
    const parsed = parseCommitted(text);
    assert.ok(!('error' in parsed));
    assert.equal(graphileHash(parsed.body, parsed.headers.get('Previous')!), parsed.headers.get('Hash'));
    // Whitespace around the body is not part of the hash; inside it is.
    assert.equal(graphileHash(`\n\n${parsed.body}\n\n`, parsed.headers.get('Previous')!), parsed.headers.get('Hash'));
    assert.notEqual(graphileHash(parsed.body.replace('body text', 'body  text'), parsed.headers.get('Previous')!), parsed.headers.get('Hash'));
  });

  it('reports an edited committed migration: its hash no longer matches', () => {
    const dir = copy();
    const path = join(dir, 'migrations', 'committed', '000001-create-users.sql');
    writeFileSync(path, readFileSync(path, 'utf8').replace('name text', 'name text not null'));
    const found = discoverMigrations(dir);
    assert.deepEqual(
      found.problems.map((p) => [p.code, p.path, p.severity]),
      [['layout-error', path, undefined]],
    );
    assert.match(found.problems[0].message, /committed\/000001-create-users\.sql does not match its hash: it hashes to sha1:[0-9a-f]{40}, its header says sha1:71eec015/);
  });

  it('reports a broken link: a migration renumbered, removed, or pointing at the wrong previous hash', () => {
    const removed = copy();
    rmSync(join(removed, 'migrations', 'committed', '000002.sql'));
    assert.deepEqual(errors(removed), [
      'layout-error: committed/000003-posts-one-per-user-message.sql says it follows sha1:a01c86caf1139bb7681a371028baa565f64a4757, but committed/000001-create-users.sql before it has hash sha1:71eec015a2a7718b4fb81b381e9cf20c1f5ccd34: the chain is broken (a migration was edited, removed or renumbered)',
    ]);
    const swapped = copy();
    const committed = join(swapped, 'migrations', 'committed');
    renameSync(join(committed, '000001-create-users.sql'), join(committed, '000004-create-users.sql'));
    assert.match(errors(swapped).join('\n'), /committed\/000002\.sql is the first committed migration but says it follows sha1:71eec015/);
  });

  it("refuses what graphile-migrate refuses in a file's headers", () => {
    assert.deepEqual(parseCommitted('--! Previous: -\n--! Hash: sha1:x\nselect 1;\n'), { error: 'there should be a blank line after the headers', line: 3 });
    assert.deepEqual(parseCommitted('--! Previous: -\r\n--! Hash: sha1:x\r\n\r\nselect 1;\r\n'), {
      error: 'its line endings have been changed to CRLF (git autocrlf?); graphile-migrate needs LF in committed migrations',
      line: 1,
    });
    assert.deepEqual(parseCommitted('--! Previous: -\n--! Previous: -\n\nselect 1;\n'), { error: "header 'Previous' is specified more than once", line: 2 });
    const dir = copy();
    writeFiles(dir, { 'migrations/committed/000004.sql': '--! Hash: sha1:abc\n\nselect 1;\n', 'migrations/committed/notes.sql': 'select 1;\n' });
    const found = discoverMigrations(dir);
    assert.match(found.problems.map((p) => p.message).join('\n'), /000004\.sql: no '--! Previous:' header/);
    assert.ok(found.unused.some((u) => u.path.endsWith('notes.sql') && /not named NNNNNN/.test(u.why)));
  });

  it('accepts --! AllowInvalidHash on an edited migration, and refuses it on one whose hash matches', () => {
    const dir = copy();
    const path = join(dir, 'migrations', 'committed', '000003-posts-one-per-user-message.sql');
    writeFileSync(path, readFileSync(path, 'utf8').replace('--! Message:', '--! AllowInvalidHash\n--! Message:').replace('body text', 'body  text'));
    assert.deepEqual(errors(dir), []);
    writeFileSync(path, readFileSync(path, 'utf8').replace('body  text', 'body text'));
    assert.match(errors(dir).join('\n'), /has '--! AllowInvalidHash' but its hash matches/);
  });

  it('says where graphile-migrate placeholders would be replaced before running', () => {
    const dir = scratchDir('gm-placeholders-');
    const body = 'grant select on users to :DATABASE_VISITOR;\n';
    writeFiles(dir, {
      '.gmrc': '{ placeholders: { ":DATABASE_VISITOR": "!ENV" } }\n',
      'migrations/committed/000001.sql': `--! Previous: -\n--! Hash: ${graphileHash(body, null)}\n\n${body}`,
    });
    const found = discoverMigrations(dir);
    assert.deepEqual(
      found.problems.map((p) => [p.code, p.severity, p.message]),
      [['layout-note', 'info', 'committed/000001.sql uses :DATABASE_VISITOR: graphile-migrate replaces these placeholders before running it; Tidemark runs the SQL as written']],
    );
  });
});

describe('migrations/layouts/graphile-migrate: files linted as graphile-migrate runs them', () => {
  before(() => ensureParser());

  it('lints current.sql as work in progress that runs again on every save: DDL that fails the second time is flagged', () => {
    const dir = copy();
    const path = join(dir, 'migrations', 'current.sql');
    const text = 'create table comments (id serial primary key);\n';
    writeFileSync(path, text);
    const unit = buildLintUnit(path, text);
    assert.equal(unit.execution.layout, 'graphile-migrate');
    assert.equal(unit.execution.canRunTwice, true);
    assert.ok(lintUnit(unit).some((f) => f.rule === 'non-idempotent-ddl'));
  });

  it('lints a committed migration as its body: the headers are not SQL, --! no-transaction is its transaction mode', () => {
    const path = join(fixture, 'migrations', 'committed', '000002.sql');
    const unit = buildLintUnit(path, readFileSync(path, 'utf8'));
    assert.equal(unit.version, '000002');
    assert.equal(unit.execution.transaction, 'none');
    assert.deepEqual(
      unit.up?.statements.map((s) => s.text),
      ['create index concurrently users_name on users (name);'],
    );
  });
});
