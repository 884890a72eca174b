/**
 * `tidemark status --format markdown` and the blocked / environment-only notes of `tidemark
 * status`, run as a user runs them, on a project with a PGlite sandbox and a PostgreSQL server.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDatabase, seedSandbox, startServers, urlOf, type TestServer } from '../support/databases';
import { tidemark } from '../support/cli';
import { tempWorkspace } from '../support/lsp-client';

const FILES = {
  'migrations/001_users.sql': 'CREATE TABLE users (id int PRIMARY KEY);\n',
  'migrations/002_invoices.sql': '-- tidemark:blocked billing | payments team signs off\n-- tidemark:blocked backfill finished\nCREATE TABLE invoices (id int);\n',
  'migrations/003_register_databases.sql': '-- tidemark:environments staging\nCREATE TABLE platform_databases (id int);\n',
};

describe('tidemark status: the status document and directive notes', function () {
  this.timeout(120_000);
  let servers: TestServer[];
  before(async () => {
    servers = await startServers(1);
  });
  after(() => Promise.all([...new Set(servers)].map((s) => s.stop())));

  it('prints one Markdown table: a row per migration, a column per environment with state, date and who applied it, and the notes', async () => {
    const [server] = servers;
    const db = await freshDatabase(server);
    const root = tempWorkspace(FILES);
    await seedSandbox(join(root, '.tidemark', 'local'));
    writeFileSync(
      join(root, 'tidemark.json'),
      JSON.stringify({ environments: { local: { sandbox: true, path: '.tidemark/local' }, staging: { url: urlOf(server, db), protected: true } } }),
    );
    const env = { PGPASSWORD: server.password };

    const applied = await tidemark(root, ['apply', '--env', 'local'], env);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /^skip apply {4}002 invoices \(0 ms\) — blocked: billing \| payments team signs off; backfill finished$/m);
    assert.match(
      applied.stdout,
      /Applied 1 migration to local; 1 pending\. Stopped before 002 invoices is blocked: billing \| payments team signs off; backfill finished; the migrations after it wait too\.\n$/,
    );
    const beyond = await tidemark(root, ['apply', '--env', 'local', '--to', '003'], env);
    assert.equal(beyond.code, 2);
    assert.equal(beyond.stderr, 'tidemark: refusing --to 003: 002 invoices is blocked: billing | payments team signs off; backfill finished\n');

    const text = await tidemark(root, ['status', '--env', 'local'], env);
    assert.match(text.stdout, /^002\s+invoices\s+blocked\s+blocked: billing \| payments team signs off; backfill finished$/m);
    assert.match(text.stdout, /^003\s+register_databases\s+not-for-this-environment\s+only for staging$/m);
    const json = JSON.parse((await tidemark(root, ['status', '--env', 'local', '--format', 'json'], env)).stdout);
    assert.deepEqual(json.migrations.slice(1), [
      { version: '002', name: 'invoices', state: 'blocked', blockedReasons: ['billing | payments team signs off', 'backfill finished'] },
      { version: '003', name: 'register_databases', state: 'not-for-this-environment', environments: ['staging'] },
    ]);

    const run = await tidemark(root, ['status', '--format', 'markdown'], env);
    assert.equal(run.code, 0, run.stderr);
    const by = (await tidemark(root, ['status', '--env', 'local', '--format', 'json'], env)).stdout;
    assert.ok(!by.includes(server.password));
    const who = String((await import('node:os')).userInfo().username);
    const shape = run.stdout
      .replace(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/g, 'DATE')
      .split(`by ${who}`)
      .join('by WHO');
    const project = root.split(/[\\/]/).pop();
    assert.equal(
      shape,
      [
        `## Migration status: ${project}`,
        '',
        '| Migration | local | staging (protected) | Notes |',
        '| --- | --- | --- | --- |',
        '| `001` users | applied · DATE · by WHO | pending |  |',
        '| `002` invoices | blocked | blocked | Blocked: billing \\| payments team signs off; backfill finished |',
        '| `003` register_databases | not for this environment | pending | Only for staging |',
        '',
      ].join('\n'),
    );
  });

  it('says which environment could not be read under the table, and refuses markdown for the other commands', async () => {
    const root = tempWorkspace(FILES);
    await seedSandbox(join(root, '.tidemark', 'local'));
    writeFileSync(
      join(root, 'tidemark.json'),
      JSON.stringify({ environments: { local: { sandbox: true, path: '.tidemark/local' }, down: { url: 'postgres://nobody@127.0.0.1:1/none', connectTimeout: '2s' } } }),
    );
    const run = await tidemark(root, ['status', '--format', 'markdown'], { PGPASSWORD: 'x' });
    assert.equal(run.code, 2);
    assert.match(run.stdout, /^\| `001` users \| pending \| unreachable \| {2}\|$/m);
    assert.match(run.stdout, /\n\n- down could not be read: .+\n$/);
    const apply = await tidemark(root, ['apply', '--format', 'markdown']);
    assert.equal(apply.stderr, 'tidemark: --format markdown is only for status; use text or json\n');
    const lint = await tidemark(root, ['lint', '--format', 'markdown']);
    assert.equal(lint.stderr, 'tidemark: --format markdown is only for status; lint prints text, json or sarif\n');
  });
});
