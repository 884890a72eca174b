/**
 * Soak times and approvals per environment, as a user meets them through the CLI on a real
 * PostgreSQL server: apply stops before a migration whose soak is not over and says until when,
 * status and the status document show it waiting, --ignore-soak needs the environment's name and
 * a reason and leaves an event, and a protected environment with approvers applies only what one
 * of them approved there. Time passing is the history's applied_at moved back, as 48 hours would.
 */
import assert from 'node:assert/strict';
import { tidemark } from '../support/cli';
import { adminClient, freshDatabase, startServers, urlOf, writeFiles, type TestServer } from '../support/databases';
import { scratchDir } from '../support/test-cleanup';

describe('soak and approval gates on a real server', function () {
  this.timeout(180_000);
  let server: TestServer;
  before(async () => {
    [server] = await startServers(1);
  });
  after(async () => {
    await server?.stop();
  });

  async function project() {
    const staging = await freshDatabase(server);
    const production = await freshDatabase(server);
    const dir = scratchDir('soak-');
    writeFiles(dir, {
      'tidemark.json': JSON.stringify({
        environments: {
          staging: { url: urlOf(server, staging) },
          production: { url: urlOf(server, production), protected: true, approvers: ['dana', 'lee'] },
        },
      }),
      'migrations/001_expand.sql': '-- migrate:up\nCREATE TABLE IF NOT EXISTS t (id int PRIMARY KEY);\n-- migrate:down\nDROP TABLE IF EXISTS t;\n',
      'migrations/002_backfill.sql':
        '-- tidemark:soak 48h\n-- migrate:up\nALTER TABLE t ADD COLUMN IF NOT EXISTS b int;\n-- migrate:down\nALTER TABLE t DROP COLUMN IF EXISTS b;\n',
      'migrations/003_contract.sql':
        '-- tidemark:soak 7d in protected\n-- tidemark:requires-approval\n-- migrate:up\nALTER TABLE t ADD COLUMN IF NOT EXISTS c int;\n-- migrate:down\nALTER TABLE t DROP COLUMN IF EXISTS c;\n',
    });
    const env = { PGPASSWORD: server.password };
    const run = (...args: string[]) => tidemark(dir, args, env);
    const ageHistory = async (database: string, hours: number) => {
      const client = await adminClient(server, database);
      await client.query(`UPDATE tidemark.migrations SET applied_at = applied_at - make_interval(hours => $1)`, [hours]);
      await client.end();
    };
    return { run, ageHistory, staging, production };
  }

  it('apply stops before a soaking migration, status shows until when, and it goes once the time is over', async () => {
    const { run, ageHistory, staging } = await project();
    const first = await run('apply', '--env', 'staging');
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /Applied 1 migration to staging\. Stopped before 002 backfill: waiting: soak until \d{4}-\d\d-\d\d \d\d:\d\d UTC \(48h after 001 was applied in staging\); the migrations after it wait too\./,
    );
    const status = JSON.parse((await run('status', '--env', 'staging', '--format', 'json')).stdout);
    const backfill = status.migrations.find((m: { version: string }) => m.version === '002');
    assert.equal(backfill.state, 'waiting');
    assert.equal(backfill.gate.kind, 'soak');
    assert.ok(Date.parse(backfill.gate.until) - Date.now() > 47 * 3_600_000);
    const text = await run('status', '--env', 'staging');
    assert.match(text.stdout, /002\s+backfill\s+waiting\s+waiting: soak until/);
    const markdown = await run('status', '--format', 'markdown');
    assert.match(markdown.stdout, /\| `002` backfill \| waiting: soak until [^|]+\|/);

    await ageHistory(staging, 49);
    const second = await run('apply', '--env', 'staging');
    assert.equal(second.code, 0, second.stderr);
    // staging is not protected: 003's 7d soak and its approval are for protected environments only.
    assert.match(second.stdout, /Applied 2 migrations to staging; 0 pending\./);
  });

  it('--ignore-soak needs the environment named and a reason, and leaves an ignore-soak event', async () => {
    const { run } = await project();
    await run('apply', '--env', 'staging', '--to', '001');
    const unconfirmed = await run('apply', '--env', 'staging', '--ignore-soak', '--reason', 'hotfix for the outage');
    assert.equal(unconfirmed.code, 2);
    assert.match(unconfirmed.stderr, /--ignore-soak applies migrations before their soak time is over: confirm with --confirm staging/);
    const noReason = await run('apply', '--env', 'staging', '--ignore-soak', '--confirm', 'staging');
    assert.equal(noReason.code, 2);
    assert.match(noReason.stderr, /--ignore-soak needs --reason TEXT/);
    const forced = await run('apply', '--env', 'staging', '--ignore-soak', '--confirm', 'staging', '--reason', 'hotfix for the outage');
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /Applied 2 migrations to staging/);
    const history = await run('history', '--env', 'staging');
    assert.match(history.stdout, /ignore-soak.*soak until .* \(48h after 001 was applied in staging\); applied anyway: hotfix for the outage/);
  });

  it('a protected environment with approvers applies only what one of them approved there, for this file', async () => {
    const { run, ageHistory, production } = await project();
    const refused = await run('apply', '--env', 'production', '--confirm', 'production');
    assert.equal(refused.code, 0, refused.stderr);
    assert.match(
      refused.stdout,
      /Nothing applied to production\. Stopped before 001 expand: waiting: approval by dana or lee in production \(tidemark approve 001 --env production --as NAME --reason TEXT\)/,
    );
    const stranger = await run('approve', '001', '--env', 'production', '--as', 'eve', '--reason', 'lgtm');
    assert.equal(stranger.code, 2);
    assert.match(stranger.stderr, /eve is not an approver of production \(approvers in tidemark.json: dana, lee\)/);
    const approved = await run('approve', '001', '--env', 'production', '--as', 'dana', '--reason', 'backup taken, tests green');
    assert.equal(approved.code, 0, approved.stderr);
    assert.equal(approved.stdout, 'Approved 001 expand for production as dana: backup taken, tests green\n');
    const status = await run('status', '--env', 'production');
    assert.match(status.stdout, /001\s+expand\s+pending\s+approved by dana \d{4}-\d\d-\d\d \d\d:\d\d UTC: backup taken, tests green/);
    assert.match(status.stdout, /002\s+backfill\s+waiting\s+waiting: approval by dana or lee/);
    const history = await run('history', '--env', 'production');
    assert.match(history.stdout, /approve.*dana.*backup taken, tests green \(file sha256 [0-9a-f]{12}\)/);
    const applied = await run('apply', '--env', 'production', '--confirm', 'production');
    assert.match(applied.stdout, /Applied 1 migration to production\. Stopped before 002 backfill: waiting: soak until/);
    await run('approve', '002', '--env', 'production', '--as', 'lee', '--reason', 'soak clean');
    await run('approve', '003', '--env', 'production', '--as', 'lee', '--reason', 'contract reviewed');
    await ageHistory(production, 49);
    const next = await run('apply', '--env', 'production', '--confirm', 'production');
    assert.match(next.stdout, /Applied 1 migration to production\. Stopped before 003 contract: waiting: soak until .* \(7d after 002 was applied in production\)/);
    await ageHistory(production, 7 * 24);
    const last = await run('apply', '--env', 'production', '--confirm', 'production');
    assert.match(last.stdout, /Applied 1 migration to production; 0 pending\./, last.stdout + last.stderr);
    const again = await run('approve', '003', '--env', 'production', '--as', 'lee', '--reason', 'again');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /003 contract is already applied in production/);
  });
});
