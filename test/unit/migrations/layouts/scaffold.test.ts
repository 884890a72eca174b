import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { scaffoldMigration } from '../../../../server/src/runner/scaffold';
import { loadProject } from '../../../../server/src/database/environments';
import { discoverMigrations } from '../../../../server/src/migrations/discovery';
import { scratchDir } from '../../../support/test-cleanup';

function project(files: Record<string, string>) {
  const root = scratchDir('scaffold-');
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return { root, project: loadProject(root) };
}

describe("tidemark new in other tools' layouts", () => {
  const now = new Date('2026-12-07T00:45:12.000Z');

  it("goose: the next version with goose's own markers, read back as goose", () => {
    const { root, project: p } = project({ 'db/migrations/20240101000000_a.sql': '-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n' });
    const { files } = scaffoldMigration(p, 'add email', now);
    assert.deepEqual(
      files.map((f) => relative(root, f)),
      ['db/migrations/20261207004512_add_email.sql'],
    );
    assert.equal(readFileSync(files[0], 'utf8'), '-- +goose Up\n\n\n-- +goose Down\n\n');
    const found = discoverMigrations(join(root, 'db/migrations'));
    assert.equal(found.layout, 'goose');
    assert.deepEqual(
      found.problems.filter((x) => x.code === 'foreign-marker'),
      [],
    );
  });

  it('diesel: a <yyyy-mm-dd-hhmmss>_name folder with up.sql and down.sql', () => {
    const { root, project: p } = project({ 'diesel.toml': '', 'migrations/2019-02-26-002946_a/up.sql': 'SELECT 1;\n', 'migrations/2019-02-26-002946_a/down.sql': 'SELECT 2;\n' });
    const { files } = scaffoldMigration(p, 'add email', now);
    assert.deepEqual(
      files.map((f) => relative(root, f)),
      ['migrations/2026-12-07-004512_add_email/up.sql', 'migrations/2026-12-07-004512_add_email/down.sql'],
    );
    assert.deepEqual(
      discoverMigrations(join(root, 'migrations')).migrations.map((m) => m.version),
      ['20190226002946', '20261207004512'],
    );
  });

  it('Prisma and Drizzle generate their own: new names the command', () => {
    const prisma = project({ 'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n', 'prisma/migrations/20210101000000_init/migration.sql': 'SELECT 1;\n' });
    assert.throws(() => scaffoldMigration(prisma.project, 'add email', now), /prisma migrate dev --name add_email/);
  });
});
