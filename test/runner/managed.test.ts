/**
 * Environments managed by another migration tool, on PostgreSQL servers and PGlite: for each tool a
 * database prepared as the tool leaves it — its history table created with the columns and rows
 * its source writes (cited in each reader in server/src/database/foreign-history/) — beside files
 * in that tool's layout. Status reads the tool's table (applied with its time, failed, rolled back,
 * pending, applied but missing its file, edited after it was applied); apply refuses naming the
 * tool's own command and `tidemark adopt`; adopt --dry-run, then adopt records where each row came
 * from. Tools whose layout has no reader yet are adopted from beside dbmate-format files, and a
 * table of another tool than the files' layout is reported, not read as their state.
 * The compatibility mode with the real tools is tested in test/cli/adopt.test.ts (dbmate) and
 * test/cli/managed-compat.test.ts (node-pg-migrate, graphile-migrate, drizzle-kit, sqitch).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { adoptEnvironment } from '../../server/src/adopt/adopt';
import { describeTracking } from '../../server/src/database/tracking';
import { applyMigrations } from '../../server/src/runner/apply';
import { rollbackMigrations } from '../../server/src/runner/rollback';
import { planMigrations } from '../../server/src/runner/plan';
import { verifyMigrations } from '../../server/src/runner/verify';
import { appliedAndCurrent } from '../../server/src/runner/status';
import { statusMarkdown, statusMatrix } from '../../server/src/status-document/matrix';
import { flywayChecksum } from '../../server/src/database/foreign-history/flyway';
import { backends } from './backends';
import { refusal, status } from './local-status';

const sha = (algorithm: string, text: string) => createHash(algorithm).update(text).digest('hex');
const A = 'CREATE TABLE a (id int);\n';
const B = 'CREATE TABLE b (id int);\n';
const B_BEFORE = 'CREATE TABLE b (id bigint);\n';
const C = 'CREATE TABLE c (id int);\n';
const D = 'CREATE TABLE d (id int);\n';
const VIEWS = 'CREATE OR REPLACE VIEW v AS SELECT 1 AS one;\n';
const ZONES = 'CREATE OR REPLACE VIEW z AS SELECT 2 AS two;\n';

interface Case {
  tool: string;
  files: Record<string, string>;
  config?: Record<string, unknown>;
  /** The tool's table and rows, as its source writes them. */
  table: string;
  states: Record<string, string>;
  notes?: Record<string, RegExp>;
  /** The apply refusal; undefined for a tool written in compatibility mode (tested with the real tool in test/cli). */
  refusal?: RegExp;
  adopted: string[];
  appliedAt?: [string, string];
}

const goose = (sql: string) => `-- +goose Up\n${sql}-- +goose Down\nSELECT 1;\n`;
const npm = (sql: string) => `-- Up Migration\n${sql}-- Down Migration\nSELECT 1;\n`;
const PRISMA_DIR = 'prisma/migrations';

const CASES: Case[] = [
  {
    tool: 'prisma',
    files: {
      [`${PRISMA_DIR}/migration_lock.toml`]: 'provider = "postgresql"\n',
      [`${PRISMA_DIR}/20240101000000_a/migration.sql`]: A,
      [`${PRISMA_DIR}/20240102000000_b/migration.sql`]: B,
      [`${PRISMA_DIR}/20240103000000_c/migration.sql`]: C,
      [`${PRISMA_DIR}/20240104000000_d/migration.sql`]: D,
    },
    config: { migrationsDir: PRISMA_DIR },
    // The schema engine's table; a row per attempt (c failed: finished_at NULL, logs), d marked rolled back.
    table: `CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL,
        "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0, CONSTRAINT "_prisma_migrations_pkey" PRIMARY KEY ("id"));
      INSERT INTO _prisma_migrations VALUES
        ('00000000-0000-0000-0000-000000000000', '${sha('sha256', 'SELECT 1;\n')}', '2023-12-31 10:00:00+00', '20231231000000_gone', NULL, NULL, '2023-12-31 10:00:00+00', 1),
        ('11111111-1111-1111-1111-111111111111', '${sha('sha256', A)}', '2024-01-01 10:00:01+00', '20240101000000_a', NULL, NULL, '2024-01-01 10:00:00+00', 1),
        ('22222222-2222-2222-2222-222222222222', '${sha('sha256', B_BEFORE)}', '2024-01-02 10:00:01+00', '20240102000000_b', NULL, NULL, '2024-01-02 10:00:00+00', 1),
        ('33333333-3333-3333-3333-333333333333', '${sha('sha256', C)}', NULL, '20240103000000_c', 'Database error: relation "c" already exists', NULL, '2024-01-03 10:00:00+00', 0),
        ('44444444-4444-4444-4444-444444444444', '${sha('sha256', D)}', NULL, '20240104000000_d', 'Database error', '2024-01-04 11:00:00+00', '2024-01-04 10:00:00+00', 0);`,
    states: { '20231231000000': 'missing', '20240101000000': 'applied', '20240102000000': 'drifted', '20240103000000': 'failed', '20240104000000': 'pending' },
    notes: {
      '20240102000000': /edited after it was applied: prisma's checksum differs/,
      '20240104000000': /marked rolled back \(prisma migrate resolve --rolled-back\) on 2024-01-04T11:00:00/,
    },
    refusal:
      /managed by prisma's public\._prisma_migrations, which Tidemark reads but does not write .*Run `npx prisma migrate deploy`, or move local to Tidemark's history with `tidemark adopt --env local --from prisma`/,
    adopted: ['20240101000000', '20240102000000'],
    appliedAt: ['20240101000000', '2024-01-01T10:00:01.000Z'],
  },
  {
    tool: 'drizzle',
    files: {
      'drizzle/meta/_journal.json': JSON.stringify({
        version: '7',
        dialect: 'postgresql',
        entries: ['0000_a', '0001_b', '0002_c', '0003_d'].map((tag, idx) => ({ idx, version: '7', when: 1700000000000 + idx, tag, breakpoints: true })),
      }),
      'drizzle/0000_a.sql': A,
      'drizzle/0001_b.sql': B,
      'drizzle/0002_c.sql': C,
      'drizzle/0003_d.sql': D,
    },
    config: { migrationsDir: 'drizzle' },
    // drizzle-orm's migrator: hash = SHA-256 of the file, created_at = the journal's `when`. 0001 was never
    // run and 0002 was: drizzle-kit's watermark has passed 0001 for good.
    table: `CREATE SCHEMA drizzle; CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
      INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('${sha('sha256', 'DROP TABLE x;')}', 1600000000000), ('${sha('sha256', A)}', 1700000000000), ('${sha('sha256', C)}', 1700000000002);`,
    states: { '0000': 'applied', '0001': 'out-of-order', '0002': 'applied', '0003': 'pending', [sha('sha256', 'DROP TABLE x;')]: 'missing' },
    notes: { '0001': /drizzle-kit will never run it: it runs only files whose journal time is after the newest applied row's created_at \(2023-11-14T22:13:20\.002Z\)/ },
    adopted: ['0000', '0002'],
    appliedAt: ['0000', '2023-11-14T22:13:20.000Z'],
  },
  {
    tool: 'supabase',
    files: {
      'supabase/config.toml': 'project_id = "app"\n',
      'supabase/migrations/20240101000000_a.sql': A,
      'supabase/migrations/20240102000000_b.sql': B,
      'supabase/migrations/20240103000000_c.sql': C,
    },
    config: { migrationsDir: 'supabase/migrations' },
    // The CLI's table with the statements it ran; b's file changed since.
    table: `CREATE SCHEMA supabase_migrations; CREATE TABLE supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY);
      ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[]; ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text;
      INSERT INTO supabase_migrations.schema_migrations (version, name, statements) VALUES ('20231231000000', 'gone', ARRAY['CREATE TABLE gone (id int)']),
        ('20240101000000', 'a', ARRAY['CREATE TABLE a (id int)']), ('20240102000000', 'b', ARRAY['CREATE TABLE b (id bigint)']);`,
    states: { '20231231000000': 'missing', '20240101000000': 'applied', '20240102000000': 'drifted', '20240103000000': 'pending' },
    notes: { '20240102000000': /edited after it was applied: the file differs from the SQL supabase stored/ },
    refusal: /Run `npx supabase db push`/,
    adopted: ['20240101000000', '20240102000000'],
  },
  {
    tool: 'goose',
    files: { 'migrations/20240101000000_a.sql': goose(A), 'migrations/20240102000000_b.sql': goose(B), 'migrations/20240103000000_c.sql': goose(C) },
    // goose's log: the version 0 row it writes on creation, b applied then rolled back (is_applied false).
    table: `CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NULL default now(), PRIMARY KEY(id));
      INSERT INTO goose_db_version (version_id, is_applied, tstamp) VALUES (0, true, '2023-12-01 00:00:00'), (20231231000000, true, '2023-12-31 00:00:00'),
        (20240101000000, true, '2024-01-01 09:30:00'), (20240102000000, true, '2024-01-02 00:00:00'), (20240102000000, false, '2024-01-02 01:00:00');`,
    states: { '20231231000000': 'missing', '20240101000000': 'applied', '20240102000000': 'pending', '20240103000000': 'pending' },
    notes: { '20240102000000': /rolled back by goose down/ },
    refusal: /Run `goose up`/,
    adopted: ['20240101000000'],
    appliedAt: ['20240101000000', '2024-01-01T09:30:00.000Z'],
  },
  {
    tool: 'diesel',
    files: {
      'migrations/2024-01-01-000000_a/up.sql': A,
      'migrations/2024-01-01-000000_a/down.sql': 'DROP TABLE a;\n',
      'migrations/2024-01-02-000000_b/up.sql': B,
      'migrations/2024-01-02-000000_b/down.sql': 'DROP TABLE b;\n',
    },
    table: `CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
      INSERT INTO __diesel_schema_migrations VALUES ('20231231000000', '2023-12-31 00:00:00'), ('20240101000000', '2024-01-01 08:00:00');`,
    states: { '20231231000000': 'missing', '20240101000000': 'applied', '20240102000000': 'pending' },
    refusal: /Run `diesel migration run`/,
    adopted: ['20240101000000'],
    appliedAt: ['20240101000000', '2024-01-01T08:00:00.000Z'],
  },
  {
    tool: 'sqlx',
    files: {
      'Cargo.toml': '[dependencies]\nsqlx = { version = "0.8", features = ["postgres"] }\n',
      'migrations/20240101000000_a.sql': A,
      'migrations/20240102000000_b.sql': B,
      'migrations/20240103000000_c.sql': C,
      'migrations/20240104000000_d.sql': D,
    },
    // sqlx's table: checksum = SHA-384 of the file; c stopped part-way (success = false).
    table: `CREATE TABLE IF NOT EXISTS _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL);
      INSERT INTO _sqlx_migrations VALUES (20240101000000, 'a', '2024-01-01 07:00:00+00', TRUE, '\\x${sha('sha384', A)}', 1000), (20240102000000, 'b', '2024-01-02 07:00:00+00', TRUE, '\\x${sha('sha384', B_BEFORE)}', 1000),
        (20240103000000, 'c', '2024-01-03 07:00:00+00', FALSE, '\\x${sha('sha384', C)}', -1), (20231231000000, 'gone', '2023-12-31 07:00:00+00', TRUE, '\\x00', 1);`,
    states: { '20231231000000': 'missing', '20240101000000': 'applied', '20240102000000': 'drifted', '20240103000000': 'failed', '20240104000000': 'pending' },
    notes: { '20240102000000': /edited after it was applied: sqlx's checksum differs from the file's/ },
    refusal: /Run `sqlx migrate run`/,
    adopted: ['20240101000000', '20240102000000'],
    appliedAt: ['20240101000000', '2024-01-01T07:00:00.000Z'],
  },
  {
    tool: 'flyway',
    files: {
      'migrations/V1__a.sql': A,
      'migrations/V1_1__b.sql': B,
      'migrations/V2__c.sql': C,
      'migrations/V3__d.sql': D,
      'migrations/R__views.sql': VIEWS,
      'migrations/R__zones.sql': ZONES,
    },
    // flyway_schema_history as Flyway's createMetaDataTable.sql makes it; checksums as ChecksumCalculator
    // computes them (b's is of the file before it was edited; CRLF line endings do not count).
    table: `CREATE TABLE "public"."flyway_schema_history" ("installed_rank" INT NOT NULL, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL, "type" VARCHAR(20) NOT NULL,
        "script" VARCHAR(1000) NOT NULL, "checksum" INTEGER, "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(), "execution_time" INTEGER NOT NULL, "success" BOOLEAN NOT NULL);
      ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
      INSERT INTO flyway_schema_history VALUES (1, '0.5', 'gone', 'SQL', 'V0_5__gone.sql', 12, 'postgres', '2023-12-31 00:00:00', 3, true),
        (2, '1', 'a', 'SQL', 'V1__a.sql', ${flywayChecksum(A.replace('\n', '\r\n'))}, 'postgres', '2024-01-01 06:00:00', 3, true),
        (3, '1.1', 'b', 'SQL', 'V1_1__b.sql', ${flywayChecksum(B_BEFORE)}, 'postgres', '2024-01-02 06:00:00', 3, true),
        (4, '2', 'c', 'SQL', 'V2__c.sql', ${flywayChecksum(C)}, 'postgres', '2024-01-03 06:00:00', 3, false),
        (5, NULL, 'views', 'SQL', 'R__views.sql', ${flywayChecksum(`${VIEWS}-- old\n`)}, 'postgres', '2024-01-03 06:00:00', 3, true),
        (6, NULL, 'views', 'SQL', 'R__views.sql', ${flywayChecksum(VIEWS)}, 'postgres', '2024-01-04 06:00:00', 3, true),
        (7, NULL, 'zones', 'SQL', 'R__zones.sql', ${flywayChecksum(`${ZONES}-- old\n`)}, 'postgres', '2024-01-04 06:00:00', 3, true);`,
    // Repeatables by their newest row: views ran as it is now; zones changed since, so it runs again (not drift).
    states: { '0.5': 'missing', '1': 'applied', '1.1': 'drifted', '2': 'failed', '3': 'pending', R__views: 'applied', R__zones: 'pending' },
    notes: { '1.1': /edited after it was applied: flyway's checksum differs from the file's/ },
    refusal: /Run `flyway migrate`/,
    // Both repeatables are recorded as Flyway ran them: zones, changed since, is then pending again.
    adopted: ['1', '1.1', 'R__views', 'R__zones'],
    appliedAt: ['1', '2024-01-01T06:00:00.000Z'],
  },
  {
    tool: 'node-pg-migrate',
    files: { 'migrations/1700000000000_a.sql': npm(A), 'migrations/1700000000001_b.sql': npm(B) },
    table: `CREATE TABLE pgmigrations (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL);
      INSERT INTO pgmigrations (name, run_on) VALUES ('1600000000000_gone', '2020-09-13 12:26:40'), ('1700000000000_a', '2023-11-14 22:13:20');`,
    states: { '1600000000000': 'missing', '1700000000000': 'applied', '1700000000001': 'pending' },
    adopted: ['1700000000000'],
    appliedAt: ['1700000000000', '2023-11-14T22:13:20.000Z'],
  },
];

for (const backend of backends()) {
  describe(`environments managed by another tool on ${backend.label}`, function () {
    this.timeout(180_000);
    before(() => backend.start());
    after(() => backend.stop());

    for (const c of CASES) {
      it(`${c.tool}: status reads its table, ${c.refusal ? 'apply and rollback refuse naming its command' : 'written in compatibility mode'}, adopt records its rows`, async () => {
        const f = await backend.fixture(c.files, c.config);
        await f.exec('local', `${A}${c.table}`);
        const s = await status(f);
        assert.equal(s.tracking?.state, 'managed', JSON.stringify(s.tracking));
        assert.equal(s.tracking?.managedBy?.tool, c.tool);
        assert.equal(s.tracking?.managedBy?.writable, !c.refusal);
        assert.deepEqual(Object.fromEntries(s.migrations.map((m) => [m.version, m.state])), c.states);
        for (const [version, note] of Object.entries(c.notes ?? {})) assert.match(s.migrations.find((m) => m.version === version)?.note ?? '', note, version);
        if (c.appliedAt) assert.equal(s.migrations.find((m) => m.version === c.appliedAt![0])?.appliedAt, c.appliedAt[1]);
        assert.match(
          describeTracking(s.tracking!, s.migrations) ?? '',
          new RegExp(`^managed by ${c.tool}: states read from .*; ${c.refusal ? 'read-only for Tidemark' : 'apply and rollback record there'}`),
        );
        const matrix = statusMatrix([s]);
        assert.deepEqual(matrix.managedBy, [{ environment: 'local', tool: c.tool, table: s.tracking!.managedBy!.table }]);
        assert.match(statusMarkdown('app', matrix), new RegExp(`local is managed by ${c.tool}`));

        if (c.refusal) {
          assert.match(await refusal(applyMigrations(f.project(), 'local', f.options)), c.refusal);
          assert.match(await refusal(rollbackMigrations(f.project(), 'local', f.options)), /^refusing to roll back local: it is managed by /);
          assert.deepEqual(Object.fromEntries((await status(f)).migrations.map((m) => [m.version, m.state])), c.states, 'refused: nothing changed');
        }

        const dry = await adoptEnvironment(f.project(), 'local', { ...f.options, from: c.tool, dryRun: true, skipFailed: true });
        assert.deepEqual(
          dry.recorded.map((r) => r.version),
          c.adopted,
        );
        const adopted = await adoptEnvironment(f.project(), 'local', { ...f.options, from: c.tool, skipFailed: true });
        assert.deepEqual(
          adopted.recorded.map((r) => r.version),
          c.adopted,
        );
        const after = await status(f);
        assert.equal(after.tracking?.state, 'tracked');
        assert.deepEqual(
          after.migrations.filter((m) => m.adoptedFrom).map((m) => [m.version, m.adoptedFrom]),
          c.adopted.map((v) => [v, c.tool]),
        );
      });
    }

    it("plan and verify act on the state read from the tool's table and leave it managed", async () => {
      const f = await backend.fixture({
        'migrations/001_a.sql': `-- migrate:up\n${A}-- migrate:down\nDROP TABLE a;\n-- migrate:verify\n-- expect: 0\nSELECT count(*) FROM a;\n`,
        'migrations/002_b.sql': `-- migrate:up\n${B}-- migrate:down\nDROP TABLE b;\n`,
      });
      await f.exec('local', `${A} CREATE TABLE schema_migrations (version varchar(128) primary key); INSERT INTO schema_migrations VALUES ('001');`);
      const planned = await planMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        planned.steps.map((s) => s.version),
        ['002'],
        'only what dbmate has not applied',
      );
      const verified = await verifyMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        verified.steps.map((s) => [s.version, s.outcome]),
        [['001', 'ok']],
      );
      assert.equal((await status(f)).tracking?.state, 'managed', 'verify wrote nothing to a history Tidemark does not keep here');
    });

    it('compatibility mode verifies each applied migration as a tracked environment does, reporting the result without writing it', async () => {
      const f = await backend.fixture({
        'migrations/001_a.sql': `-- migrate:up\n${A}-- migrate:down\nDROP TABLE a;\n`,
        'migrations/002_b.sql': `-- migrate:up\n${B}-- migrate:down\nDROP TABLE b;\n-- migrate:verify\n-- expect: 0\nSELECT count(*) FROM b;\n`,
        'migrations/003_c.sql': `-- migrate:up\n${C}-- migrate:down\nDROP TABLE c;\n-- migrate:verify\n-- expect: 1\nSELECT count(*) FROM c;\n`,
        'migrations/004_d.sql': `-- migrate:up\n${D}-- migrate:down\nDROP TABLE d;\n`,
      });
      await f.exec('local', `${A} CREATE TABLE schema_migrations (version varchar(128) primary key); INSERT INTO schema_migrations VALUES ('001');`);
      const report = await applyMigrations(f.project(), 'local', f.options);
      assert.deepEqual(
        report.steps.map((s) => `${s.version} ${s.action} ${s.outcome}`),
        ['002 apply ok', '002 verify ok', '003 apply ok', '003 verify failed'],
        'stops after a failed verification, as on a tracked environment',
      );
      assert.match(report.steps[3].message ?? '', /expected 1/);
      const after = await status(f);
      assert.equal(after.tracking?.state, 'managed', "nothing was written to Tidemark's history");
      assert.deepEqual(
        after.migrations.map((m) => m.state),
        ['applied', 'applied', 'applied', 'pending'],
      );
      const skipped = await applyMigrations(f.project(), 'local', { ...f.options, verifyAfterApply: false });
      assert.deepEqual(
        skipped.steps.map((s) => `${s.version} ${s.action}`),
        ['004 apply'],
      );
    });

    it("compatibility mode keeps `after:`: staging takes only what local's dbmate table lists", async () => {
      const f = await backend.fixture({
        'migrations/001_a.sql': `-- migrate:up\n${A}-- migrate:down\nDROP TABLE a;\n-- migrate:verify\n-- expect: 0\nSELECT count(*) FROM a;\n`,
        'migrations/002_b.sql': `-- migrate:up\n${B}-- migrate:down\nDROP TABLE b;\n`,
      });
      const dbmateTable = 'CREATE TABLE schema_migrations (version varchar(128) primary key);';
      await f.exec('local', `${A} ${dbmateTable} INSERT INTO schema_migrations VALUES ('001');`);
      await f.exec('staging', dbmateTable);
      assert.match(
        await refusal(applyMigrations(f.project(), 'staging', { ...f.options, confirm: 'staging' })),
        /^refusing to apply to staging \(after: local\): 002 is not applied in local; apply up to 001 with --to 001/,
      );
      assert.deepEqual(
        (await status(f, 'staging')).migrations.map((m) => m.state),
        ['pending', 'pending'],
        'refused: nothing ran',
      );
      const report = await applyMigrations(f.project(), 'staging', { ...f.options, confirm: 'staging', toVersion: '001' });
      assert.deepEqual(
        report.steps.map((s) => `${s.version} ${s.action} ${s.outcome}`),
        ['001 apply ok', '001 verify ok'],
      );
    });

    it('Supabase: the diff of an edited migration is the SQL it stored against the file', async () => {
      const c = CASES.find((x) => x.tool === 'supabase')!;
      const f = await backend.fixture(c.files, c.config);
      await f.exec('local', `${A}${c.table}`);
      const diff = await appliedAndCurrent(f.project(), 'local', '20240102000000', f.options);
      assert.deepEqual(diff, { applied: 'CREATE TABLE b (id bigint)', current: B });
      const p = CASES.find((x) => x.tool === 'prisma')!;
      const g = await backend.fixture(p.files, p.config);
      await g.exec('local', `${A}${p.table}`);
      assert.match(await refusal(appliedAndCurrent(g.project(), 'local', '20240102000000', g.options)), /prisma keeps only a checksum of the file it ran, not its SQL/);
    });

    it("another tool's table than the files' layout is reported, not read as their state; atlas, Liquibase, and graphile-migrate rows adopt by their own keys", async () => {
      const files = {
        'migrations/000001_create_a.sql': `-- migrate:up\n${A}`,
        'migrations/000002_create_b.sql': `-- migrate:up\n${B}`,
        'migrations/000003_create_c.sql': `-- migrate:up\n${C}`,
      };
      const f = await backend.fixture(files);
      await f.exec('local', `${A}${CASES[0].table}`);
      const s = await status(f);
      assert.equal(s.tracking?.state, 'untracked');
      assert.equal(s.tracking?.filesLayout, 'dbmate');
      assert.deepEqual(
        s.migrations.map((m) => m.state),
        ['pending', 'pending', 'pending'],
        'not guessed from',
      );
      assert.equal(
        describeTracking(s.tracking!, s.migrations),
        "not tracked by Tidemark yet; prisma's public._prisma_migrations is not the history of these dbmate files: reported, not read as their state; 1 table exists",
      );

      // Atlas: version, a failed file (applied < total with its error), hash chained over names and contents.
      const atlas = await backend.fixture(files);
      await atlas.exec(
        'local',
        `${A}${B} CREATE SCHEMA atlas_schema_revisions; CREATE TABLE atlas_schema_revisions.atlas_schema_revisions (version character varying NOT NULL, description character varying NOT NULL, type bigint NOT NULL DEFAULT 2,
          applied bigint NOT NULL DEFAULT 0, total bigint NOT NULL DEFAULT 0, executed_at timestamptz NOT NULL, execution_time bigint NOT NULL, error text NULL, error_stmt text NULL, hash character varying NOT NULL,
          partial_hashes jsonb NULL, operator_version character varying NOT NULL, PRIMARY KEY (version));
        INSERT INTO atlas_schema_revisions.atlas_schema_revisions VALUES ('000001', 'create_a', 2, 1, 1, '2024-01-01 00:00:00+00', 10, NULL, NULL, 'h1', NULL, 'Atlas CLI v0.30.0'),
          ('000002', 'create_b', 2, 1, 1, '2024-01-02 00:00:00+00', 10, NULL, NULL, 'h2', NULL, 'Atlas CLI v0.30.0'),
          ('000003', 'create_c', 2, 0, 1, '2024-01-03 00:00:00+00', 10, 'relation "c" already exists', 'CREATE TABLE c (id int);', 'h3', NULL, 'Atlas CLI v0.30.0');`,
      );
      assert.deepEqual((await status(atlas)).tracking?.foreign, {
        tool: 'atlas',
        table: 'atlas_schema_revisions.atlas_schema_revisions',
        versions: ['000001', '000002', '000003'],
        failed: ['000003'],
      });
      assert.match(
        await refusal(adoptEnvironment(atlas.project(), 'local', { ...atlas.options, from: 'atlas' })),
        /000003 \(atlas's atlas_schema_revisions\.atlas_schema_revisions records it as failed\)/,
      );
      assert.deepEqual(
        (await adoptEnvironment(atlas.project(), 'local', { ...atlas.options, from: 'atlas', skipFailed: true })).recorded.map((r) => [r.version, r.appliedAt]),
        [
          ['000001', '2024-01-01T00:00:00.000Z'],
          ['000002', '2024-01-02T00:00:00.000Z'],
        ],
      );

      // Liquibase: by changeset id; FAILED and SKIPPED rows are not adopted.
      const lb = await backend.fixture(files);
      await lb.exec(
        'local',
        `${A} CREATE TABLE databasechangelog (id VARCHAR(255) NOT NULL, author VARCHAR(255) NOT NULL, filename VARCHAR(255) NOT NULL, dateexecuted TIMESTAMP WITHOUT TIME ZONE NOT NULL, orderexecuted INTEGER NOT NULL,
          exectype VARCHAR(10) NOT NULL, md5sum VARCHAR(35), description VARCHAR(255), comments VARCHAR(255), tag VARCHAR(255), liquibase VARCHAR(20), contexts VARCHAR(255), labels VARCHAR(255), deployment_id VARCHAR(10));
        INSERT INTO databasechangelog VALUES ('create_a', 'ana', 'db/changelog.sql', '2024-01-01 00:00:00', 1, 'EXECUTED', '9:aaa', 'sql', '', NULL, '4.25.0', NULL, NULL, '1'),
          ('create_b', 'ana', 'db/changelog.sql', '2024-01-02 00:00:00', 2, 'SKIPPED', '9:bbb', 'sql', '', NULL, '4.25.0', NULL, NULL, '1'),
          ('create_c', 'ana', 'db/changelog.sql', '2024-01-03 00:00:00', 3, 'FAILED', '9:ccc', 'sql', '', NULL, '4.25.0', NULL, NULL, '1');`,
      );
      const lbAdopt = await adoptEnvironment(lb.project(), 'local', { ...lb.options, from: 'liquibase', dryRun: true, skipFailed: true });
      assert.deepEqual(
        lbAdopt.recorded.map((r) => [r.version, r.name]),
        [['000001', 'create_a']],
      );
      assert.deepEqual(lbAdopt.skipped, [{ version: '000003', reason: "liquibase's public.databasechangelog records it as failed" }]);

      // graphile-migrate: filename 000001.sql, hash chain.
      const gm = await backend.fixture(files);
      await gm.exec(
        'local',
        `${A} CREATE SCHEMA graphile_migrate; CREATE TABLE graphile_migrate.migrations (hash text primary key, previous_hash text references graphile_migrate.migrations, filename text not null, date timestamptz not null default now());
        INSERT INTO graphile_migrate.migrations VALUES ('sha1:aaa', NULL, '000001.sql', '2024-01-01 00:00:00+00'), ('sha1:bbb', 'sha1:aaa', '000002.sql', '2024-01-02 00:00:00+00');`,
      );
      assert.deepEqual(
        (await adoptEnvironment(gm.project(), 'local', { ...gm.options, from: 'graphile-migrate' })).recorded.map((r) => r.version),
        ['000001', '000002'],
      );
    });
  });
}
