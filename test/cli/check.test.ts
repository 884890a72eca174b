/**
 * `tidemark check` and `tidemark lint --replay` as a user runs them: the built CLI in a child
 * process, on projects written to a scratch folder and on migrations-sample.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tempWorkspace } from '../support/lsp-client';
import { repoRoot, sampleDir } from '../support/paths';

function tidemark(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** One migration in each of the four layouts; 004's undo forgets the index its up creates. */
const FOUR_LAYOUTS = {
  'migrations/001_users.sql': '-- migrate:up\nCREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, email text NOT NULL);\n-- migrate:down\nDROP TABLE IF EXISTS users;\n',
  'migrations/002_roles.up.sql': 'ALTER TABLE users ADD COLUMN IF NOT EXISTS role text;\n',
  'migrations/002_roles.down.sql': 'ALTER TABLE users DROP COLUMN IF EXISTS role;\n',
  'migrations/002_roles.verify.sql': "-- expect: 1\nSELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'role';\n",
  'migrations/003_tenants.sql': 'ALTER TABLE users ADD COLUMN IF NOT EXISTS tenant_id bigint;\n',
  'migrations/rollback/003_tenants.sql': 'ALTER TABLE users DROP COLUMN IF EXISTS tenant_id;\n',
  'migrations/V4__email_index.sql': 'CREATE INDEX IF NOT EXISTS idx_users_email ON users (email);\n',
  'migrations/U4__email_index.sql': 'SELECT 1;\n',
};

describe('tidemark check', function () {
  this.timeout(120_000);

  it('replays a project of all four layouts and names what the rollback did not restore (exit 1)', () => {
    const dir = tempWorkspace(FOUR_LAYOUTS);
    const run = tidemark(['check'], dir);
    assert.equal(
      run.stdout,
      'migrations/V4__email_index.sql:1:1: error replay-rollback-mismatch: after the rollback, index idx_users_email still exists\n1 problem (1 error) in 8 files.\n',
      run.stderr,
    );
    assert.equal(run.code, 1);

    const fixed = tempWorkspace({ ...FOUR_LAYOUTS, 'migrations/U4__email_index.sql': 'DROP INDEX IF EXISTS idx_users_email;\n' });
    const clean = tidemark(['check', '--format', 'json'], fixed);
    assert.equal(clean.code, 0, clean.stderr);
    assert.deepEqual(JSON.parse(clean.stdout), []);
  });

  it('with paths checks only their migrations; json and sarif carry the replay rule', () => {
    // A project that re-runs files by hand: the replay check proves each section's second run.
    const dir = tempWorkspace({
      ...FOUR_LAYOUTS,
      'tidemark.json': JSON.stringify({ lint: { idempotency: 'require' } }),
      'migrations/005_trigger.sql':
        '-- migrate:up\nCREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\nCREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();\n-- migrate:down\nDROP TRIGGER IF EXISTS users_touch ON users;\nDROP FUNCTION IF EXISTS touch();\n',
    });
    const json = tidemark(['check', 'migrations/005_trigger.sql', '--format', 'json'], dir);
    assert.equal(json.code, 0, json.stderr); // not-idempotent is a warning
    assert.deepEqual(JSON.parse(json.stdout), [
      {
        file: 'migrations/005_trigger.sql',
        line: 3,
        column: 1,
        endLine: 3,
        endColumn: 89,
        rule: 'replay-not-idempotent',
        severity: 'warning',
        message: 'the up section fails when it runs a second time: trigger "users_touch" for relation "users" already exists',
      },
    ]);
    const sarif = JSON.parse(tidemark(['check', 'migrations/005_trigger.sql', '--format', 'sarif'], dir).stdout);
    assert.deepEqual(
      sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId),
      ['replay-not-idempotent'],
    );
    assert.ok(sarif.runs[0].tool.driver.rules.some((r: { id: string; helpUri: string }) => r.id === 'replay-not-idempotent' && r.helpUri.endsWith('/replay-not-idempotent.md')));
  });

  it('lint --replay reports lint and replay findings together', () => {
    const dir = tempWorkspace(FOUR_LAYOUTS, ['rollback-incomplete']);
    const run = tidemark(['lint', '--replay'], dir);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^migrations\/V4__email_index\.sql:1:1: warning rollback-incomplete: The up section creates index idx_users_email .*$/m);
    assert.match(run.stdout, /^migrations\/V4__email_index\.sql:1:1: error replay-rollback-mismatch: after the rollback, index idx_users_email still exists$/m);
    const plain = tidemark(['lint'], dir);
    assert.doesNotMatch(plain.stdout, /replay-/);
  });

  it('a missing check.setup file is one clear line and exit 2', () => {
    const dir = tempWorkspace({ ...FOUR_LAYOUTS, 'tidemark.json': JSON.stringify({ check: { setup: 'shadow-setup.sql' } }) });
    const run = tidemark(['check'], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^tidemark: check\.setup: cannot read shadow-setup\.sql \(looked for .*shadow-setup\.sql\)\n$/);
  });

  it('migrations-sample replays clean', () => {
    const run = tidemark(['check'], sampleDir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^No problems in \d+ files\.\n$/);
  });
});
