/**
 * `tidemark status|apply|verify|rollback|plan|new` as a user runs them: dist/cli.js in a child
 * process, on a sandbox project and on a PostgreSQL server with PGPASSWORD, checking stdout,
 * the one stderr line for bad input, and exit codes.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { freePort, freshDatabase, seedSandbox, startServers, urlOf, type TestServer } from '../support/databases';
import { tempWorkspace } from '../support/lsp-client';
import { tidemark } from '../support/cli';

const USERS =
  '-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY, email text);\n-- migrate:down\nDROP TABLE users;\n-- migrate:verify\n-- expect: 0\nSELECT count(*) FROM users;\n';
const BROKEN = 'CREATE TABLE orders (id int);\nINSERT INTO orders (idd) VALUES (1);\n';

async function sandboxProject(files: Record<string, string>): Promise<string> {
  const root = tempWorkspace(files);
  await seedSandbox(join(root, '.tidemark', 'sandbox'));
  return root;
}

describe('tidemark runner commands', function () {
  this.timeout(120_000);

  it('status, apply (stopping at a failure with file:line:column), fix, apply again, and the JSON forms', async () => {
    const root = await sandboxProject({ 'migrations/001_users.sql': USERS, 'migrations/002_orders.sql': BROKEN });
    const pending = await tidemark(root, ['status']);
    assert.equal(pending.code, 0, pending.stderr);
    assert.match(pending.stdout, /^sandbox \(PGlite .*\)\nVERSION\s+NAME\s+STATE/);
    assert.match(pending.stdout, /001\s+users\s+pending/);

    const failed = await tidemark(root, ['apply']);
    assert.equal(failed.code, 1);
    // The columns are aligned: the exact spacing is what a user reads.
    assert.ok(failed.stdout.includes('ok   apply    001 users'), failed.stdout);
    assert.ok(failed.stdout.includes('FAIL apply    002 orders'), failed.stdout);
    assert.match(failed.stdout, /^migrations\/002_orders\.sql:2:21: column "idd" of relation "orders" does not exist/m);

    const json = await tidemark(root, ['status', '--env', 'sandbox', '--format', 'json']);
    const status = JSON.parse(json.stdout);
    assert.equal(status.environment, 'sandbox');
    assert.deepEqual(
      status.migrations.map((m: { version: string; state: string }) => [m.version, m.state]),
      [
        ['001', 'verified'],
        ['002', 'pending'],
      ],
    );
    assert.equal(status.migrations[0].checksumMatches, true);
    assert.match(status.migrations[0].appliedAt, /^\d{4}-\d\d-\d\dT/);

    writeFileSync(join(root, 'migrations', '002_orders.sql'), BROKEN.replace('idd', 'id'));
    const applied = await tidemark(root, ['apply', '--format', 'json']);
    assert.equal(applied.code, 0, applied.stdout);
    assert.equal(JSON.parse(applied.stdout).summary, 'Applied 1 migration to sandbox; 0 pending.');
    const all = JSON.parse((await tidemark(root, ['status', '--format', 'json'])).stdout);
    assert.ok(Array.isArray(all), 'without --env: one object per environment');
    assert.deepEqual(
      all[0].migrations.map((m: { state: string }) => m.state),
      ['verified', 'applied'],
    );

    const rolled = await tidemark(root, ['rollback']);
    assert.equal(rolled.code, 2, 'no down section in 002');
    assert.equal(rolled.stderr.trim().split('\n').length, 1);
    assert.match(rolled.stderr, /^tidemark: cannot roll back sandbox: 002 \(orders\) has no down section/);
  });

  it('two tidemark processes applying to one sandbox at once: each migration is applied exactly once', async () => {
    const root = await sandboxProject({ 'migrations/001_users.sql': USERS, 'migrations/002_notes.sql': 'CREATE TABLE notes (id int);\n' });
    const [a, b] = await Promise.all([tidemark(root, ['apply', '--format', 'json']), tidemark(root, ['apply', '--format', 'json'])]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const applied = [a, b].flatMap((r) =>
      JSON.parse(r.stdout)
        .steps.filter((s: { action: string; outcome: string }) => s.action === 'apply' && s.outcome === 'ok')
        .map((s: { version: string }) => s.version),
    );
    assert.deepEqual(applied.sort(), ['001', '002']);
  });

  it('two migrations of one version in the sibling-folder layout: status lists both with the error on each, apply refuses', async () => {
    const root = await sandboxProject({
      'migrations/0006_billing.sql': 'CREATE TABLE billing (id int);\n',
      'migrations/0006_sessions.sql': 'CREATE TABLE sessions (id int);\n',
      'migrations/rollback/0006_billing.sql': 'DROP TABLE billing;\n',
      'migrations/rollback/0006_sessions.sql': 'DROP TABLE sessions;\n',
    });
    const duplicate = 'version 0006 is used by 2 migrations: 0006_billing.sql, 0006_sessions.sql; every migration needs its own version';
    const json = await tidemark(root, ['status', '--env', 'sandbox', '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(
      JSON.parse(json.stdout).migrations.map((m: { name: string; state: string; error?: string }) => [m.name, m.state, m.error]),
      [
        ['billing', 'pending', duplicate],
        ['sessions', 'pending', duplicate],
      ],
    );
    const text = await tidemark(root, ['status']);
    assert.match(text.stdout, new RegExp(`0006\\s+billing\\s+pending\\s+${duplicate.replace(/[.()]/g, '\\$&')}\n0006\\s+sessions\\s+pending\\s+`));
    const apply = await tidemark(root, ['apply']);
    assert.equal(apply.code, 2);
    assert.match(apply.stderr, /^tidemark: version 0006 is used twice: 0006_sessions\.sql and 0006_billing\.sql are both a migration for it; renumber one before applying/);
  });

  it('plan names the lock a statement takes on an existing table', async () => {
    const root = await sandboxProject({ 'migrations/001_users.sql': USERS });
    assert.equal((await tidemark(root, ['apply'])).code, 0);
    writeFileSync(join(root, 'migrations', '002_email.sql'), 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n');
    const plan = await tidemark(root, ['plan']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.ok(plan.stdout.includes('AccessExclusiveLock on public.users  ← line 1: ALTER TABLE users ALTER COLUMN email SET NOT NULL;'), plan.stdout);
    assert.match(plan.stdout, /Planned 1 migration on sandbox \(rolled back\): all would succeed\./);
    const status = JSON.parse((await tidemark(root, ['status', '--env', 'sandbox', '--format', 'json'])).stdout);
    assert.equal(status.migrations[1].state, 'pending');
  });

  it('bad input: one stderr line and exit code 2', async () => {
    const port = await freePort();
    const root = tempWorkspace({ 'migrations/001_users.sql': USERS });
    const config = (text: string) => writeFileSync(join(root, 'tidemark.json'), text);

    config(
      JSON.stringify(
        {
          environments: {
            local: { url: `postgres://postgres@127.0.0.1:${port}/app`, connectTimeout: '2s' },
            prod: { url: `postgres://postgres@127.0.0.1:${port}/app`, protected: true },
          },
        },
        null,
        2,
      ),
    );
    const cases: Array<[string[], RegExp]> = [
      [['status', '--env', 'staging'], /^tidemark: unknown environment "staging" \(known: local, prod\)$/],
      [['apply', '--env', 'local'], new RegExp(`^tidemark: cannot connect to local \\(postgres@127\\.0\\.0\\.1:${port}/app\\): connection refused`)],
      [['apply', '--env', 'prod'], /^tidemark: prod is protected: to apply migrations to it, confirm with --confirm prod$/],
      [['apply', '--env', 'local', '--to', 'latest'], /^tidemark: --to must be a version such as 003 or 20251126_004, not "latest"$/],
      [['status', '--format', 'sarif'], /^tidemark: --format sarif is only for lint; use text or json$/],
    ];
    for (const [args, expected] of cases) {
      const r = await tidemark(root, args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr.trim(), expected);
    }

    // A host that accepts the TCP connection and never answers: the connect timeout ends it.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const silentPort = (silent.address() as { port: number }).port;
      config(JSON.stringify({ environments: { slow: { url: `postgres://postgres@127.0.0.1:${silentPort}/app`, connectTimeout: '1s' } } }));
      for (const command of [['status', '--env', 'slow'], ['status'], ['apply', '--env', 'slow']]) {
        const started = Date.now();
        const r = await tidemark(root, command);
        // Not a benchmark: only that it ends near the timeout instead of hanging.
        assert.ok(Date.now() - started < 10_000, `${command.join(' ')} took ${Date.now() - started} ms`);
        assert.equal(r.code, 2, command.join(' '));
        assert.match(
          r.stderr.trim(),
          new RegExp(`^tidemark: cannot connect to slow \\(postgres@127\\.0\\.0\\.1:${silentPort}/app\\): no answer within 1000 ms \\(connectTimeout\\)$`),
          command.join(' '),
        );
      }
    } finally {
      silent.close();
    }

    config('{\n  "environments": {\n    "local": { "url": "not a url" }\n  }\n}\n');
    let r = await tidemark(root, ['status', '--env', 'local']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^tidemark: tidemark\.json:3: environments\.local\.url is not a valid URL: "not a url"/);

    config('{\n  "environments": {\n    "local": {\n      "host": "db",\n      "port": "5432"\n    }\n  }\n}\n');
    r = await tidemark(root, ['status']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^tidemark: invalid config tidemark\.json:5: environments\.local\.port: /);

    config('{ "environments": { "local": { "url": "postgres://deploy:hunter2@db/app" } } }');
    r = await tidemark(root, ['status']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /passwords never live in tidemark\.json/);
    assert.ok(!r.stderr.includes('hunter2'));
  });

  describe('on PostgreSQL with PGPASSWORD', () => {
    let servers: TestServer[];
    before(async () => {
      servers = await startServers(2);
    });
    after(() => Promise.all([...new Set(servers)].map((s) => s.stop())));

    it('applies to local, shows both environments side by side, and refuses staging until local has verified', async () => {
      const [s1, s2] = servers;
      const [db1, db2] = await Promise.all([freshDatabase(s1), freshDatabase(s2)]);
      const root = tempWorkspace({ 'migrations/001_users.sql': USERS, 'migrations/002_notes.sql': 'CREATE TABLE notes (id int);\n' });
      writeFileSync(join(root, 'tidemark.json'), JSON.stringify({ environments: { local: { url: urlOf(s1, db1) }, staging: { url: urlOf(s2, db2), after: 'local' } } }));
      const env = { PGPASSWORD: s1.password };
      const noPassword = await tidemark(root, ['status', '--env', 'local']);
      assert.equal(noPassword.code, 2);
      assert.match(noPassword.stderr, /needs a password: set PGPASSWORD/);

      const refused = await tidemark(root, ['apply', '--env', 'staging'], env);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /refusing to apply to staging \(after: local\): 001 is not applied in local; 002 is not applied in local/);
      assert.equal((await tidemark(root, ['apply', '--env', 'local', '--to', '001'], env)).code, 0);
      const side = await tidemark(root, ['status'], env);
      assert.equal(side.code, 0, side.stderr);
      assert.match(side.stdout, /VERSION\s+NAME\s+local\s+staging\n001\s+users\s+verified\s+pending\n002\s+notes\s+pending\s+pending/);
      const staged = await tidemark(root, ['apply', '--env', 'staging', '--to', '001'], env);
      assert.equal(staged.code, 0, staged.stderr);
      assert.ok(!`${side.stdout}${side.stderr}${staged.stdout}${staged.stderr}`.includes(s1.password));
    });
  });

  describe('new', () => {
    const layouts: Array<[string, Record<string, string>, string[]]> = [
      ['an empty project: one file with up/down/verify sections', {}, ['migrations/001_add_email.sql']],
      ['sections', { 'migrations/007_users.sql': USERS }, ['migrations/008_add_email.sql']],
      [
        'paired files',
        { 'migrations/0009_users.up.sql': 'SELECT 1;', 'migrations/0009_users.down.sql': 'SELECT 1;' },
        ['migrations/0010_add_email.down.sql', 'migrations/0010_add_email.up.sql', 'migrations/0010_add_email.verify.sql'],
      ],
      [
        'sibling folders',
        { 'migrations/002_users.sql': 'SELECT 1;', 'migrations/rollback/002_rollback.sql': 'SELECT 1;', 'migrations/verify/002_users.sql': 'SELECT true;' },
        ['migrations/003_add_email.sql', 'migrations/rollback/003_rollback.sql', 'migrations/verify/003_add_email.sql'],
      ],
      ['flyway', { 'migrations/V1_2__users.sql': 'SELECT 1;', 'migrations/U1_2__users.sql': 'SELECT 1;' }, ['migrations/U1_3__add_email.sql', 'migrations/V1_3__add_email.sql']],
    ];
    for (const [label, files, expected] of layouts) {
      it(`scaffolds the next version in the project's layout: ${label}`, async () => {
        const root = await sandboxProject({ ...files, 'migrations/.keep': '' });
        const before = new Set(listSql(root));
        const r = await tidemark(root, ['new', 'Add Email']);
        assert.equal(r.code, 0, r.stderr);
        const created = listSql(root)
          .filter((f) => !before.has(f))
          .sort();
        assert.deepEqual(created, expected);
        assert.match(r.stdout, new RegExp(`created ${expected[0].replace(/[.]/g, '\\.')}`));
        const texts = created.map((f) => readFileSync(join(root, f), 'utf8')).join('\n');
        if (created.length === 1) assert.match(texts, /-- migrate:up[\s\S]*-- migrate:down[\s\S]*-- migrate:verify/);
        // The new migration is discovered with its parts; until its up has SQL, apply stops before it, saying why.
        const status = JSON.parse((await tidemark(root, ['status', '--format', 'json'])).stdout)[0];
        const fresh = status.migrations[status.migrations.length - 1];
        assert.equal(fresh.name, 'add_email');
        assert.equal(fresh.state, 'blocked');
        assert.deepEqual(fresh.blockedReasons, ['the up section is empty: there is no SQL to apply']);
      });
    }

    it('refuses a name with nothing usable in it', async () => {
      const root = tempWorkspace({ 'migrations/.keep': '' });
      const r = await tidemark(root, ['new', '!!!']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^tidemark: "!!!" is not a usable migration name/);
      assert.ok(!existsSync(join(root, 'migrations', '001_.sql')));
    });
  });
});

function listSql(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) walk(join(dir, entry.name), `${rel}${entry.name}/`);
      else if (entry.name.endsWith('.sql')) out.push(`${rel}${entry.name}`);
    }
  };
  walk(root, '');
  return out;
}
