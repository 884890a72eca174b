/**
 * Adopting databases other tools migrated, on PostgreSQL servers and PGlite: each tool's history
 * table is created with the column types and rows that tool writes (dbmate's postgres driver,
 * golang-migrate's postgres driver, Flyway's createMetaDataTable.sql, sqitch's pg registry, a
 * runbook's own table), with the tables its migrations built. Then status, apply's refusal,
 * adopt, the rest applied, verify, and mark applied/pending.
 */
import assert from 'node:assert/strict';
import { adoptEnvironment } from '../../server/src/adopt/adopt';
import { markMigrations } from '../../server/src/adopt/mark';
import { describeTracking } from '../../server/src/database/tracking';
import { applyMigrations } from '../../server/src/runner/apply';
import { recentEvents } from '../../server/src/runner/status';
import { verifyMigrations } from '../../server/src/runner/verify';
import { backends, type Fixture } from './backends';
import { refusal, status } from './local-status';

const USERS = `-- migrate:up
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);
INSERT INTO users VALUES (1, 'ada@example.com');
-- migrate:down
DROP TABLE users;
-- migrate:verify
-- expect: 1
SELECT count(*) FROM users;
`;
const NAME = `-- migrate:up
ALTER TABLE users ADD COLUMN name text;
-- migrate:down
ALTER TABLE users DROP COLUMN name;
`;
const ORDERS = `-- migrate:up
CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users);
-- migrate:down
DROP TABLE orders;
`;
/** What the three migrations built, as the other tool left it. */
const BUILT = `CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, name text); INSERT INTO users VALUES (1, 'ada@example.com', NULL);`;
const FILES = { 'migrations/001_users.sql': USERS, 'migrations/002_add_name.sql': NAME, 'migrations/003_orders.sql': ORDERS };

const states = async (f: Fixture) => Object.fromEntries((await status(f)).migrations.map((m) => [m.version, m.state]));

for (const backend of backends()) {
  describe(`adopting existing databases on ${backend.label}`, function () {
    this.timeout(120_000);
    before(() => backend.start());
    after(() => backend.stop());

    it('dbmate: status reads its table (managed by dbmate), adopt --from dbmate records 001-002, apply runs only 003, verify proves 001', async () => {
      const f = await backend.fixture(FILES);
      await f.exec(
        'local',
        `${BUILT} CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) primary key); INSERT INTO schema_migrations (version) VALUES ('001'), ('002');`,
      );
      const before = await status(f);
      assert.deepEqual(before.tracking, {
        state: 'managed',
        foreign: { tool: 'dbmate', table: 'public.schema_migrations', versions: ['001', '002'] },
        managedBy: { tool: 'dbmate', table: 'public.schema_migrations', writable: true, command: 'dbmate up' },
      });
      assert.equal(
        describeTracking(before.tracking!, before.migrations),
        "managed by dbmate: states read from dbmate's public.schema_migrations; apply and rollback record there as dbmate does (compatibility mode)",
      );
      assert.deepEqual(
        before.migrations.map((m) => [m.version, m.state, m.appliedBy]),
        [
          ['001', 'applied', 'dbmate'],
          ['002', 'applied', 'dbmate'],
          ['003', 'pending', undefined],
        ],
      );
      assert.deepEqual(await f.sql('local', 'SELECT count(*)::int AS n FROM users'), [{ n: 1 }], 'nothing ran twice');

      const dry = await adoptEnvironment(f.project(), 'local', { ...f.options, from: 'dbmate', dryRun: true });
      assert.deepEqual(
        dry.recorded.map((r) => r.version),
        ['001', '002'],
      );
      assert.match(dry.summary, /^Would record 2 migrations as applied in local from dbmate's public\.schema_migrations/);
      assert.equal((await status(f)).tracking?.state, 'managed', 'a dry run writes nothing');

      const adopted = await adoptEnvironment(f.project(), 'local', { ...f.options, from: 'dbmate' });
      assert.equal(adopted.summary, "Recorded 2 migrations as applied in local from dbmate's public.schema_migrations, without running them; `tidemark apply` applies the rest.");
      const after = await status(f);
      assert.equal(after.tracking?.state, 'tracked');
      assert.deepEqual(
        after.migrations.map((m) => [m.version, m.state, m.adoptedFrom]),
        [
          ['001', 'applied', 'dbmate'],
          ['002', 'applied', 'dbmate'],
          ['003', 'pending', undefined],
        ],
      );
      const events = await recentEvents(f.project(), 'local', 10, f.options);
      assert.deepEqual(events.map((e) => [e.kind, e.version]).sort(), [
        ['adopt', '001'],
        ['adopt', '002'],
      ]);
      assert.match(events[0].message ?? '', /adopted from dbmate's public\.schema_migrations without running it \(2 versions: 001, 002\)/);

      const applied = await applyMigrations(f.project(), 'local', { ...f.options, verifyAfterApply: false });
      assert.deepEqual(
        applied.steps.map((s) => [s.version, s.outcome]),
        [['003', 'ok']],
      );
      assert.deepEqual(await f.sql('local', 'SELECT count(*)::int AS n FROM users'), [{ n: 1 }]);
      const verified = await verifyMigrations(f.project(), 'local', f.options);
      assert.ok(
        verified.steps.some((s) => s.version === '001' && s.outcome === 'ok'),
        JSON.stringify(verified.steps),
      );
      assert.equal((await states(f))['001'], 'verified');

      // dbmate still in use: a version it lists that Tidemark's history lacks is warned about.
      await f.sql('local', `INSERT INTO schema_migrations (version) VALUES ('004')`);
      const warned = await status(f);
      assert.deepEqual(warned.tracking?.notInHistory, ['004']);
      assert.match(describeTracking(warned.tracking!, warned.migrations) ?? '', /^warning: dbmate's public\.schema_migrations lists 004, not in Tidemark's history/);
    });

    it('golang-migrate: every version up to the current one; a dirty current version is refused unless --skip-failed', async () => {
      const f = await backend.fixture({
        'migrations/000001_users.up.sql': USERS.split('-- migrate:down')[0].replace('-- migrate:up\n', ''),
        'migrations/000002_add_name.up.sql': 'ALTER TABLE users ADD COLUMN name text;\n',
        'migrations/000003_orders.up.sql': 'CREATE TABLE orders (id int);\n',
      });
      await f.exec(
        'local',
        `${BUILT} CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null); INSERT INTO schema_migrations VALUES (2, true);`,
      );
      const s = await status(f);
      assert.deepEqual(s.tracking?.foreign, { tool: 'golang-migrate', table: 'public.schema_migrations', versions: ['000001', '000002'], failed: ['000002'] });
      const refused = await refusal(adoptEnvironment(f.project(), 'local', { ...f.options, from: 'golang-migrate' }));
      assert.match(
        refused,
        /^refusing to adopt local from golang-migrate's public\.schema_migrations: 000002 \(golang-migrate's public\.schema_migrations records it as failed\); fix them, or leave them out with --skip-failed/,
      );
      assert.deepEqual(
        await states(f),
        { '000001': 'applied', '000002': 'failed', '000003': 'pending' },
        "refused: nothing recorded, the state is still golang-migrate's (dirty: failed)",
      );
      assert.equal((await status(f)).tracking?.state, 'managed');
      const adopted = await adoptEnvironment(f.project(), 'local', { ...f.options, from: 'golang-migrate', skipFailed: true });
      assert.deepEqual(adopted.skipped, [{ version: '000002', reason: "golang-migrate's public.schema_migrations records it as failed" }]);
      assert.deepEqual(await states(f), { '000001': 'applied', '000002': 'pending', '000003': 'pending' });
    });

    it('Flyway: imports successful versions with installed_on; a success = false row and a version with no file are listed', async () => {
      const f = await backend.fixture({
        'migrations/V1__users.sql': 'CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, name text);\n',
        'migrations/V1_1__seed.sql': "INSERT INTO users VALUES (1, 'a', NULL);\n",
        'migrations/V2__orders.sql': 'CREATE TABLE orders (id int);\n',
      });
      await f.exec(
        'local',
        `${BUILT}
        CREATE TABLE "public"."flyway_schema_history" ("installed_rank" INT NOT NULL, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL, "type" VARCHAR(20) NOT NULL,
          "script" VARCHAR(1000) NOT NULL, "checksum" INTEGER, "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
          "execution_time" INTEGER NOT NULL, "success" BOOLEAN NOT NULL);
        ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
        CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");
        INSERT INTO flyway_schema_history VALUES
          (1, '1', 'users', 'SQL', 'V1__users.sql', 1386524517, 'postgres', '2025-03-04 05:06:07.123', 14, true),
          (2, '1.1', 'seed', 'SQL', 'V1_1__seed.sql', -512039213, 'postgres', '2025-03-04 05:06:08', 3, true),
          (3, '1.5', 'gone', 'SQL', 'V1_5__gone.sql', 77, 'postgres', '2025-03-04 05:06:09', 3, true),
          (4, '2', 'orders', 'SQL', 'V2__orders.sql', 99, 'postgres', '2025-03-04 05:06:10', 5, false);`,
      );
      const refused = await refusal(adoptEnvironment(f.project(), 'local', { ...f.options, from: 'flyway' }));
      assert.match(refused, /1\.5 \(no migration file has this version\); 2 \(flyway's public\.flyway_schema_history records it as failed\)/);
      await adoptEnvironment(f.project(), 'local', { ...f.options, from: 'flyway', skipFailed: true });
      const s = await status(f);
      assert.deepEqual(
        s.migrations.map((m) => [m.version, m.state, m.appliedAt]),
        [
          ['1', 'applied', '2025-03-04T05:06:07.123Z'],
          ['1.1', 'applied', '2025-03-04T05:06:08.000Z'],
          ['2', 'pending', undefined],
        ],
      );
    });

    it('sqitch.changes by change name, and a runbook table of base names with applied_at', async () => {
      const f = await backend.fixture(FILES);
      await f.exec(
        'local',
        `${BUILT} CREATE SCHEMA sqitch;
        CREATE TABLE sqitch.projects (project TEXT PRIMARY KEY, uri TEXT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), creator_name TEXT NOT NULL, creator_email TEXT NOT NULL);
        CREATE TABLE sqitch.changes (change_id TEXT PRIMARY KEY, script_hash TEXT NULL, change TEXT NOT NULL, project TEXT NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE,
          note TEXT NOT NULL DEFAULT '', committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), committer_name TEXT NOT NULL, committer_email TEXT NOT NULL,
          planned_at TIMESTAMPTZ NOT NULL, planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, UNIQUE(project, script_hash));
        INSERT INTO sqitch.projects VALUES ('app', NULL, now(), 'Ana', 'ana@example.com');
        INSERT INTO sqitch.changes (change_id, script_hash, change, project, committed_at, committer_name, committer_email, planned_at, planner_name, planner_email) VALUES
          ('a1', 'h1', 'users', 'app', '2025-01-01 10:00:00+00', 'Ana', 'ana@example.com', now(), 'Ana', 'ana@example.com'),
          ('a2', 'h2', 'add_name', 'app', '2025-01-02 10:00:00+00', 'Ana', 'ana@example.com', now(), 'Ana', 'ana@example.com');`,
      );
      const s = await status(f);
      assert.deepEqual(s.tracking?.foreign, { tool: 'sqitch', table: 'sqitch.changes', versions: ['001', '002'] }, 'changes named by the files they match, by name');
      assert.equal(s.tracking?.objects, 1, 'sqitch registry tables are not counted');
      await adoptEnvironment(f.project(), 'local', { ...f.options, from: 'sqitch' });
      assert.deepEqual(
        (await status(f)).migrations.map((m) => [m.version, m.state, m.appliedAt]),
        [
          ['001', 'applied', '2025-01-01T10:00:00.000Z'],
          ['002', 'applied', '2025-01-02T10:00:00.000Z'],
          ['003', 'pending', undefined],
        ],
      );

      const g = await backend.fixture(FILES);
      await g.exec(
        'local',
        `${BUILT} CREATE TABLE ops; CREATE TABLE ops.applied (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());`.replace(
          'CREATE TABLE ops;',
          'CREATE SCHEMA ops;',
        ) + ` INSERT INTO ops.applied VALUES ('001_users', '2024-06-01 08:00:00+00'), ('002_add_name', '2024-06-02 08:00:00+00');`,
      );
      assert.equal((await status(g)).tracking?.foreign, undefined, 'not on the search path and not named schema_migrations');
      const adopted = await adoptEnvironment(g.project(), 'local', { ...g.options, from: 'table:ops.applied' });
      assert.deepEqual(adopted.recorded, [
        { version: '001', name: 'users', appliedAt: '2024-06-01T08:00:00.000Z' },
        { version: '002', name: 'add_name', appliedAt: '2024-06-02T08:00:00.000Z' },
      ]);
      assert.equal((await status(g)).migrations[0].adoptedFrom, 'table:ops.applied');
    });

    it("the runbooks' schema_migrations(version text, applied_at) is found by itself; --to baseline; an empty database applies as before", async () => {
      const f = await backend.fixture(FILES);
      await f.exec(
        'local',
        `${BUILT} CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz); INSERT INTO schema_migrations VALUES ('001_users', NULL), ('002_add_name', '2024-06-02 08:00:00+00');`,
      );
      const s = await status(f);
      assert.equal(describeTracking(s.tracking!, s.migrations), 'not tracked by Tidemark yet; public.schema_migrations lists 001–002; 1 table exists');
      assert.match(await refusal(applyMigrations(f.project(), 'local', f.options)), /import it with `tidemark adopt --env local --from table:public\.schema_migrations`/);

      const b = await backend.fixture(FILES);
      await b.exec('local', BUILT);
      assert.deepEqual((await status(b)).tracking, { state: 'untracked', objects: 1 });
      assert.match(
        await refusal(applyMigrations(b.project(), 'local', b.options)),
        /\(1 table or view exists; record what is already applied with `tidemark adopt --env local --to VERSION`/,
      );
      assert.match(await refusal(adoptEnvironment(b.project(), 'local', { ...b.options, to: '009' })), /--to 009: no migration file has this version/);
      assert.match(await refusal(adoptEnvironment(b.project(), 'prod', { ...b.options, to: '002' })), /prod is protected: to adopt it, confirm with --confirm prod/);
      const base = await adoptEnvironment(b.project(), 'local', { ...b.options, to: '002' });
      assert.match(base.summary, /^Recorded 2 migrations as applied in local from a baseline up to 002/);
      assert.deepEqual(
        (await status(b)).migrations.map((m) => [m.version, m.state, m.adoptedFrom]),
        [
          ['001', 'applied', 'baseline'],
          ['002', 'applied', 'baseline'],
          ['003', 'pending', undefined],
        ],
      );
      const applied = await applyMigrations(b.project(), 'local', b.options);
      assert.deepEqual(
        applied.steps.filter((x) => x.action === 'apply').map((x) => x.version),
        ['003'],
      );

      const empty = await backend.fixture(FILES);
      assert.deepEqual((await status(empty)).tracking, { state: 'empty', objects: 0 });
      const all = await applyMigrations(empty.project(), 'local', { ...empty.options, verifyAfterApply: false });
      assert.equal(all.summary, 'Applied 3 migrations to local; 0 pending.');
    });

    it('mark applied / mark pending: names the state before, writes an event with the reason, refuses versions with no file; upgrades an old history table', async () => {
      const f = await backend.fixture(FILES);
      // History tables as Tidemark wrote them before adopt existed: no adopted_from, the old event kinds.
      await f.exec(
        'local',
        `CREATE SCHEMA tidemark;
        CREATE TABLE tidemark.migrations (version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, up_sql text NOT NULL, down_sql text, verify_sql text,
          applied_at timestamptz NOT NULL DEFAULT now(), applied_by text NOT NULL, duration_ms integer, state text NOT NULL CHECK (state IN ('applied', 'failed')),
          statements_done integer NOT NULL DEFAULT 0, error text, verify_result text CHECK (verify_result IN ('passed', 'failed')), verify_message text, verified_at timestamptz);
        CREATE TABLE tidemark.events (id bigserial PRIMARY KEY, version text NOT NULL, kind text NOT NULL CHECK (kind IN ('apply', 'rollback', 'verify', 'fail')),
          actor text NOT NULL, client_host text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp(), duration_ms integer, message text);
        CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);
        INSERT INTO tidemark.migrations (version, name, checksum, up_sql, applied_by, state) VALUES ('001', 'users', 'old', 'x', 'ana', 'applied');
        INSERT INTO tidemark.events (version, kind, actor, client_host) VALUES ('001', 'apply', 'ana', 'h');`,
      );
      assert.deepEqual(await states(f), { '001': 'drifted', '002': 'pending', '003': 'pending' }, 'an old history table is read as before');
      assert.match(await refusal(markMigrations(f.project(), 'local', 'applied', ['007'], f.options)), /^cannot mark 007 applied in local: no migration file has this version/);
      assert.match(
        await refusal(markMigrations(f.project(), 'local', 'applied', ['001'], f.options)),
        /^cannot mark 001 applied in local: it is already drifted \(applied .* by ana\)/,
      );
      const marked = await markMigrations(f.project(), 'local', 'applied', ['002'], { ...f.options, reason: 'ran by hand during incident 42' });
      assert.deepEqual(marked.changes, [{ version: '002', name: 'add_name', before: 'pending', after: 'applied (marked by hand)' }]);
      assert.deepEqual(
        (await status(f)).migrations.map((m) => [m.version, m.state, m.adoptedFrom]),
        [
          ['001', 'drifted', undefined],
          ['002', 'applied', 'mark'],
          ['003', 'pending', undefined],
        ],
      );
      const pending = await markMigrations(f.project(), 'local', 'pending', ['001'], { ...f.options, reason: 'dropped by hand' });
      assert.match(pending.changes[0].before, /^drifted \(applied /);
      assert.deepEqual(await states(f), { '001': 'out-of-order', '002': 'applied', '003': 'pending' }, '001 is now older than the applied 002');
      const events = await recentEvents(f.project(), 'local', 2, f.options);
      assert.deepEqual(
        events.map((e) => [e.kind, e.version]),
        [
          ['mark', '001'],
          ['mark', '002'],
        ],
      );
      assert.match(events[0].message ?? '', /^marked pending without running SQL \(was drifted .*\): dropped by hand$/);
      assert.match(events[1].message ?? '', /^marked applied without running it \(was pending\): ran by hand during incident 42$/);
      assert.match(await refusal(markMigrations(f.project(), 'local', 'pending', ['003'], f.options)), /^cannot mark 003 pending in local: it has no history row \(pending\)/);
    });
  });
}
