/**
 * The runner against real databases: the same suite on PostgreSQL servers and on PGlite.
 * Every test builds a project folder of migration files and checks what a user would see —
 * status, reports, the failing file position — and what is really in the database afterwards.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyMigrations } from '../../server/src/runner/apply';
import { RunnerInputError } from '../../server/src/database/environments';
import { planMigrations } from '../../server/src/runner/plan';
import { rollbackMigrations } from '../../server/src/runner/rollback';
import { appliedAndCurrent, getStatus, recentEvents } from '../../server/src/runner/status';
import { verifyMigrations } from '../../server/src/runner/verify';
import { backends, type Fixture } from './backends';

/** Runs without a transaction (CREATE INDEX CONCURRENTLY) and fails at statement 3 (a misspelt column). */
const BROKEN_NO_TRANSACTION = `CREATE TABLE accounts (id int PRIMARY KEY, email text);
CREATE INDEX CONCURRENTLY accounts_email ON accounts (email);
INSERT INTO accounts (id, emial) VALUES (1, 'ada@example.com');
CREATE TABLE audit (id int);
`;

const USERS = `-- migrate:up
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);
INSERT INTO users VALUES (1, 'ada@example.com'), (2, 'bob@example.com');
-- migrate:down
DROP TABLE users;
-- migrate:verify
-- expect: 2
SELECT count(*) FROM users;
SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_name = 'users');
`;

const ADD_NAME = `-- migrate:up
ALTER TABLE users ADD COLUMN name text;
-- migrate:down
ALTER TABLE users DROP COLUMN name;
`;

async function states(f: Fixture, env: 'local' | 'staging' = 'local') {
  const [status] = await getStatus(f.project(), env, f.options);
  assert.equal(status.error, undefined, status.error);
  return Object.fromEntries(status.migrations.map((m) => [m.version, m.state]));
}

async function tables(f: Fixture, env: 'local' | 'staging' = 'local'): Promise<string[]> {
  const rows = await f.sql(env, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
  return rows.map((r) => String(r.table_name));
}

for (const backend of backends()) {
  describe(`runner on ${backend.label}`, function () {
    this.timeout(120_000);
    before(() => backend.start());
    after(() => backend.stop());

    it('applies pending migrations in order with their history rows, verifies them, and status shows verified/applied', async () => {
      const f = await backend.fixture({ 'migrations/001_users.sql': USERS, 'migrations/002_add_name.sql': ADD_NAME });
      assert.deepEqual(await states(f), { '001': 'pending', '002': 'pending' });
      const report = await applyMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        report.steps.map((s) => `${s.action} ${s.version} ${s.outcome}`),
        ['apply 001 ok', 'verify 001 ok', 'apply 002 ok'],
      );
      assert.match(report.summary, /Applied 2 migrations to local; 0 pending/);
      assert.deepEqual(await states(f), { '001': 'verified', '002': 'applied' });
      const columns = await f.sql('local', `SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position`);
      assert.deepEqual(
        columns.map((c) => c.column_name),
        ['id', 'email', 'name'],
      );
      const history = await f.sql('local', 'SELECT version, state, up_sql, down_sql FROM tidemark.migrations ORDER BY version');
      assert.deepEqual(
        history.map((r) => [r.version, r.state]),
        [
          ['001', 'applied'],
          ['002', 'applied'],
        ],
      );
      assert.match(String(history[0].down_sql), /DROP TABLE users/);
      const events = await recentEvents(f.project(), 'local', 10, f.options);
      assert.deepEqual(events.map((e) => `${e.kind} ${e.version}`).reverse(), ['apply 001', 'verify 001', 'apply 002']);
      // Nothing left: a second apply is a no-op.
      const again = await applyMigrations(f.project(), 'local', f.options);
      assert.equal(again.steps.length, 0);
      assert.match(again.summary, /up to date/);
    });

    it('applies up to a version with --to', async () => {
      const f = await backend.fixture({ 'migrations/001_users.sql': USERS, 'migrations/002_add_name.sql': ADD_NAME });
      await applyMigrations(f.project(), 'local', { ...f.options, toVersion: '001' });
      assert.deepEqual(await states(f), { '001': 'verified', '002': 'pending' });
    });

    it('rolls back everything of a transactional migration that fails halfway, records a fail event and points at the file position', async () => {
      const bad = `-- migrate:up
CREATE TABLE orders (id int PRIMARY KEY);
INSERT INTO orders VALUES (1);
UPDATE orders SET total = 0;
CREATE TABLE never (id int);
`;
      const f = await backend.fixture({ 'migrations/001_users.sql': USERS, 'migrations/002_orders.sql': bad });
      const report = await applyMigrations(f.project(), 'local', f.options);
      const failed = report.steps.find((s) => s.outcome === 'failed')!;
      assert.equal(failed.version, '002');
      assert.ok(report.failure, 'a failure with a position');
      assert.equal(report.failure.file, join(f.root, 'migrations', '002_orders.sql'));
      // Line 4 (0-based 3), the column "total" at character 18.
      assert.equal(report.failure.line, 3);
      assert.equal(report.failure.character, 18);
      assert.match(report.failure.message, /column "total" of relation "orders" does not exist/);
      assert.match(report.summary, /002_orders\.sql:4:19/);
      assert.deepEqual(await tables(f), ['users']);
      assert.deepEqual(await states(f), { '001': 'verified', '002': 'pending' });
      const fails = await f.sql('local', `SELECT version, message FROM tidemark.events WHERE kind = 'fail'`);
      assert.equal(fails.length, 1);
      assert.equal(fails[0].version, '002');
      assert.match(String(fails[0].message), /002_orders\.sql:4:19: column "total"/);
    });

    it('maps the error position after non-ASCII text (é, emoji) to the right column of the file', async () => {
      const text = "-- migrate:up\nCREATE TABLE notes (body text);\nINSERT INTO notes (body) SELECT 'café 😀 ' || nope;\n";
      const f = await backend.fixture({ 'migrations/001_notes.sql': text });
      const report = await applyMigrations(f.project(), 'local', f.options);
      assert.match(report.failure!.message, /column "nope" does not exist/);
      assert.equal(report.failure!.line, 2);
      const line = text.split('\n')[2];
      assert.equal(report.failure!.character, line.indexOf('nope'), 'UTF-16 column of "nope" in the line');
    });

    it('applies a migration saved with a byte order mark, and refuses to run anything while a migration is not UTF-8, naming where', async () => {
      const f = await backend.fixture({ 'migrations/001_users.sql': USERS });
      writeFileSync(join(f.root, 'migrations', '001_users.sql'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(USERS)]));
      writeFileSync(
        join(f.root, 'migrations', '002_notes.sql'),
        Buffer.concat([Buffer.from("-- migrate:up\nCOMMENT ON TABLE users IS 'caf"), Buffer.from([0xe9]), Buffer.from("';\n")]),
      );
      await assert.rejects(applyMigrations(f.project(), 'local', f.options), (error: Error) => {
        assert.ok(error instanceof RunnerInputError, String(error));
        assert.equal(error.message, `${join('migrations', '002_notes.sql')}:2:${"COMMENT ON TABLE users IS 'caf".length + 1}: not UTF-8 text (byte 0xE9); save the file as UTF-8`);
        return true;
      });
      assert.deepEqual(await tables(f), [], 'nothing ran');
      writeFileSync(join(f.root, 'migrations', '002_notes.sql'), "-- migrate:up\nCOMMENT ON TABLE users IS 'café';\n");
      const report = await applyMigrations(f.project(), 'local', f.options);
      assert.equal(report.failure, undefined, report.summary);
      assert.deepEqual(await states(f), { '001': 'verified', '002': 'applied' });
      // Stored without the mark: the same checksum the editor's text has, so nothing shows as drifted.
      const [stored] = await f.sql('local', `SELECT up_sql FROM tidemark.migrations WHERE version = '001'`);
      assert.ok(String(stored.up_sql).startsWith('CREATE TABLE users'), JSON.stringify(stored.up_sql));
    });

    it('runs a migration with CREATE INDEX CONCURRENTLY statement by statement, records progress when it fails, and resumes at the failed statement after the fix', async () => {
      const broken = BROKEN_NO_TRANSACTION;
      const f = await backend.fixture({ 'migrations/001_accounts.sql': broken });
      const first = await applyMigrations(f.project(), 'local', f.options);
      assert.equal(first.steps[0].outcome, 'failed');
      assert.equal(first.failure!.line, 2);
      assert.equal(first.failure!.character, 'INSERT INTO accounts (id, '.length);
      assert.match(first.failure!.message, /column "emial" of relation "accounts" does not exist/);
      const [status] = await getStatus(f.project(), 'local', f.options);
      assert.equal(status.migrations[0].state, 'failed');
      assert.equal(status.migrations[0].statementsDone, 2);
      assert.match(status.migrations[0].error!, /emial/);
      assert.deepEqual(await tables(f), ['accounts'], 'the first statements stay applied: there is no transaction');

      // Fixed. The index (no IF NOT EXISTS) would fail if it ran again: the resume must skip it.
      f.write({ 'migrations/001_accounts.sql': broken.replace('emial', 'email') });
      const second = await applyMigrations(f.project(), 'local', f.options);
      assert.equal(second.steps[0].outcome, 'ok', second.summary);
      assert.match(second.steps[0].message!, /resumed at statement 3/);
      assert.deepEqual(await states(f), { '001': 'applied' });
      assert.deepEqual(await tables(f), ['accounts', 'audit']);
      assert.deepEqual(await f.sql('local', 'SELECT email FROM accounts'), [{ email: 'ada@example.com' }]);
      const idx = await f.sql('local', `SELECT indexname FROM pg_indexes WHERE tablename = 'accounts' AND indexname = 'accounts_email'`);
      assert.equal(idx.length, 1);
    });

    it('refuses to resume a no-transaction migration whose already-run statements were edited, naming the statement, and changes nothing', async () => {
      const broken = BROKEN_NO_TRANSACTION;
      const f = await backend.fixture({ 'migrations/001_accounts.sql': broken });
      assert.equal((await applyMigrations(f.project(), 'local', f.options)).steps[0].outcome, 'failed');
      // Fixed, but the index that already ran was renamed too: resuming would never create the new name.
      f.write({ 'migrations/001_accounts.sql': broken.replace('emial', 'email').replace('accounts_email ON', 'accounts_by_email ON') });
      await assert.rejects(applyMigrations(f.project(), 'local', f.options), (error: Error) => {
        assert.match(error.message, /cannot resume 001 \(accounts\).*stopped after statement 2, but statement 2 \(.*001_accounts\.sql:2\) is not the one that ran/);
        return true;
      });
      const [status] = await getStatus(f.project(), 'local', f.options);
      assert.equal(status.migrations[0].state, 'failed');
      assert.equal(status.migrations[0].statementsDone, 2);
      assert.deepEqual(await tables(f), ['accounts'], 'nothing ran');
      // Only the failed statement changed: the resume goes ahead.
      f.write({ 'migrations/001_accounts.sql': broken.replace('emial', 'email') });
      const resumed = await applyMigrations(f.project(), 'local', f.options);
      assert.equal(resumed.steps[0].outcome, 'ok', resumed.summary);
      assert.deepEqual(await tables(f), ['accounts', 'audit']);
    });

    it('verify fails on a wrong -- expect value and on a false check, and status says verify-failed', async () => {
      const f = await backend.fixture({
        'migrations/001_users.up.sql': 'CREATE TABLE users (id int PRIMARY KEY);\nINSERT INTO users VALUES (1);\n',
        'migrations/001_users.verify.sql': '-- Should be 1\nSELECT count(*) FROM users;\n',
        'migrations/002_flag.sql': '-- migrate:up\nCREATE TABLE flags (on_ boolean);\n-- migrate:verify\nSELECT count(*) = 5 FROM flags;\n',
      });
      const report = await applyMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        report.steps.map((s) => `${s.action} ${s.version} ${s.outcome}`),
        ['apply 001 ok', 'verify 001 ok', 'apply 002 ok', 'verify 002 failed'],
      );
      assert.match(report.steps[3].message!, /line 4: the check returned false/);
      assert.deepEqual(await states(f), { '001': 'verified', '002': 'verify-failed' });

      f.write({ 'migrations/001_users.verify.sql': '-- expect: 3\nSELECT count(*) FROM users;\n' });
      const verify = await verifyMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        verify.steps.map((s) => `${s.version} ${s.outcome}`),
        ['001 failed', '002 failed'],
      );
      assert.match(verify.steps[0].message!, /expected 3, got 1/);
      const [status] = await getStatus(f.project(), 'local', f.options);
      assert.match(status.migrations[0].error!, /expected 3, got 1/);
    });

    it('verify runs in a transaction that is rolled back', async () => {
      const f = await backend.fixture({
        'migrations/001_users.sql': '-- migrate:up\nCREATE TABLE users (id int);\n-- migrate:verify\nINSERT INTO users VALUES (7);\n-- expect: 1\nSELECT count(*) FROM users;\n',
      });
      const report = await applyMigrations(f.project(), 'local', f.options);
      assert.equal(report.steps[1].outcome, 'ok', report.summary);
      assert.deepEqual(await f.sql('local', 'SELECT count(*)::int AS n FROM users'), [{ n: 0 }]);
    });

    it('rolls back the newest migration, or down to a version, and refuses one without a down section', async () => {
      const f = await backend.fixture({
        'migrations/001_users.sql': USERS,
        'migrations/002_add_name.sql': ADD_NAME,
        'migrations/003_no_down.sql': 'CREATE TABLE notes (id int);\n',
      });
      await applyMigrations(f.project(), 'local', f.options);
      await assert.rejects(
        rollbackMigrations(f.project(), 'local', f.options),
        (e: Error) => e instanceof RunnerInputError && /003 \(no_down\) has no down section/.test(e.message),
      );
      assert.deepEqual(await states(f), { '001': 'verified', '002': 'applied', '003': 'applied' });
      // A down section with nothing in it is not taken for "nothing to undo": that is written as a comment.
      f.write({ 'migrations/003_no_down.sql': '-- migrate:up\nCREATE TABLE notes (id int);\n-- migrate:down\n\n' });
      await assert.rejects(
        rollbackMigrations(f.project(), 'local', f.options),
        (e: Error) => e instanceof RunnerInputError && /003 \(no_down\) has an empty down section; .*"-- nothing to undo"/.test(e.message),
      );
      assert.deepEqual(await states(f), { '001': 'verified', '002': 'applied', '003': 'applied' });

      // As the message says, a comment alone rolls back without running anything.
      f.write({ 'migrations/003_no_down.sql': '-- migrate:up\nCREATE TABLE notes (id int);\n-- migrate:down\n-- nothing to undo\n' });
      const one = await rollbackMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        one.steps.map((s) => `${s.version} ${s.outcome}`),
        ['003 ok'],
      );
      assert.ok((await tables(f)).includes('notes'), 'nothing ran');
      const rest = await rollbackMigrations(f.project(), 'local', { ...f.options, toVersion: '001' });
      assert.deepEqual(
        rest.steps.map((s) => `${s.version} ${s.outcome}`),
        ['002 ok'],
      );
      assert.deepEqual(await states(f), { '001': 'verified', '002': 'pending', '003': 'pending' });
      const columns = await f.sql('local', `SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position`);
      assert.deepEqual(
        columns.map((c) => c.column_name),
        ['id', 'email'],
      );
      const events = await f.sql('local', `SELECT version FROM tidemark.events WHERE kind = 'rollback' ORDER BY id`);
      assert.deepEqual(
        events.map((e) => e.version),
        ['003', '002'],
      );
    });

    it('plan reports the locks each statement takes on existing tables and leaves the database unchanged', async () => {
      const f = await backend.fixture({ 'migrations/001_users.sql': USERS });
      await applyMigrations(f.project(), 'local', f.options);
      f.write({
        'migrations/002_add_name.sql': ADD_NAME,
        'migrations/003_index.sql': 'CREATE INDEX CONCURRENTLY users_email ON users (email);\n',
        'migrations/004_broken.sql': 'SELECT nope FROM users;\n',
        'migrations/005_age.sql': 'ALTER TABLE users ADD COLUMN age int;\nUPDATE users SET age = 1 WHERE email IS NULL;\n',
        'migrations/006_age_required.sql': 'ALTER TABLE users ALTER COLUMN age SET DEFAULT 0;\n',
      });
      const report = await planMigrations(f.project(), 'local', f.options);
      const [add, index, broken, age, ageRequired] = report.steps;
      assert.equal(add.outcome, 'ok');
      assert.ok(
        add.locks!.some(
          (l) => l.mode === 'AccessExclusiveLock' && l.relation === 'public.users' && /^line 2: ALTER TABLE users ADD COLUMN name text/.test(l.statement) && !l.newRelation,
        ),
        JSON.stringify(add.locks),
      );
      assert.match(index.message!, /not planned: line 1: CREATE INDEX CONCURRENTLY/);
      assert.equal(broken.outcome, 'failed');
      assert.match(broken.message!, /004_broken\.sql:1:8: column "nope" does not exist/);
      // 002 already holds users exclusively when 005 runs in the same transaction; measured alone,
      // 005 shows its own AccessExclusiveLock too.
      assert.equal(age.outcome, 'ok', age.message);
      assert.ok(
        age.locks!.some((l) => l.mode === 'AccessExclusiveLock' && l.relation === 'public.users' && /^line 1: ALTER TABLE users ADD COLUMN age/.test(l.statement)),
        JSON.stringify(age.locks),
      );
      // 006 cannot run alone (it needs 005's column), and the lock it takes is already held in the
      // dry run's transaction: it is still listed, as it is taken when 006 runs in its own.
      assert.equal(ageRequired.outcome, 'ok', ageRequired.message);
      assert.ok(
        ageRequired.locks!.some(
          (l) => l.mode === 'AccessExclusiveLock' && l.relation === 'public.users' && /^line 1: ALTER TABLE users ALTER COLUMN age SET DEFAULT 0/.test(l.statement),
        ),
        JSON.stringify(ageRequired.locks),
      );
      assert.equal(report.failure?.version, '004');
      assert.deepEqual(await states(f), { '001': 'verified', '002': 'pending', '003': 'pending', '004': 'pending', '005': 'pending', '006': 'pending' });
      const columns = await f.sql('local', `SELECT column_name FROM information_schema.columns WHERE table_name = 'users'`);
      assert.ok(!columns.some((c) => c.column_name === 'name'), 'the plan was rolled back');
    });

    it('one rule for out of order: a migration older than a half-applied one is out-of-order in status and noted by apply; one that changed nothing does not count', async () => {
      const f = await backend.fixture({ 'migrations/003_accounts.sql': BROKEN_NO_TRANSACTION });
      const broken = await applyMigrations(f.project(), 'local', f.options);
      assert.equal(broken.steps[0].outcome, 'failed', 'statements 1-2 ran, statement 3 failed');
      f.write({ 'migrations/002_late.sql': 'SELECT 1;\n', 'migrations/009_nothing.sql': 'CREATE INDEX CONCURRENTLY nothing_x ON no_such_table (x);\n' });
      assert.deepEqual(await states(f), { '002': 'out-of-order', '003': 'failed', '009': 'pending' });
      const late = await applyMigrations(f.project(), 'local', { ...f.options, toVersion: '002' });
      assert.deepEqual(
        late.steps.map((s) => `${s.version} ${s.outcome}`),
        ['002 ok'],
      );
      assert.match(late.steps[0].message!, /out of order: older than 003, applied before it/);
      // 009 fails at its first statement: nothing of it ran, so 005, older than it, is not out of order.
      f.write({ 'migrations/003_accounts.sql': BROKEN_NO_TRANSACTION.replace('emial', 'email') });
      const fixed = await applyMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        fixed.steps.map((s) => `${s.version} ${s.outcome}`),
        ['003 ok', '009 failed'],
      );
      f.write({ 'migrations/005_after.sql': 'SELECT 1;\n' });
      assert.deepEqual(await states(f), { '002': 'applied', '003': 'applied', '005': 'pending', '009': 'failed' });
      const after = await applyMigrations(f.project(), 'local', { ...f.options, toVersion: '005' });
      assert.deepEqual(
        after.steps.map((s) => `${s.version} ${s.outcome} ${s.message ?? ''}`),
        ['005 ok '],
      );
    });

    it('shows drifted (with the stored SQL for a diff), missing and out-of-order', async () => {
      const f = await backend.fixture({ 'migrations/001_users.sql': USERS, 'migrations/003_add_name.sql': ADD_NAME });
      await applyMigrations(f.project(), 'local', f.options);
      f.write({ 'migrations/001_users.sql': USERS.replace('email text NOT NULL', 'email text') });
      rmSync(join(f.root, 'migrations', '003_add_name.sql'));
      f.write({ 'migrations/002_late.sql': 'SELECT 1;\n' });
      assert.deepEqual(await states(f), { '001': 'drifted', '002': 'out-of-order', '003': 'missing' });
      const diff = await appliedAndCurrent(f.project(), 'local', '001', f.options);
      assert.match(diff.applied, /email text NOT NULL/);
      assert.doesNotMatch(diff.current, /NOT NULL/);
      // Drift and missing files do not block; the late version is applied and flagged.
      const late = await applyMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        late.steps.map((s) => `${s.version} ${s.outcome}`),
        ['002 ok'],
      );
      assert.match(late.steps[0].message!, /out of order: older than 003, applied before it/);
      // Trailing whitespace and CRLF do not count as drift.
      f.write({ 'migrations/001_users.sql': USERS.replace(/\n/g, '  \r\n') });
      assert.equal((await states(f))['001'], 'verified');
    });

    it('refuses a protected environment without the confirmation, and accepts it with the name', async () => {
      const f = await backend.fixture({ 'migrations/001_users.sql': USERS });
      await assert.rejects(applyMigrations(f.project(), 'prod', f.options), /prod is protected: to apply migrations to it, confirm with --confirm prod/);
      await assert.rejects(applyMigrations(f.project(), 'prod', { ...f.options, confirm: 'production' }), /does not match/);
      await assert.rejects(rollbackMigrations(f.project(), 'prod', f.options), /prod is protected/);
      assert.deepEqual(await tables(f, 'staging'), []);
    });

    it('after: refuses versions not applied and verified upstream, naming the reason', async () => {
      const f = await backend.fixture({ 'migrations/001_users.sql': USERS, 'migrations/002_add_name.sql': ADD_NAME });
      await assert.rejects(
        applyMigrations(f.project(), 'staging', f.options),
        /refusing to apply to staging \(after: local\): 001 is not applied in local; 002 is not applied in local/,
      );
      await applyMigrations(f.project(), 'local', { ...f.options, toVersion: '001', verifyAfterApply: false });
      await assert.rejects(applyMigrations(f.project(), 'staging', f.options), /001 is applied in local but not verified there/);
      await verifyMigrations(f.project(), 'local', f.options);
      await assert.rejects(applyMigrations(f.project(), 'staging', f.options), (e: Error) => /002 is not applied in local; apply up to 001 with --to 001/.test(e.message));
      const report = await applyMigrations(f.project(), 'staging', { ...f.options, toVersion: '001' });
      assert.equal(report.steps[0].outcome, 'ok');
      assert.deepEqual(await tables(f, 'staging'), ['users']);
    });

    if (backend.kind === 'pglite') {
      it('two environments on one sandbox folder do not deadlock: the second open gives up after lockWaitTimeout', async () => {
        const f = await backend.fixture({ 'migrations/001_users.sql': USERS }, { environments: { staging: { sandbox: true, path: '.tidemark/local', after: 'local' } } });
        await assert.rejects(
          applyMigrations(f.project(), 'staging', f.options),
          /cannot be read: the sandbox database .* is busy with another operation of this process; gave up after 2000 ms/,
        );
      });
    }

    it('two appliers started at once: one applies, the other finds nothing left, never a double apply', async () => {
      const f = await backend.fixture({ 'migrations/001_users.sql': USERS, 'migrations/002_add_name.sql': ADD_NAME }, { lockWaitTimeout: '30s' });
      const results = await Promise.allSettled([applyMigrations(f.project(), 'local', f.options), applyMigrations(f.project(), 'local', f.options)]);
      const reports = results.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
      const applied = reports.flatMap((r) => r?.steps.filter((s) => s.action === 'apply' && s.outcome === 'ok') ?? []);
      assert.deepEqual(applied.map((s) => s.version).sort(), ['001', '002']);
      for (const r of results) if (r.status === 'rejected') assert.match(String(r.reason), /locked by another migration run/);
      const events = await f.sql('local', `SELECT version FROM tidemark.events WHERE kind = 'apply' ORDER BY version`);
      assert.deepEqual(
        events.map((e) => e.version),
        ['001', '002'],
      );
    });
  });
}
