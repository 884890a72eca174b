/**
 * Faults only a PostgreSQL server can produce: the runner's connection killed in the middle of a
 * migration (pg_terminate_backend from another session), a second runner waiting for the lock
 * and naming who holds it, and connection problems — each leaving history consistent and giving
 * one clear message without a password in it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { applyMigrations } from '../../server/src/runner/apply';
import { loadProject, RunnerInputError } from '../../server/src/database/environments';
import { PasswordRejectedError } from '../../server/src/database/postgres-adapter';
import { getStatus } from '../../server/src/runner/status';
import { adminClient, freePort, urlOf } from '../support/databases';
import { postgresBackend, type Fixture } from './backends';

const backend = postgresBackend();

/** Waits until the runner's session runs pg_sleep, then terminates it from another session. */
async function killWhenSleeping(f: Fixture): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const rows = await f.sql('local', `SELECT pid FROM pg_stat_activity WHERE application_name = 'tidemark' AND query LIKE 'SELECT pg_sleep%' AND state = 'active'`);
    if (rows.length) {
      await f.sql('local', 'SELECT pg_terminate_backend($1)', [rows[0].pid]);
      return Number(rows[0].pid);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the migration never reached pg_sleep');
}

describe(`runner faults on ${backend.label}`, function () {
  this.timeout(120_000);
  before(() => backend.start());
  after(() => backend.stop());

  it('a transactional migration whose connection is killed leaves nothing behind and is still pending', async () => {
    const f = await backend.fixture({
      'migrations/001_slow.sql': 'CREATE TABLE half (id int);\nSELECT pg_sleep(30);\nCREATE TABLE never (id int);\n',
    });
    const running = applyMigrations(f.project(), 'local', f.options);
    await killWhenSleeping(f);
    const report = await running;
    assert.equal(report.steps[0].outcome, 'failed');
    assert.match(report.steps[0].message!, /terminating connection due to administrator command/);
    assert.equal(report.failure!.line, 1, 'the statement that was running');
    const [status] = await getStatus(f.project(), 'local', f.options);
    assert.deepEqual(
      status.migrations.map((m) => m.state),
      ['pending'],
    );
    assert.deepEqual(await f.sql('local', `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`), []);
    assert.deepEqual(await f.sql('local', 'SELECT version FROM tidemark.migrations'), []);
  });

  it('a no-transaction migration whose connection is killed records how far it got, and resumes there', async () => {
    const text = '-- tidemark:no-transaction\nCREATE TABLE first_part (id int);\nSELECT pg_sleep(30);\nCREATE TABLE second_part (id int);\n';
    const f = await backend.fixture({ 'migrations/001_slow.sql': text });
    const running = applyMigrations(f.project(), 'local', f.options);
    await killWhenSleeping(f);
    const report = await running;
    assert.equal(report.steps[0].outcome, 'failed');
    const [status] = await getStatus(f.project(), 'local', f.options);
    assert.equal(status.migrations[0].state, 'failed');
    assert.equal(status.migrations[0].statementsDone, 1);
    f.write({ 'migrations/001_slow.sql': text.replace('SELECT pg_sleep(30);', 'SELECT pg_sleep(0);') });
    const resumed = await applyMigrations(f.project(), 'local', f.options);
    assert.equal(resumed.steps[0].outcome, 'ok', resumed.summary);
    assert.deepEqual(
      (await f.sql('local', `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).map((r) => r.table_name),
      ['first_part', 'second_part'],
    );
  });

  it('lockTimeout from the config: a migration blocked by another session fails fast at its statement and leaves nothing behind', async () => {
    const f = await backend.fixture({ 'migrations/001_users.sql': 'CREATE TABLE users (id int);\n' });
    const configPath = join(f.root, 'tidemark.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    config.environments.local.lockTimeout = '300ms';
    writeFileSync(configPath, JSON.stringify(config));
    const localDb = new URL(config.environments.local.url).pathname.slice(1);
    await applyMigrations(f.project(), 'local', f.options);
    f.write({ 'migrations/002_add_email.sql': 'SELECT 1;\nALTER TABLE users ADD COLUMN email text;\n' });
    const blocker = await adminClient(backend.servers![0], localDb);
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE users IN ACCESS SHARE MODE');
    try {
      const report = await applyMigrations(f.project(), 'local', f.options);
      assert.equal(report.steps[0].outcome, 'failed');
      assert.match(report.failure!.message, /canceling statement due to lock timeout/);
      assert.equal(report.failure!.line, 1);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    const columns = await f.sql('local', `SELECT column_name FROM information_schema.columns WHERE table_name = 'users'`);
    assert.deepEqual(
      columns.map((c) => c.column_name),
      ['id'],
    );
    const [status] = await getStatus(f.project(), 'local', f.options);
    assert.deepEqual(
      status.migrations.map((m) => m.state),
      ['applied', 'pending'],
    );
  });

  it('a second runner waits for the lock, then gives up naming the holder', async () => {
    const f = await backend.fixture({ 'migrations/001_slow.sql': 'SELECT pg_sleep(4);\n' }, { lockWaitTimeout: '1s' });
    const first = applyMigrations(f.project(), 'local', f.options);
    await waitFor(async () => (await f.sql('local', `SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%' AND state = 'active'`)).length > 0);
    await assert.rejects(applyMigrations(f.project(), 'local', f.options), (e: Error) => {
      assert.ok(e instanceof RunnerInputError);
      assert.match(
        e.message,
        /local is locked by another migration run \(application "tidemark", user postgres, client 127\.0\.0\.1, pid \d+, connected since .*, active since .*\); gave up after 1000 ms/,
      );
      return true;
    });
    assert.equal((await first).steps[0].outcome, 'ok');
  });

  it('connection problems are one clear line, never with the password', async () => {
    const [server] = backend.servers!;
    const f = await backend.fixture({ 'migrations/001_a.sql': 'SELECT 1;\n' });
    const closedPort = await freePort();
    writeFileSync(
      join(f.root, 'tidemark.json'),
      JSON.stringify({
        environments: {
          refused: { url: `postgres://postgres@127.0.0.1:${closedPort}/app`, connectTimeout: '2s' },
          nodb: { url: '${env:TM_TEST_NODB_URL}' },
          wrongpw: { url: urlOf(server, server.adminDatabase) },
          unset: { url: '${env:TM_TEST_NOT_SET}' },
        },
      }),
    );
    process.env.TM_TEST_NODB_URL = `postgres://${encodeURIComponent(server.user)}:${encodeURIComponent(server.password)}@${server.host}:${server.port}/no_such_db`;
    try {
      const project = loadProject(f.root);
      const all = await getStatus(project, undefined, { askPassword: async () => 'not-the-password' });
      const errors = Object.fromEntries(all.map((s) => [s.environment.name, s.error ?? '']));
      assert.match(errors.refused, new RegExp(`cannot connect to refused \\(postgres@127\\.0\\.0\\.1:${closedPort}/app\\): connection refused`));
      assert.match(errors.nodb, /database "no_such_db" does not exist/);
      assert.match(errors.wrongpw, new RegExp(`password authentication failed for user "${server.user}"`));
      assert.match(errors.unset, /tidemark\.json:\d+: environments\.unset\.url uses \$\{env:TM_TEST_NOT_SET\}, but the environment variable TM_TEST_NOT_SET is not set/);
      for (const [name, message] of Object.entries(errors)) {
        assert.ok(!message.includes(server.password) && !message.includes('not-the-password'), `${name}: ${message}`);
        assert.ok(!message.includes('\n'), `${name} is one line`);
      }
      await assert.rejects(applyMigrations(project, 'wrongpw', { askPassword: async () => 'not-the-password' }), PasswordRejectedError);
      // Asked for that one environment, a rejected password fails the request (so the editor
      // forgets it and asks again) instead of hiding in the row's error.
      await assert.rejects(
        getStatus(project, 'wrongpw', { askPassword: async () => 'not-the-password' }),
        (e: Error) => e instanceof PasswordRejectedError && /password authentication failed/.test(e.message) && !e.message.includes('not-the-password'),
      );
      // The password the user gives is used: status succeeds.
      const [ok] = await getStatus(project, 'wrongpw', { askPassword: async () => server.password });
      assert.equal(ok.error, undefined);
    } finally {
      delete process.env.TM_TEST_NODB_URL;
    }
  });

  it('no password anywhere: the message says how to give one', async () => {
    const [server] = backend.servers!;
    const f = await backend.fixture({ 'migrations/001_a.sql': 'SELECT 1;\n' });
    writeFileSync(join(f.root, 'tidemark.json'), JSON.stringify({ environments: { local: { url: urlOf(server, server.adminDatabase) } } }));
    const saved = process.env.PGPASSWORD;
    delete process.env.PGPASSWORD;
    try {
      const [status] = await getStatus(loadProject(f.root), 'local');
      assert.match(status.error!, /local \([^@]+@[^:]+:\d+\/\w+\) needs a password: set PGPASSWORD, add it to ~\/\.pgpass, or use \$\{env:VAR\} in the url/);
    } finally {
      if (saved !== undefined) process.env.PGPASSWORD = saved;
    }
  });
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition never became true');
}
