/**
 * `tidemark apply` with `backup` in tidemark.json and `tidemark restore` as a user runs them
 * (dist/cli.js in a child process): the backup line and the restore command printed, that command
 * run as printed, and the one-line errors for bad input.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedSandbox } from '../support/databases';
import { tempWorkspace } from '../support/lsp-client';
import { tidemark } from '../support/cli';

const USERS = '-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY);\nINSERT INTO users VALUES (1), (2);\n-- migrate:down\nDROP TABLE users;\n';
const TRIM = '-- migrate:up\nDELETE FROM users WHERE id = 2;\n-- migrate:down\nSELECT 1;\n';

describe('tidemark apply with backup, tidemark restore', function () {
  this.timeout(120_000);

  it('prints the backup and the command that restores it; that command, run as printed, puts the sandbox back', async () => {
    const root = tempWorkspace({
      'migrations/001_users.sql': USERS,
      'migrations/002_trim.sql': TRIM,
      'tidemark.json': JSON.stringify({ environments: { sandbox: { sandbox: true, backup: true } } }),
    });
    await seedSandbox(join(root, '.tidemark', 'sandbox'));
    assert.equal((await tidemark(root, ['apply', '--to', '001'])).code, 0);
    const applied = await tidemark(root, ['apply']);
    assert.equal(applied.code, 0, applied.stderr);
    const lines = applied.stdout.split('\n');
    assert.match(lines[0], /^ok {3}backup {3}\.tidemark\/backups\/sandbox-\d{8}-\d{6}\.tar\.gz \(\d+\.\d MB, PGlite \(PostgreSQL \d+\.\d+\), \d+ ms\)$/);
    const restore = /^ {7}restore with: tidemark (restore --env sandbox \.tidemark\/backups\/sandbox-\d{8}-\d{6}\.tar\.gz)$/.exec(lines[1]);
    assert.ok(restore, lines[1]);
    assert.match(lines[2], /^ok {3}apply {4}002 trim/);
    assert.match(applied.stderr, /^backing up sandbox with PGlite \(PostgreSQL [\d.]+\) to \.tidemark\/backups\/sandbox-/m);

    const restored = await tidemark(root, restore[1].split(' '));
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(
      restored.stdout,
      /^Restored sandbox from \.tidemark\/backups\/sandbox-\d{8}-\d{6}\.tar\.gz: 1 migration applied there\. The data it replaced is kept in \.tidemark\/sandbox\.before-restore-\d{8}-\d{6}; delete it when you no longer need it\.\n$/,
    );
    const status = await tidemark(root, ['status']);
    assert.match(status.stdout, /001\s+users\s+applied/);
    assert.match(status.stdout, /002\s+trim\s+pending/);
    const again = await tidemark(root, ['apply', '--format', 'json']);
    const report = JSON.parse(again.stdout);
    assert.match(report.backup.file, /^\.tidemark\/backups\/sandbox-/, 'JSON names the file relative to the project, as the text does');
    assert.deepEqual(
      report.steps.map((s: { version: string; outcome: string }) => `${s.version} ${s.outcome}`),
      ['002 ok'],
      'the row 002 deletes is there again',
    );
  });

  it('bad input: a backup setting of the wrong type, restore without a file, restore of a server environment', async () => {
    const root = tempWorkspace({ 'migrations/001_users.sql': USERS });
    writeFileSync(join(root, 'tidemark.json'), '{\n  "environments": {\n    "prod": { "url": "postgres://deploy@db.internal/app", "backup": "yes" }\n  }\n}\n');
    let r = await tidemark(root, ['status']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^tidemark: invalid config tidemark\.json:3: environments\.prod\.backup: /);

    writeFileSync(join(root, 'tidemark.json'), JSON.stringify({ environments: { prod: { url: 'postgres://deploy@db.internal/app', backup: true } } }));
    r = await tidemark(root, ['restore']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /tidemark restore takes one backup file/);
    r = await tidemark(root, ['restore', '--env', 'prod', 'prod-20261204-101500.dump']);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      'tidemark: prod is a server: restore its backup with the pg_restore command printed when it was taken (tidemark history --env prod lists the backups)\n',
    );
  });
});
