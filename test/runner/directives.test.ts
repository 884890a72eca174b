/**
 * `-- tidemark:blocked`, `-- tidemark:draft` and `-- tidemark:environments` against real databases
 * (PostgreSQL servers and PGlite sandboxes): what status says, where apply and plan stop, what
 * `--to` refuses, and what is in the database afterwards.
 */
import assert from 'node:assert/strict';
import { applyMigrations } from '../../server/src/runner/apply';
import { planMigrations } from '../../server/src/runner/plan';
import { getStatus } from '../../server/src/runner/status';
import { backends, type Fixture } from './backends';

const USERS = `CREATE TABLE users (id int PRIMARY KEY);\n`;
const BLOCKED = `-- tidemark:blocked waiting for the billing team to drain the old queue
-- tidemark:blocked backfill of users.tenant_id finished in production
CREATE TABLE invoices (id int PRIMARY KEY);
`;
const AFTER = `CREATE TABLE payments (id int PRIMARY KEY);\n`;
const DRAFT = `-- tidemark:draft\nCREATE TABLE drafts (id int);\n`;
const LOCAL_ONLY = `-- tidemark:environments local\nINSERT INTO users VALUES (42);\n`;
const STAGING_ONLY = `-- tidemark:environments staging, prod\nINSERT INTO users VALUES (7);\n`;

async function statuses(f: Fixture, env: 'local' | 'staging') {
  const [status] = await getStatus(f.project(), env, f.options);
  assert.equal(status.error, undefined, status.error);
  return status.migrations;
}

async function states(f: Fixture, env: 'local' | 'staging' = 'local') {
  return Object.fromEntries((await statuses(f, env)).map((m) => [m.version, m.state]));
}

async function tables(f: Fixture, env: 'local' | 'staging' = 'local'): Promise<string[]> {
  const rows = await f.sql(env, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
  return rows.map((r) => String(r.table_name));
}

for (const backend of backends()) {
  describe(`blocked, draft and environment-only migrations on ${backend.label}`, function () {
    this.timeout(120_000);
    before(() => backend.start());
    after(() => backend.stop());

    it('status says blocked with every reason; apply applies what comes before and stops there, naming it, and nothing after it runs', async () => {
      const f = await backend.fixture({ 'migrations/001_users.sql': USERS, 'migrations/002_invoices.sql': BLOCKED, 'migrations/003_payments.sql': AFTER });
      const before = await statuses(f, 'local');
      assert.deepEqual(
        before.map((m) => m.state),
        ['pending', 'blocked', 'pending'],
      );
      assert.deepEqual(before[1].blockedReasons, ['waiting for the billing team to drain the old queue', 'backfill of users.tenant_id finished in production']);
      const report = await applyMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        report.steps.map((s) => `${s.action} ${s.version} ${s.outcome}`),
        ['apply 001 ok', 'apply 002 skipped'],
      );
      assert.equal(report.steps[1].message, 'blocked: waiting for the billing team to drain the old queue; backfill of users.tenant_id finished in production');
      assert.match(
        report.summary,
        /^Applied 1 migration to local; 2 pending\. Stopped before 002 invoices is blocked: waiting for the billing team .*; backfill of users\.tenant_id finished in production; the migrations after it wait too\.$/,
      );
      assert.equal(report.failure, undefined);
      assert.deepEqual(await tables(f), ['users']);
      assert.deepEqual(await states(f), { '001': 'applied', '002': 'blocked', '003': 'pending' });
      // Again: nothing to apply before the block, and it still says why.
      const again = await applyMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        again.steps.map((s) => `${s.version} ${s.outcome}`),
        ['002 skipped'],
      );
      assert.match(again.summary, /^Nothing applied to local\. Stopped before 002 invoices is blocked/);
      // Once the directive is gone, it applies.
      f.write({ 'migrations/002_invoices.sql': 'CREATE TABLE invoices (id int PRIMARY KEY);\n' });
      await applyMigrations(f.project(), 'local', f.options);
      assert.deepEqual(await tables(f), ['invoices', 'payments', 'users']);
    });

    it('--to at or past a blocked migration is refused naming it, before anything runs; --to before it applies', async () => {
      const f = await backend.fixture({ 'migrations/001_users.sql': USERS, 'migrations/002_drafts.sql': DRAFT, 'migrations/003_payments.sql': AFTER });
      assert.equal((await statuses(f, 'local'))[1].blockedReasons?.[0], 'draft');
      await assert.rejects(
        applyMigrations(f.project(), 'local', { ...f.options, toVersion: '003' }),
        /^Error: refusing --to 003: 002 drafts is blocked: draft; apply up to 001 with --to 001$/,
      );
      await assert.rejects(applyMigrations(f.project(), 'local', { ...f.options, toVersion: '002' }), /refusing --to 002: 002 drafts is blocked: draft/);
      assert.deepEqual(await tables(f), []);
      const report = await applyMigrations(f.project(), 'local', { ...f.options, toVersion: '001' });
      assert.deepEqual(
        report.steps.map((s) => `${s.version} ${s.outcome}`),
        ['001 ok'],
      );
      assert.deepEqual(await tables(f), ['users']);
    });

    it('plan stops before a blocked migration too and says why', async () => {
      const f = await backend.fixture({ 'migrations/001_users.sql': USERS, 'migrations/002_invoices.sql': BLOCKED });
      const report = await planMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        report.steps.map((s) => `${s.action} ${s.version} ${s.outcome}`),
        ['plan 001 ok', 'plan 002 skipped'],
      );
      assert.match(report.summary, /Stopped before 002 invoices is blocked: waiting for the billing team/);
      assert.deepEqual(await tables(f), []);
    });

    it('-- tidemark:environments: not-for-this-environment elsewhere, skipped by apply, not pending, and ignored by after: gating where it does not apply', async () => {
      const f = await backend.fixture({ 'migrations/001_users.sql': USERS, 'migrations/002_local_seed.sql': LOCAL_ONLY, 'migrations/003_staging_seed.sql': STAGING_ONLY });
      const local = await statuses(f, 'local');
      assert.deepEqual(
        local.map((m) => m.state),
        ['pending', 'pending', 'not-for-this-environment'],
      );
      assert.deepEqual(local[2].environments, ['staging', 'prod']);
      const report = await applyMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        report.steps.map((s) => `${s.action} ${s.version} ${s.outcome}`),
        ['apply 001 ok', 'apply 002 ok'],
      );
      assert.match(report.summary, /Applied 2 migrations to local; 0 pending\./);
      assert.deepEqual(
        (await f.sql('local', 'SELECT id FROM users ORDER BY id')).map((r) => r.id),
        [42],
      );
      assert.deepEqual(await states(f, 'local'), { '001': 'applied', '002': 'applied', '003': 'not-for-this-environment' });
      // staging is `after: local`: 003 never runs in local, so it does not hold staging back.
      assert.deepEqual(await states(f, 'staging'), { '001': 'pending', '002': 'not-for-this-environment', '003': 'pending' });
      const staging = await applyMigrations(f.project(), 'staging', f.options);
      assert.deepEqual(
        staging.steps.map((s) => `${s.action} ${s.version} ${s.outcome}`),
        ['apply 001 ok', 'apply 003 ok'],
      );
      assert.deepEqual(
        (await f.sql('staging', 'SELECT id FROM users ORDER BY id')).map((r) => r.id),
        [7],
      );
      assert.deepEqual(await states(f, 'staging'), { '001': 'applied', '002': 'not-for-this-environment', '003': 'applied' });
    });
  });
}
