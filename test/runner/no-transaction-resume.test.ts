/**
 * Resuming a no-transaction migration after its connection died: a statement that can run in a
 * transaction commits together with its progress, so it never runs twice; one PostgreSQL refuses
 * in a transaction is marked as started, and the resume says what is known about it instead of
 * guessing. Also: history tables made by the previous version gain the new column.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { applyMigrations } from '../../server/src/runner/apply';
import { RunnerInputError } from '../../server/src/database/environments';
import { getStatus } from '../../server/src/runner/status';
import { adminClient } from '../support/databases';
import { postgresBackend, type Fixture } from './backends';

const backend = postgresBackend();

async function waitForRunner(f: Fixture, condition: string): Promise<number> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const rows = await f.sql('local', `SELECT pid FROM pg_stat_activity WHERE application_name = 'tidemark' AND ${condition}`);
    if (rows.length) return Number(rows[0].pid);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the runner never reached: ${condition}`);
}

async function localClient(f: Fixture): Promise<Client> {
  const url = new URL(JSON.parse(readFileSync(join(f.root, 'tidemark.json'), 'utf8')).environments.local.url);
  return adminClient(backend.servers![0], url.pathname.slice(1));
}

const ledger = [
  '-- tidemark:no-transaction',
  '-- migrate:up',
  'CREATE TABLE IF NOT EXISTS ledger (id serial, note text);',
  "INSERT INTO ledger (note) SELECT 'credit 100' FROM pg_sleep(1);",
  'CREATE INDEX CONCURRENTLY IF NOT EXISTS ledger_note_idx ON ledger (note);',
  '',
].join('\n');

describe(`no-transaction resume on ${backend.label}`, function () {
  this.timeout(120_000);
  before(() => backend.start());
  after(() => backend.stop());

  it('a statement whose progress update is stuck when the connection dies runs exactly once after the resume', async () => {
    const f = await backend.fixture({ 'migrations/001_ledger.sql': ledger });
    const blocker = await localClient(f);
    try {
      const running = applyMigrations(f.project(), 'local', f.options);
      await waitForRunner(f, `query LIKE 'INSERT INTO ledger%' AND state = 'active'`);
      // Hold the history row so the progress update after the INSERT has to wait.
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM tidemark.migrations WHERE version = '001' FOR UPDATE`);
      const pid = await waitForRunner(f, `query LIKE 'UPDATE%tidemark%migrations%' AND wait_event_type = 'Lock'`);
      await f.sql('local', 'SELECT pg_terminate_backend($1)', [pid]);
      const report = await running;
      assert.equal(report.steps[0].outcome, 'failed', report.summary);
      await blocker.query('ROLLBACK');
    } finally {
      await blocker.end();
    }
    const [status] = await getStatus(f.project(), 'local', f.options);
    assert.equal(status.migrations[0].state, 'failed');
    assert.equal(status.migrations[0].statementsDone, 1);
    const resumed = await applyMigrations(f.project(), 'local', f.options);
    assert.equal(resumed.steps[0].outcome, 'ok', resumed.summary);
    assert.deepEqual(await f.sql('local', 'SELECT note FROM ledger'), [{ note: 'credit 100' }]);
  });

  it('an interrupted CREATE INDEX CONCURRENTLY is reported on resume: INVALID index named, then rebuilt once dropped', async () => {
    const text = [
      '-- tidemark:no-transaction',
      'CREATE TABLE ledger (id serial, note text);',
      'CREATE INDEX CONCURRENTLY ledger_note_idx ON ledger (note);',
      'CREATE TABLE after_index (id int);',
      '',
    ].join('\n');
    const f = await backend.fixture({ 'migrations/001_ledger.sql': text });
    const blocker = await localClient(f);
    try {
      // An open transaction with a snapshot makes the index build wait after it created the (invalid) index.
      await blocker.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await blocker.query('SELECT 1');
      const running = applyMigrations(f.project(), 'local', f.options);
      const pid = await waitForRunner(f, `query LIKE 'CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock'`);
      await f.sql('local', 'SELECT pg_terminate_backend($1)', [pid]);
      assert.equal((await running).steps[0].outcome, 'failed');
      await blocker.query('ROLLBACK');
    } finally {
      await blocker.end();
    }
    assert.deepEqual(await f.sql('local', `SELECT indisvalid FROM pg_index WHERE indexrelid = 'ledger_note_idx'::regclass`), [{ indisvalid: false }]);
    await assert.rejects(applyMigrations(f.project(), 'local', f.options), (e: Error) => {
      assert.ok(e instanceof RunnerInputError, String(e));
      assert.match(
        e.message,
        /cannot resume 001 \(ledger\): statement 2 \(.*001_ledger\.sql:3\), CREATE INDEX CONCURRENTLY, was running when the last run stopped, and index ledger_note_idx exists but is INVALID/,
      );
      assert.match(e.message, /DROP INDEX CONCURRENTLY "ledger_note_idx"/);
      return true;
    });
    await f.sql('local', 'DROP INDEX CONCURRENTLY ledger_note_idx');
    const resumed = await applyMigrations(f.project(), 'local', f.options);
    assert.equal(resumed.steps[0].outcome, 'ok', resumed.summary);
    assert.match(resumed.steps[0].message!, /statement 2 .* index ledger_note_idx does not exist, so it had not finished: ran it again/);
    assert.deepEqual(await f.sql('local', `SELECT indisvalid FROM pg_index WHERE indexrelid = 'ledger_note_idx'::regclass`), [{ indisvalid: true }]);
    assert.equal((await f.sql('local', `SELECT to_regclass('after_index') IS NOT NULL AS present`))[0].present, true);
  });

  it('a bare statement other than an index build that was running refuses to guess until told --started-statement', async () => {
    const text = ['-- tidemark:no-transaction', 'CREATE TABLE t (id int);', 'VACUUM t;', 'CREATE TABLE u (id int);', ''].join('\n');
    const f = await backend.fixture({ 'migrations/001_vacuum.sql': text });
    await applyMigrations(f.project(), 'local', f.options);
    // The state a run killed during VACUUM leaves: statement 2 started, 1 done.
    await f.sql('local', `DROP TABLE u; UPDATE tidemark.migrations SET state = 'failed', statements_done = 1, statement_started = 2`);
    await assert.rejects(
      applyMigrations(f.project(), 'local', f.options),
      /statement 2 \(.*001_vacuum\.sql:3\) runs outside a transaction and was running when the last run stopped; it may or may not have run\. Check the database, then apply with --started-statement ran .* or --started-statement again/,
    );
    const resumed = await applyMigrations(f.project(), 'local', { ...f.options, startedStatement: 'ran' });
    assert.equal(resumed.steps[0].outcome, 'ok', resumed.summary);
    assert.match(resumed.steps[0].message!, /resumed at statement 3; statement 2 .* counted as run/);
    assert.equal((await f.sql('local', `SELECT to_regclass('u') IS NOT NULL AS present`))[0].present, true);
  });

  it('a history table made by the previous version is read as it is and gains the new column on the next apply', async () => {
    const f = await backend.fixture({ 'migrations/001_a.sql': 'CREATE TABLE a (id int);\n', 'migrations/002_b.sql': 'CREATE TABLE b (id int);\n' });
    await applyMigrations(f.project(), 'local', { ...f.options, toVersion: '001' });
    await f.sql('local', 'ALTER TABLE tidemark.migrations DROP COLUMN statement_started');
    const [before] = await getStatus(f.project(), 'local', f.options);
    assert.equal(before.error, undefined);
    assert.deepEqual(
      before.migrations.map((m) => m.state),
      ['applied', 'pending'],
    );
    const report = await applyMigrations(f.project(), 'local', f.options);
    assert.equal(report.steps[0].outcome, 'ok', report.summary);
    const columns = await f.sql(
      'local',
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'tidemark' AND table_name = 'migrations' AND column_name = 'statement_started'`,
    );
    assert.equal(columns.length, 1);
  });
});
