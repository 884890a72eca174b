/**
 * Migration folders of other tools, applied and rolled back through Tidemark on real databases
 * (PostgreSQL servers and PGlite sandboxes): each section runs where its tool runs it.
 */
import assert from 'node:assert/strict';
import { applyMigrations } from '../../server/src/runner/apply';
import { rollbackMigrations } from '../../server/src/runner/rollback';
import { getStatus } from '../../server/src/runner/status';
import { backends, type Fixture } from './backends';

async function tables(f: Fixture): Promise<string[]> {
  const rows = await f.sql('local', `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
  return rows.map((r) => String(r.table_name));
}

async function states(f: Fixture): Promise<Record<string, string>> {
  const [status] = await getStatus(f.project(), 'local', f.options);
  assert.equal(status.error, undefined, status.error);
  return Object.fromEntries(status.migrations.map((m) => [m.version, m.state]));
}

for (const backend of backends()) {
  describe(`goose folders on ${backend.label}`, function () {
    this.timeout(120_000);
    before(() => backend.start());
    after(() => backend.stop());

    it("the issue's minimal case: after apply t exists and status says applied; rollback runs the Down", async () => {
      const f = await backend.fixture({ 'migrations/20240101000000_create_t.sql': '-- +goose Up\nCREATE TABLE t (id int);\n-- +goose Down\nDROP TABLE t;' });
      const report = await applyMigrations(f.project(), 'local', f.options);
      assert.equal(report.failure, undefined, JSON.stringify(report));
      assert.deepEqual(await tables(f), ['t']);
      assert.deepEqual(await states(f), { '20240101000000': 'applied' });
      const back = await rollbackMigrations(f.project(), 'local', f.options);
      assert.equal(back.failure, undefined, JSON.stringify(back));
      assert.deepEqual(await tables(f), []);
      assert.deepEqual(await states(f), { '20240101000000': 'pending' });
    });

    it('NO TRANSACTION: an enum value added and used in one file applies (inside one transaction PostgreSQL refuses it)', async () => {
      const files = (annotation: string) => ({
        'migrations/001_mood.sql': "-- +goose Up\nCREATE TYPE mood AS ENUM ('sad');\n-- +goose Down\nDROP TYPE mood;\n",
        'migrations/002_happy.sql': `${annotation}-- +goose Up\nALTER TYPE mood ADD VALUE 'happy';\nCREATE TABLE feelings (m mood DEFAULT 'happy');\nINSERT INTO feelings DEFAULT VALUES;\n-- +goose Down\nDROP TABLE feelings;\n`,
      });
      const f = await backend.fixture(files('-- +goose NO TRANSACTION\n'));
      const report = await applyMigrations(f.project(), 'local', f.options);
      assert.equal(report.failure, undefined, JSON.stringify(report.failure));
      assert.deepEqual(await f.sql('local', 'SELECT m::text FROM feelings'), [{ m: 'happy' }]);
      // The reason names the marker the user wrote, not Tidemark's own directive.
      assert.match(report.steps[1].message ?? '', /ran without a transaction: the -- \+goose NO TRANSACTION annotation/);
      // The same file without the annotation fails as goose's would, in one transaction, leaving nothing of it.
      const g = await backend.fixture(files(''));
      const failed = await applyMigrations(g.project(), 'local', g.options);
      assert.match(failed.failure?.message ?? '', /unsafe use of new value "happy"/);
      assert.deepEqual(await tables(g), []);
    });

    it('StatementBegin/End: a function body without a semicolon after it runs as its own statement', async () => {
      const f = await backend.fixture({
        'migrations/001_touch.sql':
          '-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION one() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$\n-- +goose StatementEnd\nCREATE TABLE t (id int DEFAULT one());\n-- +goose Down\nDROP TABLE t;\nDROP FUNCTION one();\n',
      });
      const report = await applyMigrations(f.project(), 'local', f.options);
      assert.equal(report.failure, undefined, JSON.stringify(report.failure));
      assert.deepEqual(await tables(f), ['t']);
    });

    it('a Go migration: apply stops before it saying it cannot run here, and runs nothing after it', async () => {
      const f = await backend.fixture({
        'migrations/001_a.sql': '-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n',
        'migrations/002_b.go': 'package migrations\n',
        'migrations/003_c.sql': '-- +goose Up\nCREATE TABLE c (id int);\n-- +goose Down\nDROP TABLE c;\n',
      });
      const report = await applyMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        report.steps.map((s) => `${s.version} ${s.outcome}`),
        ['001 ok', '002 skipped'],
      );
      assert.match(report.summary, /Stopped before 002 b is blocked: cannot run here \(Go migration\)/);
      assert.deepEqual(await tables(f), ['a']);
      assert.deepEqual(await states(f), { '001': 'applied', '002': 'blocked', '003': 'pending' });
    });

    it('a goose marker in a dbmate folder: apply refuses the file naming the line, and never runs it as one section', async () => {
      const f = await backend.fixture({
        'migrations/001_a.sql': '-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n',
        'migrations/002_b.sql': '-- migrate:up\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\n',
        'migrations/003_c.sql': '-- +goose Up\nCREATE TABLE c (id int);\n-- +goose Down\nDROP TABLE c;\n',
      });
      const report = await applyMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        report.steps.map((s) => `${s.version} ${s.outcome}`),
        ['001 ok', '002 ok', '003 skipped'],
      );
      assert.match(report.steps[2].message ?? '', /line 1 is `-- \+goose Up`, a goose marker, but this folder is read as dbmate/);
      assert.deepEqual(await tables(f), ['a', 'b']);
    });
  });

  describe(`diesel folders on ${backend.label}`, function () {
    this.timeout(120_000);
    before(() => backend.start());
    after(() => backend.stop());

    it('run_in_transaction = false: the enum value added and used applies, and the step names metadata.toml', async () => {
      const f = await backend.fixture({
        'diesel.toml': '[migrations_directory]\ndir = "migrations"\n',
        'migrations/2024-01-01-000000_mood/up.sql': "CREATE TYPE mood AS ENUM ('sad');\n",
        'migrations/2024-01-01-000000_mood/down.sql': 'DROP TYPE mood;\n',
        'migrations/2024-01-02-000000_happy/up.sql': "ALTER TYPE mood ADD VALUE 'happy';\nCREATE TABLE feelings (m mood DEFAULT 'happy');\n",
        'migrations/2024-01-02-000000_happy/down.sql': 'DROP TABLE feelings;\n',
        'migrations/2024-01-02-000000_happy/metadata.toml': 'run_in_transaction = false\n',
      });
      const report = await applyMigrations(f.project(), 'local', f.options);
      assert.equal(report.failure, undefined, JSON.stringify(report.failure));
      assert.deepEqual(await tables(f), ['feelings']);
      assert.match(report.steps[1].message ?? '', /ran without a transaction: run_in_transaction = false in metadata\.toml/);
      assert.doesNotMatch(report.steps[1].message ?? '', /tidemark:no-transaction/);
    });
  });

  describe(`Flyway repeatable migrations on ${backend.label}`, function () {
    this.timeout(120_000);
    before(() => backend.start());
    after(() => backend.stop());

    const VIEW = (columns: string) => `CREATE OR REPLACE VIEW active_users AS SELECT ${columns} FROM users;\n`;

    it('run after the versioned ones in description order, again only when changed, never out of order, never rolled back', async () => {
      const f = await backend.fixture({
        'migrations/V1__users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
        'migrations/U1__users.sql': 'DROP TABLE users;\n',
        'migrations/R__views.sql': VIEW('id'),
        'migrations/R__a_counts.sql': 'CREATE OR REPLACE FUNCTION user_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM users $$;\n',
      });
      const first = await applyMigrations(f.project(), 'local', f.options);
      assert.equal(first.failure, undefined, JSON.stringify(first));
      assert.deepEqual(
        first.steps.map((s) => `${s.version} ${s.outcome}`),
        ['1 ok', 'R__a_counts ok', 'R__views ok'],
      );
      assert.deepEqual(await states(f), { '1': 'applied', R__a_counts: 'applied', R__views: 'applied' });
      const again = await applyMigrations(f.project(), 'local', f.options);
      assert.deepEqual(again.steps, []);
      assert.match(again.summary, /up to date/);

      // The view changes and a versioned migration is added: the versioned one first (not out of order), then the changed view alone.
      f.write({
        'migrations/R__views.sql': VIEW('id, email'),
        'migrations/V2__email.sql': 'ALTER TABLE users ADD COLUMN email text;\n',
        'migrations/U2__email.sql': 'ALTER TABLE users DROP COLUMN email;\n',
      });
      const [status] = await getStatus(f.project(), 'local', f.options);
      const byVersion = Object.fromEntries(status.migrations.map((m) => [m.version, m]));
      assert.equal(byVersion['2'].state, 'pending');
      assert.equal(byVersion.R__views.state, 'pending');
      assert.equal(byVersion.R__views.repeatable, true);
      assert.match(byVersion.R__views.note ?? '', /^changed since it was applied on .*: apply runs it again$/);
      assert.equal(byVersion.R__a_counts.state, 'applied');
      const second = await applyMigrations(f.project(), 'local', f.options);
      assert.equal(second.failure, undefined, JSON.stringify(second));
      assert.deepEqual(
        second.steps.map((s) => `${s.version} ${s.outcome}`),
        ['2 ok', 'R__views ok'],
      );
      assert.doesNotMatch(second.steps[0].message ?? '', /out of order/);
      assert.match(second.steps[1].message ?? '', /repeatable: applied again/);
      const columns = await f.sql('local', `SELECT column_name FROM information_schema.columns WHERE table_name = 'active_users' ORDER BY ordinal_position`);
      assert.deepEqual(
        columns.map((c) => c.column_name),
        ['id', 'email'],
      );

      // Rollback undoes the newest versioned migration, passing over the repeatables; the view that needs the column stops it.
      const back = await rollbackMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        back.steps.map((s) => `${s.version} ${s.outcome}`),
        ['2 failed'],
      );
      assert.match(back.failure?.message ?? back.steps[0].message ?? '', /active_users depends on column email/);
    });
  });
}
