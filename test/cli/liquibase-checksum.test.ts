/**
 * Liquibase itself (its npm distribution, run on the machine's Java) against Tidemark's reading of
 * DATABASECHANGELOG: after `liquibase update`, every MD5SUM Liquibase stored equals the checksum
 * Tidemark computes for the same changeset (checksum version 9), status lists them applied; a
 * changeset whose SQL was changed afterwards is drifted for Tidemark exactly when Liquibase's own
 * `validate` fails on it, and a whitespace-only edit is neither (v9 ignores whitespace).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminClient, freshDatabase, startServers, urlOf, type TestServer } from '../support/databases';
import { tidemark } from '../support/cli';
import { ensureJava, npmTool } from '../support/foreign-tools';
import { scratchDir } from '../support/test-cleanup';

const CHANGELOG = `--liquibase formatted sql

--changeset alice:1
--comment: accounts
CREATE TABLE accounts (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL  -- who it is
);
--rollback DROP TABLE accounts;

--changeset alice:2
ALTER TABLE accounts ADD COLUMN plan text NOT NULL DEFAULT 'free';
/* liquibase rollback
ALTER TABLE accounts DROP COLUMN plan;
*/

--changeset bob:3 runInTransaction:false
--preconditions onFail:HALT onError:HALT
--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_indexes WHERE indexname = 'accounts_name_idx'
CREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);
--rollback DROP INDEX CONCURRENTLY IF EXISTS accounts_name_idx;
`;

describe('Liquibase: MD5SUM (checksum v9) as Liquibase computes it, and drift', function () {
  this.timeout(600_000);
  let server: TestServer;
  let bin: string;
  before(async () => {
    ensureJava();
    bin = npmTool('liquibase@4.28.1', 'liquibase/dist/liquibase/liquibase');
    [server] = await startServers(1);
  });
  after(() => server?.stop());

  it('status agrees with the MD5SUM Liquibase stored, and an edited changeset is drifted exactly when liquibase validate fails', async () => {
    const database = await freshDatabase(server);
    const root = scratchDir('liquibase-');
    mkdirSync(join(root, 'changelog'));
    const file = join(root, 'changelog', 'changes.sql');
    writeFileSync(file, CHANGELOG);
    writeFileSync(join(root, 'tidemark.json'), JSON.stringify({ migrationsDir: 'changelog', environments: { prod: { url: urlOf(server, database) } } }));
    const liquibase = (command: string) => {
      const r = spawnSync(
        bin,
        [`--changelog-file=changelog/changes.sql`, `--url=jdbc:postgresql://${server.host}:${server.port}/${database}`, `--username=${server.user}`, command],
        {
          cwd: root,
          encoding: 'utf8',
          env: { ...process.env, LIQUIBASE_COMMAND_PASSWORD: server.password, LIQUIBASE_ANALYTICS_ENABLED: 'false', LIQUIBASE_SHOW_BANNER: 'false' },
          timeout: 300_000,
        },
      );
      return { status: r.status, output: `${r.stdout}${r.stderr}` };
    };
    const updated = liquibase('update');
    assert.equal(updated.status, 0, updated.output);
    const status = async () => {
      const r = await tidemark(root, ['status', '--env', 'prod', '--format', 'json'], { PGPASSWORD: server.password });
      return JSON.parse(r.stdout) as { managedBy?: { tool: string }; migrations: Array<{ version: string; state: string; note?: string }> };
    };
    const admin = await adminClient(server, database);
    let stored: string[];
    try {
      stored = (await admin.query('SELECT md5sum FROM databasechangelog ORDER BY orderexecuted')).rows.map((r) => r.md5sum);
    } finally {
      await admin.end();
    }
    assert.equal(stored.length, 3);
    assert.ok(
      stored.every((s) => s.startsWith('9:')),
      stored.join(', '),
    );
    const before = await status();
    assert.equal(before.managedBy?.tool, 'liquibase');
    assert.deepEqual(
      before.migrations.map((m) => `${m.version} ${m.state}`),
      ['alice:1 applied', 'alice:2 applied', 'bob:3 applied'],
    );

    // Whitespace only: Liquibase v9 ignores it, so does Tidemark.
    writeFileSync(file, CHANGELOG.replace("DEFAULT 'free';", "DEFAULT   'free';\n\n"));
    assert.equal(liquibase('validate').status, 0);
    assert.deepEqual(
      (await status()).migrations.map((m) => m.state),
      ['applied', 'applied', 'applied'],
    );

    // A real change to alice:2: Liquibase refuses it, Tidemark calls it drifted.
    writeFileSync(file, CHANGELOG.replace("DEFAULT 'free';", "DEFAULT 'basic';"));
    const validate = liquibase('validate');
    assert.notEqual(validate.status, 0);
    assert.match(validate.output, /changelog\/changes\.sql::2::alice was: 9:[0-9a-f]{32} but is now: 9:[0-9a-f]{32}/);
    const after = await status();
    assert.deepEqual(
      after.migrations.map((m) => `${m.version} ${m.state}`),
      ['alice:1 applied', 'alice:2 drifted', 'bob:3 applied'],
    );
    assert.match(after.migrations[1].note ?? '', /edited after it was applied: liquibase's checksum differs from the file's/);
  });
});
