import assert from 'node:assert/strict';
import {
  environmentRow,
  escapeMarkdown,
  fileBadge,
  fileLenses,
  migrationRow,
  newestAppliedVersion,
  pendingCount,
  relativeTime,
  statusBarText,
  summarize,
} from '../../../client/src/tree-model';
import { environment, migration } from './fixtures';

const now = new Date('2026-11-26T12:00:00Z');

describe('client tree model', () => {
  const staging = environment('staging', [
    migration('001', 'create_users', 'applied', { appliedAt: '2026-11-26T11:57:00Z', appliedBy: 'ana' }),
    migration('002', 'add_email', 'drifted', { appliedAt: '2026-11-20T09:00:00Z', appliedBy: 'ben' }),
    migration('003', 'add_index', 'pending'),
    migration('004', 'backfill', 'pending'),
    migration('005', 'drop_old', 'pending'),
  ]);

  it('summarises an environment with what needs attention, most urgent first', () => {
    assert.equal(summarize(staging), '1 drifted · 3 pending');
    assert.equal(pendingCount(staging), 3);
  });

  it('says an environment is up to date when nothing is pending', () => {
    const done = environment('local', [migration('001', 'a', 'applied'), migration('002', 'b', 'verified')]);
    assert.equal(summarize(done), 'up to date · 2 applied');
    assert.equal(summarize(environment('local', [])), 'no migrations');
  });

  it('shows why an environment cannot be read instead of a summary', () => {
    const down = environment('staging', [], {}, 'connect ECONNREFUSED 10.0.0.5:5432\nstack...');
    assert.equal(summarize(down), 'unavailable: connect ECONNREFUSED 10.0.0.5:5432');
    const row = environmentRow(down);
    assert.equal(row.icon.id, 'debug-disconnect');
    assert.match(row.contextValue, /\bunavailable\b/);
  });

  it('shows an untracked environment with what it holds and offers Adopt instead of Apply', () => {
    const legacy = {
      ...environment('legacy', [migration('001', 'users', 'pending'), migration('002', 'orders', 'pending')]),
      tracking: { state: 'untracked' as const, foreign: { tool: 'dbmate' as const, table: 'public.schema_migrations', versions: ['001', '002'] }, objects: 14 },
    };
    const row = environmentRow(legacy);
    assert.equal(row.description, "not tracked by Tidemark yet; dbmate's public.schema_migrations lists 001–002; 14 tables exist");
    assert.equal(row.icon.id, 'question');
    assert.equal(row.contextValue, 'environment postgres untracked');
    assert.match(row.tooltip, /Adopt…\* records what is already applied, without running it/);
    const tracked = environmentRow({ ...legacy, tracking: { state: 'tracked', foreign: legacy.tracking.foreign, notInHistory: ['003'] } });
    assert.equal(tracked.description, '2 pending', 'a tracked environment keeps its summary');
    const warning = "warning: dbmate's public.schema_migrations lists 003, not in Tidemark's history: is another migration tool still applying here?";
    assert.ok(tracked.tooltip.includes(`$(warning) ${escapeMarkdown(warning)}`), tracked.tooltip);
  });

  it('shows an environment managed by another tool with its states, offers Adopt, and Apply only where Tidemark may write its table', () => {
    const prisma = {
      ...environment('prod', [migration('20240101000000', 'init', 'applied', { appliedBy: 'prisma' }), migration('20240102000000', 'posts', 'pending')]),
      tracking: {
        state: 'managed' as const,
        foreign: { tool: 'prisma' as const, table: 'public._prisma_migrations', versions: ['20240101000000'] },
        managedBy: { tool: 'prisma' as const, table: 'public._prisma_migrations', writable: false, command: 'npx prisma migrate deploy' },
      },
    };
    const row = environmentRow(prisma);
    assert.equal(row.description, 'managed by prisma · 1 pending');
    assert.match(row.contextValue, /^environment postgres managed\b/, 'Adopt is offered');
    assert.doesNotMatch(row.contextValue, /\bhasPending\b/, 'no Apply: the table is read-only for Tidemark');
    assert.ok(row.tooltip.includes('$(info) managed by prisma: states read from'), row.tooltip);
    const dbmate = environmentRow({ ...prisma, tracking: { ...prisma.tracking, managedBy: { tool: 'dbmate' as const, table: 'public.schema_migrations', writable: true } } });
    assert.match(dbmate.contextValue, /^environment postgres hasPending managed\b/, 'compatibility mode: Apply is offered');
  });

  it('says in the tooltip that an adopted migration was recorded without running', () => {
    const row = migrationRow(migration('001', 'users', 'applied', { appliedAt: '2026-11-26T11:57:00Z', appliedBy: 'ana', adoptedFrom: 'dbmate' }), true, now);
    assert.ok(row.tooltip.includes(`Recorded ${escapeMarkdown('adopted from dbmate (not run by Tidemark)')}.`), row.tooltip);
    assert.ok(!migrationRow(migration('001', 'users', 'applied'), true, now).tooltip.includes('Recorded'), 'only adopted rows say so');
  });

  it("names the layout the folder was read as and how many migrations it holds: 'goose · 2 migrations'", () => {
    const goose = {
      ...environment('sandbox', [migration('1', 'a', 'applied'), migration('2', 'b', 'pending')]),
      layout: 'goose',
      layoutEvidence: '-- +goose Up in 2 of 2 .sql files',
    };
    const row = environmentRow(goose);
    assert.equal(row.description, 'goose · 2 migrations · 1 pending');
    assert.match(row.tooltip, /Read as a goose folder \(/);
  });

  it('the status bar shows a tick only when migrations were read and none waits', () => {
    assert.equal(statusBarText(environment('sandbox', [migration('1', 'a', 'applied')])), '$(database) sandbox $(check)');
    assert.equal(statusBarText(environment('sandbox', [migration('1', 'a', 'pending')])), '$(database) sandbox $(arrow-up) 1');
    assert.equal(statusBarText(environment('sandbox', [])), '$(database) sandbox · no migrations');
    assert.equal(statusBarText(environment('sandbox', [], {}, 'no migration layout recognised in migrations: saw 300 folders with .sql files')), '$(warning) sandbox');
  });

  it('marks protected environments and their upstream in the row', () => {
    const prod = environment('production', [migration('001', 'a', 'pending')], { protected: true, after: 'staging' });
    const row = environmentRow(prod);
    assert.equal(row.label, 'production');
    assert.equal(row.description, 'protected · after staging · 1 pending');
    assert.equal(row.icon.id, 'lock');
    assert.match(row.tooltip, /protected/);
    assert.equal(row.contextValue, 'environment postgres protected hasPending');
  });

  it('describes applied migrations with when and by whom, pending ones by their state', () => {
    const [first, second, third] = staging.migrations;
    assert.equal(migrationRow(first, false, now).description, 'applied 3 minutes ago by ana');
    assert.equal(migrationRow(second, true, now).description, 'drifted 6 days ago by ben');
    assert.equal(migrationRow(third, false, now).description, 'pending');
    assert.equal(migrationRow(third, false, now).label, '003 add_index');
  });

  it('gives each state its own icon and colour', () => {
    const applied = migrationRow(staging.migrations[0], false, now);
    const pending = migrationRow(staging.migrations[2], false, now);
    const drifted = migrationRow(staging.migrations[1], false, now);
    assert.deepEqual(applied.icon, { id: 'pass', color: 'testing.iconPassed' });
    assert.notEqual(pending.icon.id, applied.icon.id);
    assert.notEqual(drifted.icon.id, applied.icon.id);
    assert.match(drifted.tooltip, /Show Diff/);
  });

  it('puts the state first in the context value so menus can match it', () => {
    assert.equal(migrationRow(staging.migrations[1], true, now).contextValue, 'migration drifted hasFile hasDown newestApplied');
    const missing = migrationRow({ version: '009', name: 'gone', state: 'missing', hasDown: false, hasVerify: false }, false, now);
    assert.equal(missing.contextValue, 'migration missing');
  });

  it("shows a failed migration's progress and error", () => {
    const failed = migrationRow(migration('006', 'concurrent_index', 'failed', { statementsDone: 2, error: 'deadlock detected' }), false, now);
    assert.equal(failed.description, 'failed after 2 statements');
    assert.match(failed.tooltip, /deadlock detected/);
  });

  it('shows a blocked migration with its own icon and every reason, and a migration for other environments greyed without a badge or pending count', () => {
    const blocked = migrationRow(migration('007', 'invoices', 'blocked', { blockedReasons: ['billing queue drained', 'backfill done'] }), false, now);
    assert.deepEqual(blocked.icon, { id: 'circle-slash', color: 'charts.red' });
    assert.equal(blocked.description, 'blocked');
    assert.match(blocked.tooltip, /Waits for:\n- billing queue drained\n- backfill done/);
    const elsewhere = migrationRow(migration('008', 'prod_seed', 'not-for-this-environment', { environments: ['production'] }), false, now);
    assert.deepEqual(elsewhere.icon, { id: 'circle-small', color: 'disabledForeground' });
    assert.equal(elsewhere.description, 'not for this environment');
    assert.match(elsewhere.tooltip, /Only for: production/);
    const env = environment('staging', [
      migration('001', 'a', 'applied'),
      migration('007', 'invoices', 'blocked', { blockedReasons: ['x'] }),
      migration('008', 'prod_seed', 'not-for-this-environment'),
    ]);
    assert.equal(summarize(env), '1 blocked');
    assert.equal(pendingCount(env), 0);
    assert.equal(fileBadge([env], '/proj/migrations/008_prod_seed.sql'), undefined);
    assert.deepEqual(fileBadge([env], '/proj/migrations/007_invoices.sql'), { badge: 'B', tooltip: 'blocked in staging', color: 'charts.red' });
  });

  it('finds the newest applied migration, the one "roll back last" undoes', () => {
    assert.equal(newestAppliedVersion(staging), '002');
    assert.equal(newestAppliedVersion(environment('x', [migration('001', 'a', 'pending')])), undefined);
  });

  it('puts a state lens per environment and the action that moves its tidemark above a file', () => {
    const sandbox = environment('sandbox', [migration('001', 'create_users', 'applied'), migration('003', 'add_index', 'applied')]);
    const lenses = fileLenses([sandbox, staging], '/proj/migrations/003_add_index.sql');
    assert.deepEqual(
      lenses.map((l) => [l.title, l.action]),
      [
        ['$(pass) sandbox: applied', 'none'],
        ['Roll back sandbox', 'rollbackLast'],
        ['$(circle-large-outline) staging: pending', 'none'],
        ['Apply to staging', 'apply'],
      ],
    );
    const older = fileLenses([sandbox], '/proj/migrations/rollback/001_create_users.sql');
    assert.deepEqual(
      older.map((l) => l.title),
      ['$(pass) sandbox: applied', 'Roll back sandbox to here'],
    );
    assert.deepEqual(fileLenses([sandbox], '/proj/notes.sql'), []);
  });

  it('badges a file in the Explorer with its most urgent state across environments', () => {
    const local = environment('local', [migration('002', 'add_email', 'pending')]);
    const badge = fileBadge([local, staging], '/proj/migrations/002_add_email.sql');
    assert.deepEqual(badge, { badge: 'D', tooltip: 'drifted in staging, pending in local', color: 'charts.orange' });
    assert.equal(fileBadge([staging], '/proj/migrations/001_create_users.sql'), undefined);
  });

  it('writes times relative to now', () => {
    assert.equal(relativeTime(new Date('2026-11-26T11:59:50Z'), now), 'just now');
    assert.equal(relativeTime(new Date('2026-11-26T10:00:00Z'), now), '2 hours ago');
    assert.equal(relativeTime(new Date('2026-11-25T10:00:00Z'), now), 'yesterday');
    assert.equal(relativeTime(new Date('2026-01-02T10:00:00Z'), now), 'on 2026-01-02');
  });

  it('a repeatable migration (Flyway R__) says so, says when it changed, and is never the one "roll back last" undoes', () => {
    const env = environment('local', [
      migration('1', 'users', 'applied'),
      migration('R__views', 'views', 'pending', { repeatable: true, note: 'changed since it was applied on 2026-11-26T10:00:00.000Z: apply runs it again' }),
      migration('R__zones', 'zones', 'applied', { repeatable: true }),
    ]);
    assert.equal(newestAppliedVersion(env), '1');
    const changed = migrationRow(env.migrations[1], false, now);
    assert.equal(changed.description, 'pending · changed, runs again');
    assert.match(changed.tooltip, /Repeatable: applied after the versioned migrations, and again whenever its file changes \(changed since it was applied/);
    assert.equal(migrationRow(env.migrations[2], false, now).description, 'applied · repeatable');
  });
});
