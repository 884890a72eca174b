/**
 * The replay check on the real shadow database (PGlite): each rule fires on a realistic migration
 * and stays quiet once the migration is corrected.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig } from '../../../server/src/migrations/config';
import { replayProject } from '../../../server/src/replay/project';
import type { ReplayFinding } from '../../../server/src/replay/check';
import { writeFiles } from '../../support/databases';
import { scratchDir } from '../../support/test-cleanup';

interface Shown {
  rule: string;
  file: string;
  line: number;
  text: string;
  message: string;
}

/** Checks the migration whose up file is `target` in a project made of `files`. */
async function check(files: Record<string, string>, target: string, config?: object): Promise<{ findings: Shown[]; notes: string[] }> {
  const dir = scratchDir('replay-');
  writeFiles(dir, { ...files, ...(config ? { 'tidemark.json': JSON.stringify(config) } : {}) });
  const loaded = loadConfig(dir);
  const results = await replayProject(loaded, [join(dir, 'migrations', target)]);
  assert.equal(results.length, 1, `one migration checked for ${target}`);
  const show = (f: ReplayFinding): Shown => ({
    rule: f.rule,
    file: f.file.path.slice(dir.length + 1),
    line: f.file.positionAt(f.start).line + 1,
    text: f.file.text.slice(f.start, f.end),
    message: f.message,
  });
  return { findings: results[0].findings.map(show), notes: results[0].notes };
}

/** Checks every migration of the project in `dir` on one shadow: each one's findings, as rule: message. */
async function chainFindings(dir: string): Promise<Array<[string, string[]]>> {
  const results = await replayProject(loadConfig(dir), undefined, { observeLocks: false });
  return results.map((r) => [r.version, r.findings.map((f) => `${f.rule}: ${f.message}`)]);
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

const REQUIRE = { lint: { idempotency: 'require' } };

const USERS = `-- migrate:up
CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL, role text);
-- migrate:down
DROP TABLE IF EXISTS users;
`;

describe('replay check (shadow PGlite)', function () {
  this.timeout(120_000);

  it('replay-rollback-mismatch: an index the down forgets, then quiet when the down drops it', async () => {
    const forgets = await check(
      {
        'migrations/001_users.sql': USERS,
        'migrations/002_email_index.sql': `-- migrate:up
CREATE INDEX IF NOT EXISTS idx_users_email ON users (email);
ALTER TABLE users ADD COLUMN IF NOT EXISTS tenant_id bigint;
-- migrate:down
ALTER TABLE users DROP COLUMN IF EXISTS tenant_id;
`,
      },
      '002_email_index.sql',
    );
    assert.deepEqual(
      forgets.findings.map((f) => [f.rule, f.line, f.message]),
      [['replay-rollback-mismatch', 2, 'after the rollback, index idx_users_email still exists']],
    );
    const fixed = await check(
      {
        'migrations/001_users.sql': USERS,
        'migrations/002_email_index.sql': `-- migrate:up
CREATE INDEX IF NOT EXISTS idx_users_email ON users (email);
ALTER TABLE users ADD COLUMN IF NOT EXISTS tenant_id bigint;
-- migrate:down
DROP INDEX IF EXISTS idx_users_email;
ALTER TABLE users DROP COLUMN IF EXISTS tenant_id;
`,
      },
      '002_email_index.sql',
    );
    assert.deepEqual(fixed.findings, []);
  });

  it('replay-rollback-mismatch: a down that restores a column with another type', async () => {
    const wrongType = await check(
      {
        'migrations/001_users.sql': USERS,
        'migrations/002_drop_role.up.sql': 'ALTER TABLE users DROP COLUMN IF EXISTS role;\n',
        'migrations/002_drop_role.down.sql': 'ALTER TABLE users ADD COLUMN IF NOT EXISTS role varchar(20);\n',
      },
      '002_drop_role.up.sql',
    );
    assert.deepEqual(
      wrongType.findings.map((f) => [f.rule, f.file, f.message]),
      [['replay-rollback-mismatch', 'migrations/002_drop_role.up.sql', 'after the rollback, column users.role is character varying(20), was text']],
    );
    const right = await check(
      {
        'migrations/001_users.sql': USERS,
        'migrations/002_drop_role.up.sql': 'ALTER TABLE users DROP COLUMN IF EXISTS role;\n',
        'migrations/002_drop_role.down.sql': 'ALTER TABLE users ADD COLUMN IF NOT EXISTS role text;\n',
      },
      '002_drop_role.up.sql',
    );
    assert.deepEqual(right.findings, []);
  });

  it('replay-rollback-mismatch: one finding per migration listing what differs, for a down left empty on purpose', async () => {
    const { findings } = await check(
      {
        'migrations/001_users.sql': USERS,
        'migrations/002_profile.sql': `-- migrate:up
ALTER TABLE users ADD COLUMN IF NOT EXISTS bio text, ADD COLUMN IF NOT EXISTS avatar text, ADD COLUMN IF NOT EXISTS locale text;
CREATE INDEX IF NOT EXISTS users_locale_idx ON users (locale);
-- migrate:down
SELECT 1;
`,
      },
      '002_profile.sql',
    );
    assert.deepEqual(
      findings.map((f) => [f.rule, f.line]),
      [['replay-rollback-mismatch', 2]],
    );
    assert.match(
      findings[0].message,
      /^after the rollback, the schema differs from before the up in 4 places: 3 columns still exist \(users\.(avatar|bio|locale), .*\); 1 index still exists \(.*users_locale_idx.*\)$/,
    );
  });

  it('replay-not-idempotent: an un-guarded CREATE TRIGGER fails the second time; CREATE OR REPLACE TRIGGER does not', async () => {
    const migration = (create: string) => ({
      'migrations/001_users.sql': USERS,
      'migrations/002_touch.sql': `-- migrate:up
CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
${create} users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
-- migrate:down
DROP TRIGGER IF EXISTS users_touch ON users;
DROP FUNCTION IF EXISTS touch();
`,
    });
    // A project that re-runs files by hand: lint.idempotency "require".
    const unguarded = await check(migration('CREATE TRIGGER'), '002_touch.sql', REQUIRE);
    assert.deepEqual(
      unguarded.findings.map((f) => [f.rule, f.line, f.message]),
      [['replay-not-idempotent', 3, 'the up section fails when it runs a second time: trigger "users_touch" for relation "users" already exists']],
    );
    const guarded = await check(migration('CREATE OR REPLACE TRIGGER'), '002_touch.sql', REQUIRE);
    // By default a migration its runner wraps and records never runs twice: not checked.
    const wrapped = await check(migration('CREATE TRIGGER'), '002_touch.sql');
    assert.deepEqual(wrapped.findings, []);
    assert.deepEqual(guarded.findings, []);
  });

  it('replay-not-idempotent in the down: DROP POLICY without IF EXISTS', async () => {
    const migration = (drop: string) => ({
      'migrations/001_users.sql': USERS,
      'migrations/002_rls.sql': `-- migrate:up
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users USING (role = current_user);
-- migrate:down
${drop} tenant_isolation ON users;
ALTER TABLE users DISABLE ROW LEVEL SECURITY;
`,
    });
    const bare = await check(migration('DROP POLICY'), '002_rls.sql', REQUIRE);
    // The up is not re-runnable either (CREATE POLICY has no IF NOT EXISTS): both passes are proved.
    assert.deepEqual(
      bare.findings.map((f) => [f.rule, f.line, f.message]),
      [
        ['replay-not-idempotent', 3, 'the up section fails when it runs a second time: policy "tenant_isolation" for table "users" already exists'],
        ['replay-not-idempotent', 5, 'the down section fails when it runs a second time: policy "tenant_isolation" for table "users" does not exist'],
      ],
    );
    const guarded = await check(migration('DROP POLICY IF EXISTS'), '002_rls.sql', REQUIRE);
    assert.deepEqual(
      guarded.findings.map((f) => [f.rule, f.line]),
      [['replay-not-idempotent', 3]],
    );
  });

  it('replay-error: a statement on a column an earlier migration renamed, at the server position', async () => {
    const files = (column: string) => ({
      'migrations/001_users.sql': USERS,
      'migrations/002_rename.sql':
        '-- migrate:up\nALTER TABLE users RENAME COLUMN email TO email_address;\n-- migrate:down\nALTER TABLE users RENAME COLUMN email_address TO email;\n',
      'migrations/003_backfill.sql': `-- migrate:up\nUPDATE users SET role = 'member' WHERE role IS NULL AND ${column} LIKE '%@example.com';\n`,
    });
    const stale = await check(files('email'), '003_backfill.sql');
    assert.deepEqual(
      stale.findings.map((f) => [f.rule, f.line, f.text.split('\n')[0], f.message]),
      [['replay-error', 2, `email LIKE '%@example.com';`, 'column "email" does not exist']],
    );
    const current = await check(files('email_address'), '003_backfill.sql');
    assert.deepEqual(current.findings, []);
  });

  it('replay-verify-failed: a verify query that fails right after the up', async () => {
    const files = (expect: string) => ({
      'migrations/001_users.sql': USERS,
      'migrations/002_admin.sql': `-- migrate:up
INSERT INTO users (email, role) VALUES ('admin@example.com', 'admin');
-- migrate:down
DELETE FROM users WHERE email = 'admin@example.com';
-- migrate:verify
-- expect: ${expect}
SELECT count(*) FROM users WHERE role = 'admin';
`,
    });
    const failing = await check(files('2'), '002_admin.sql');
    assert.deepEqual(
      failing.findings.map((f) => [f.rule, f.line, f.message]),
      [['replay-verify-failed', 7, 'the verify query fails right after the up section ran: expected 2, got 1']],
    );
    const passing = await check(files('1'), '002_admin.sql');
    assert.deepEqual(passing.findings, []);
  });

  it('reports an extension the shadow lacks once as skipped, never as an error; check.roles creates roles', async () => {
    const skipped = await check(
      {
        'migrations/001_users.sql': USERS,
        'migrations/002_postgis.sql':
          '-- migrate:up\nCREATE EXTENSION IF NOT EXISTS postgis;\nALTER TABLE users ADD COLUMN IF NOT EXISTS home geometry;\n-- migrate:down\nALTER TABLE users DROP COLUMN IF EXISTS home;\n',
      },
      '002_postgis.sql',
    );
    assert.equal(skipped.findings.length, 1);
    assert.equal(skipped.findings[0].rule, 'replay-skipped');
    assert.equal(skipped.findings[0].line, 2);
    assert.match(skipped.findings[0].message, /^not replayed: extension "postgis" is not available in the replay check's shadow database \(PGlite\); it has: amcheck, /);

    const grants = {
      'migrations/001_users.sql': USERS,
      'migrations/002_grant.sql': '-- migrate:up\nGRANT SELECT ON users TO app_reader;\n-- migrate:down\nREVOKE SELECT ON users FROM app_reader;\n',
    };
    const noRole = await check(grants, '002_grant.sql');
    assert.deepEqual(
      noRole.findings.map((f) => [f.rule, f.message]),
      [['replay-skipped', 'not replayed: role app_reader does not exist in the shadow database; list it in "check": {"roles": [...]} in tidemark.json']],
    );
    const withRole = await check(grants, '002_grant.sql', { check: { roles: ['app_reader'] } });
    assert.deepEqual(withRole.findings, []);
  });

  it('runs CREATE INDEX CONCURRENTLY without CONCURRENTLY and says so in a note', async () => {
    const result = await check(
      {
        'migrations/001_users.sql': USERS,
        'migrations/002_idx.sql':
          '-- tidemark:no-transaction\n-- migrate:up\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_role ON users (role);\n-- migrate:down\nDROP INDEX CONCURRENTLY IF EXISTS idx_users_role;\n',
      },
      '002_idx.sql',
    );
    assert.deepEqual(result.findings, []);
    assert.deepEqual(result.notes, [
      '002 line 3: CREATE INDEX CONCURRENTLY ran without CONCURRENTLY in the shadow database (the check runs in a transaction)',
      '002 line 5: DROP INDEX CONCURRENTLY ran without CONCURRENTLY in the shadow database (the check runs in a transaction)',
    ]);
  });

  it('replay-rollback-mismatch across a whole chain: what each down leaves behind, of every kind of object', async () => {
    // One shadow for the chain: each check reads from the catalog only what was written since the
    // last one, so each kind of object is left behind by a migration after others were checked.
    const dir = scratchDir('replay-chain-');
    const m = (up: string, down: string) => `-- migrate:up\n${up}\n-- migrate:down\n${down}\n`;
    writeFiles(dir, {
      'migrations/001_base.sql': m(
        `CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL, mood mood);
CREATE SEQUENCE invoice_no;
CREATE FUNCTION greeting(u users) RETURNS text LANGUAGE sql AS $$ SELECT 'hello ' || u.email $$;
CREATE FUNCTION cheer(m mood) RETURNS text LANGUAGE sql AS $$ SELECT 'so ' || m::text $$;
CREATE ROLE app_reader;`,
        `DROP FUNCTION IF EXISTS cheer(mood);
DROP FUNCTION IF EXISTS greeting(users);
DROP SEQUENCE IF EXISTS invoice_no;
DROP TABLE IF EXISTS users;
DROP TYPE IF EXISTS mood;`,
      ),
      'migrations/002_function_body.sql': m(
        `CREATE OR REPLACE FUNCTION greeting(u users) RETURNS text LANGUAGE sql AS $$ SELECT 'hi ' || u.email $$;`,
        `CREATE OR REPLACE FUNCTION greeting(u users) RETURNS text LANGUAGE sql AS $$ SELECT 'hey ' || u.email $$;`,
      ),
      'migrations/003_policy.sql': m(
        `ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON users USING (email = current_user);`,
        `ALTER TABLE users DISABLE ROW LEVEL SECURITY;`,
      ),
      'migrations/004_grant.sql': m(`GRANT SELECT ON users TO app_reader;`, `SELECT 1;`),
      'migrations/005_sequence.sql': m(`ALTER SEQUENCE invoice_no INCREMENT BY 10;`, `ALTER SEQUENCE invoice_no INCREMENT BY 5;`),
      'migrations/006_type.sql': m(`CREATE TYPE size AS ENUM ('s', 'm', 'l');`, `SELECT 1;`),
      // The function's own rows do not change when the type of its argument is renamed: only its
      // name does; and a new type takes the old name, so as many objects are there as before.
      'migrations/007_rename_type.sql': m(`ALTER TYPE mood RENAME TO feeling;\nCREATE TYPE mood AS ENUM ('calm');`, `SELECT 1;`),
      // The down drops an object an earlier migration made.
      'migrations/008_drops_earlier.sql': m(
        `ALTER TABLE users ADD COLUMN IF NOT EXISTS bio text;`,
        `ALTER TABLE users DROP COLUMN IF EXISTS bio;\nDROP FUNCTION IF EXISTS greeting(users);`,
      ),
      // Nothing new, only an earlier object gone.
      'migrations/009_drops_only.sql': m(`SELECT 1;`, `DROP SEQUENCE IF EXISTS invoice_no;`),
      'migrations/010_clean.sql': m(`ALTER TABLE users ADD COLUMN IF NOT EXISTS note text;`, `ALTER TABLE users DROP COLUMN IF EXISTS note;`),
    });
    assert.deepEqual(await chainFindings(dir), [
      ['001', []],
      [
        '002',
        [
          `replay-rollback-mismatch: after the rollback, function greeting(u users) is returns text language sql ${md5(" SELECT 'hey ' || u.email ")}, was returns text language sql ${md5(" SELECT 'hello ' || u.email ")}`,
        ],
      ],
      ['003', ['replay-rollback-mismatch: after the rollback, policy own_rows on users still exists']],
      ['004', ['replay-rollback-mismatch: after the rollback, grant on users still exists']],
      [
        '005',
        [
          'replay-rollback-mismatch: after the rollback, sequence invoice_no is bigint start 1 increment 5 min 1 max 9223372036854775807, was bigint start 1 increment 1 min 1 max 9223372036854775807',
        ],
      ],
      ['006', ['replay-rollback-mismatch: after the rollback, enum type size still exists']],
      [
        '007',
        [
          'replay-rollback-mismatch: after the rollback, the schema differs from before the up in 5 places: ' +
            '1 function still exists (cheer(m feeling)); 1 function was not restored (cheer(m mood)); 1 enum type still exists (feeling); 1 enum type is defined differently (mood); 1 column is defined differently (users.mood)',
        ],
      ],
      ['008', ['replay-rollback-mismatch: after the rollback, function greeting(u users) was not restored']],
      ['009', ['replay-rollback-mismatch: after the rollback, sequence invoice_no was not restored']],
      ['010', []],
    ]);
  });

  it('replay-rollback-mismatch after checks whose down restored the catalog exactly: objects of those migrations, and clean ones stay quiet', async () => {
    // Checks 001-003 find the catalog rows after the down exactly as before the up and read no
    // snapshot (check.ts); 004 and 005 then compare objects those migrations made, read for the
    // first time after rolling back to the start of their check.
    const dir = scratchDir('replay-marked-');
    const m = (up: string, down: string) => `-- migrate:up\n${up}\n-- migrate:down\n${down}\n`;
    writeFiles(dir, {
      'migrations/001_users.sql': m(`CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);`, `DROP TABLE users;`),
      'migrations/002_orders.sql': m(
        `CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id bigint REFERENCES users, total numeric(10,2));`,
        `DROP TABLE orders;`,
      ),
      'migrations/003_items.sql': m(`CREATE TABLE items (id bigint PRIMARY KEY, sku text);\nCREATE INDEX items_sku ON items (sku);`, `DROP TABLE items;`),
      'migrations/004_total.sql': m(`ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);`, `ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,3);`),
      'migrations/005_sku_unique.sql': m(`DROP INDEX items_sku;\nCREATE UNIQUE INDEX items_sku ON items (sku);`, `SELECT 1;`),
      'migrations/006_clean.sql': m(`CREATE TABLE tags (name text PRIMARY KEY);`, `DROP TABLE tags;`),
    });
    assert.deepEqual(await chainFindings(dir), [
      ['001', []],
      ['002', []],
      ['003', []],
      ['004', ['replay-rollback-mismatch: after the rollback, column orders.total is numeric(12,3), was numeric(10,2)']],
      [
        '005',
        [
          'replay-rollback-mismatch: after the rollback, index items_sku is CREATE UNIQUE INDEX items_sku ON public.items USING btree (sku), was CREATE INDEX items_sku ON public.items USING btree (sku)',
        ],
      ],
      ['006', []],
    ]);
  });

  it('a chain builds on what each check ran of its up, never on its verify, second pass or down', async () => {
    // Each check of the chain keeps its up's first pass in the shadow as the build of the next
    // (ReplayOptions.keepUp). 003 sees n = 2 only if 002's up ran exactly once there and its down
    // (n - 1) and second pass (n + 1 again, lint.idempotency "require") were undone.
    const dir = scratchDir('replay-kept-');
    const m = (up: string, down: string, verify = '') => `-- migrate:up\n${up}\n-- migrate:down\n${down}\n${verify ? `-- migrate:verify\n${verify}\n` : ''}`;
    writeFiles(dir, {
      'tidemark.json': JSON.stringify(REQUIRE),
      'migrations/001_counter.sql': m(
        `CREATE TABLE IF NOT EXISTS counters (n int NOT NULL);\nINSERT INTO counters SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM counters);`,
        `DROP TABLE IF EXISTS counters;`,
      ),
      'migrations/002_bump.sql': m(`UPDATE counters SET n = n + 1;`, `UPDATE counters SET n = n - 1;`, `-- expect: 1\nSELECT count(*) FROM counters;`),
      'migrations/003_read.sql': m(`CREATE TABLE IF NOT EXISTS reads (n int);`, `DROP TABLE IF EXISTS reads;`, `-- expect: 2\nSELECT n FROM counters;`),
    });
    assert.deepEqual(await chainFindings(dir), [
      ['001', []],
      ['002', []],
      ['003', []],
    ]);
  });

  it('builds earlier migrations whole, and statement by statement where one of their statements fails', async () => {
    const files = {
      'migrations/001_users.sql': USERS,
      // The second statement fails in the shadow (no such table); the first must still be built,
      // and a statement ending in a line comment must not swallow the next one.
      'migrations/002_mixed.sql': `-- migrate:up
CREATE TABLE teams (id bigint PRIMARY KEY) -- one row per customer
;
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS team_id bigint;
CREATE TABLE projects (id bigint PRIMARY KEY);
-- migrate:down
DROP TABLE IF EXISTS projects;
DROP TABLE IF EXISTS teams;
`,
      'migrations/003_uses_teams.sql': `-- migrate:up
ALTER TABLE teams ADD COLUMN IF NOT EXISTS name text;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS name text;
-- migrate:down
ALTER TABLE projects DROP COLUMN IF EXISTS name;
ALTER TABLE teams DROP COLUMN IF EXISTS name;
`,
      'migrations/004_uses_accounts.sql': `-- migrate:up
CREATE INDEX IF NOT EXISTS idx_accounts_team ON accounts (team_id);
-- migrate:down
DROP INDEX IF EXISTS idx_accounts_team;
`,
    };
    const usesTeams = await check(files, '003_uses_teams.sql');
    assert.deepEqual(usesTeams.findings, [], 'the statements of 002 around the failing one were built');
    const usesAccounts = await check(files, '004_uses_accounts.sql');
    assert.deepEqual(
      usesAccounts.findings.map((f) => [f.rule, f.line, f.message]),
      [
        [
          'replay-skipped',
          2,
          'not replayed: relation "accounts" does not exist, but the shadow could not build all earlier migrations (002: relation "accounts" does not exist), so this may come from there',
        ],
      ],
    );
  });
});
