/**
 * Pre-checks (`-- migrate:check`, NAME.check.sql, check/NAME.sql) on PostgreSQL servers and PGlite:
 * run before the up, in its transaction; a failing one stops the run before any change, at the
 * query, with the actual value; plan runs them too; a no-transaction migration checks before its
 * first statement.
 */
import assert from 'node:assert/strict';
import { applyMigrations } from '../../server/src/runner/apply';
import { planMigrations } from '../../server/src/runner/plan';
import { getStatus } from '../../server/src/runner/status';
import { backends } from './backends';

const AGENTS = `-- migrate:up
CREATE TABLE agents (id int PRIMARY KEY, tenant_id int);
INSERT INTO agents SELECT g, CASE WHEN g <= 12 THEN NULL ELSE 1 END FROM generate_series(1, 20) g;
-- migrate:down
DROP TABLE agents;
`;
const NOT_NULL = `-- migrate:check
-- agents with tenant_id NULL
-- expect: 0
SELECT count(*) FROM agents WHERE tenant_id IS NULL;
-- migrate:up
ALTER TABLE agents ALTER COLUMN tenant_id SET NOT NULL;
CREATE TABLE audit (id int);
-- migrate:down
ALTER TABLE agents ALTER COLUMN tenant_id DROP NOT NULL;
DROP TABLE audit;
`;

for (const backend of backends()) {
  describe(`pre-checks on ${backend.label}`, function () {
    this.timeout(120_000);
    before(() => backend.start());
    after(() => backend.stop());

    it('a failing -- migrate:check stops apply before any change, at the query, with the actual value and its comment; fixed data lets it pass', async () => {
      const f = await backend.fixture({ 'migrations/001_agents.sql': AGENTS, 'migrations/002_not_null.sql': NOT_NULL });
      const report = await applyMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        report.steps.map((s) => `${s.action} ${s.version} ${s.outcome}`),
        ['apply 001 ok', 'apply 002 failed'],
      );
      assert.equal(report.steps[1].message, 'check failed: expected 0, got 12 (agents with tenant_id NULL); nothing was changed');
      assert.deepEqual({ line: report.failure?.line, file: report.failure?.file.endsWith('002_not_null.sql') }, { line: 3, file: true }, 'the failure points at the check query');
      assert.match(report.summary, /Stopped at 002 \(apply failed\) at migrations\/002_not_null\.sql:4:1: check failed: expected 0, got 12/);
      assert.deepEqual(await f.sql('local', "SELECT to_regclass('audit') IS NULL AS absent"), [{ absent: true }], 'no statement of the up ran');
      const [status] = await getStatus(f.project(), 'local', f.options);
      assert.deepEqual(
        status.migrations.map((m) => m.state),
        ['applied', 'pending'],
      );

      await f.sql('local', 'UPDATE agents SET tenant_id = 2 WHERE tenant_id IS NULL');
      const again = await applyMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        again.steps.map((s) => `${s.version} ${s.outcome} ${s.message ?? ''}`.trim()),
        ['002 ok 1 pre-check passed'],
      );
      assert.deepEqual(await f.sql('local', "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'agents' AND column_name = 'tenant_id'"), [
        { is_nullable: 'NO' },
      ]);
    });

    it('plan runs the pre-checks and reports a failing one as where apply would stop', async () => {
      const f = await backend.fixture({ 'migrations/001_agents.sql': AGENTS, 'migrations/002_not_null.sql': NOT_NULL });
      await applyMigrations(f.project(), 'local', { ...f.options, toVersion: '001' });
      const plan = await planMigrations(f.project(), 'local', f.options);
      assert.equal(plan.steps[0].outcome, 'failed');
      assert.match(
        plan.steps[0].message ?? '',
        /002_not_null\.sql:4:1: check failed: expected 0, got 12 \(agents with tenant_id NULL\); apply would stop here, before any change$/,
      );
      await f.sql('local', 'UPDATE agents SET tenant_id = 2 WHERE tenant_id IS NULL');
      const passing = await planMigrations(f.project(), 'local', f.options);
      assert.equal(passing.steps[0].outcome, 'ok');
      assert.match(passing.steps[0].message ?? '', /^1 pre-check passed/);
    });

    it('NAME.check.sql and check/NAME.sql are the pre-checks of the paired and sibling-folder layouts; a boolean check and a failing query stop too', async () => {
      const f = await backend.fixture({
        'migrations/001_agents.up.sql': 'CREATE TABLE agents (id int PRIMARY KEY, tenant_id int);\n',
        'migrations/001_agents.down.sql': 'DROP TABLE agents;\n',
        'migrations/002_tenants.up.sql': 'CREATE TABLE tenants (id int);\n',
        'migrations/002_tenants.check.sql': "-- the agents table is there\nSELECT to_regclass('agents') IS NOT NULL;\n",
      });
      const report = await applyMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        report.steps.map((s) => `${s.version} ${s.outcome} ${s.message ?? ''}`.trim()),
        ['001 ok', '002 ok 1 pre-check passed'],
      );

      const g = await backend.fixture({
        'migrations/001_billing.sql': 'CREATE TABLE billing (id int);\n',
        'migrations/check/001_billing.sql': 'SELECT count(*) = 0 FROM no_such_table;\n',
      });
      const failed = await applyMigrations(g.project(), 'local', g.options);
      assert.equal(failed.steps[0].outcome, 'failed');
      assert.match(failed.steps[0].message ?? '', /^check failed: relation "no_such_table" does not exist; nothing was changed$/);
      assert.match(failed.failure?.file ?? '', /check\/001_billing\.sql$/);
      assert.deepEqual(await g.sql('local', "SELECT to_regclass('billing') IS NULL AS absent"), [{ absent: true }]);
    });

    it('a no-transaction migration runs its pre-checks before its first statement, and nothing runs when one fails', async () => {
      const f = await backend.fixture({
        'migrations/001_agents.sql': AGENTS,
        'migrations/002_index.sql': `-- tidemark:no-transaction
-- migrate:check
-- expect: 20
SELECT count(*) FROM agents;
-- migrate:up
CREATE TABLE index_log (id int);
CREATE INDEX CONCURRENTLY agents_tenant_idx ON agents (tenant_id);
`,
      });
      await applyMigrations(f.project(), 'local', { ...f.options, toVersion: '001' });
      await f.sql('local', 'DELETE FROM agents WHERE id > 15');
      const failed = await applyMigrations(f.project(), 'local', f.options);
      assert.equal(failed.steps[0].outcome, 'failed');
      assert.equal(failed.steps[0].message, 'check failed: expected 20, got 15; nothing was changed');
      assert.deepEqual(await f.sql('local', "SELECT to_regclass('index_log') IS NULL AS absent"), [{ absent: true }]);
      const [status] = await getStatus(f.project(), 'local', f.options);
      assert.equal(status.migrations[1].state, 'pending', 'no half-applied row: nothing started');

      await f.sql('local', 'INSERT INTO agents SELECT g, 1 FROM generate_series(16, 20) g');
      const ok = await applyMigrations(f.project(), 'local', f.options);
      assert.equal(ok.steps[0].outcome, 'ok', ok.summary);
      assert.match(ok.steps[0].message ?? '', /^1 pre-check passed; ran without a transaction/);
    });
  });
}
