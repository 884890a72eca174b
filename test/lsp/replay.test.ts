/**
 * The replay check in the language server, over stdio: after the static lint, on save, on the
 * worker thread; its diagnostics replace the last run's, and the server answers meanwhile.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { ReplayMigrationRequest } from '../../server/src/protocol';
import { codes, tempWorkspace, TestLspClient } from '../support/lsp-client';

const USERS = '-- migrate:up\nCREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, email text NOT NULL);\n-- migrate:down\nDROP TABLE IF EXISTS users;\n';
const BROKEN = '-- migrate:up\nCREATE INDEX idx_users_email ON users (email);\n-- migrate:down\nSELECT 1;\n';
const FIXED = '-- migrate:up\nCREATE INDEX IF NOT EXISTS idx_users_email ON users (email);\n-- migrate:down\nDROP INDEX IF EXISTS idx_users_email;\n';

/** Waits until `n` replay checks have finished. */
async function finishedCount(client: TestLspClient, n: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  const finished = () => client.notifications.filter((x) => (x.params as { state: string }).state === 'finished').length;
  while (finished() < n) {
    if (Date.now() > deadline) throw new Error(`only ${finished()} replay checks finished: ${JSON.stringify(client.notifications)}\n${client.logs.join('')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('language server: replay check', function () {
  this.timeout(120_000);
  let client: TestLspClient;
  afterEach(async () => client?.dispose());

  it('publishes replay findings after the static ones on save, answers hover meanwhile, and replaces them when the file is fixed', async () => {
    const dir = tempWorkspace({ 'migrations/001_users.sql': USERS, 'migrations/002_email.sql': BROKEN }, ['non-idempotent-ddl']);
    const path = join(dir, 'migrations', '002_email.sql');
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(path, BROKEN);
    assert.deepEqual(codes(await client.diagnosticsFor(u, 1)), ['non-idempotent-ddl']);
    const staticCount = client.mark();

    client.save(u);
    // The first replay starts the worker and its shadow: the server answers a hover meanwhile.
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: u }, position: { line: 1, character: 3 } });
    const replayedBeforeHover = client.published.slice(staticCount).some((p) => p.diagnostics.some((d) => String(d.code).startsWith('replay-')));
    assert.equal(replayedBeforeHover, false, 'the hover waited for the replay');
    assert.match((hover!.contents as MarkupContent).value, /Takes \*\*SHARE\*\* on `users`/);

    const replayed = await client.diagnostics(u, (d) => d.some((x) => String(x.code).startsWith('replay-')), staticCount, 60_000);
    assert.deepEqual(
      replayed.map((d) => [d.code, d.range.start.line, d.message]),
      [
        ['non-idempotent-ddl', 1, replayed[0].message],
        ['replay-not-idempotent', 1, 'the up section fails when it runs a second time: relation "idx_users_email" already exists'],
        ['replay-rollback-mismatch', 1, 'after the rollback, index idx_users_email still exists'],
      ],
    );
    assert.match(replayed[2].codeDescription!.href, /\/replay-rollback-mismatch\.md$/);
    await finishedCount(client, 1);
    assert.equal((client.notifications[0].params as { state: string }).state, 'started');

    // Observed locks: the hover shows what the statement really took in the shadow.
    const observed = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: u }, position: { line: 1, character: 3 } });
    assert.match((observed!.contents as MarkupContent).value, /Observed in the shadow \(replay check\): \*\*ShareLock\*\* on `users`/);

    const beforeFix = client.mark();
    writeFileSync(path, FIXED);
    const version = client.change(u, FIXED);
    client.save(u);
    await client.diagnosticsFor(u, version);
    // The replay of the fixed file finishes with nothing to report: its findings are gone.
    await finishedCount(client, 2);
    const last = client.published.filter((p, i) => i >= beforeFix && p.uri === u).pop()!;
    assert.equal(last.version, version);
    assert.deepEqual(codes(last.diagnostics), []);
  });

  it('Check Migration (tidemark/checkMigration) replays an open file without a save and answers with what it found', async () => {
    // A project that re-runs files by hand, so the replay check proves the second run too.
    const config = JSON.stringify({ lint: { idempotency: 'require' } });
    const dir = tempWorkspace({ 'tidemark.json': config, 'migrations/001_users.sql': USERS, 'migrations/002_email.sql': BROKEN });
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const u = client.open(join(dir, 'migrations', '002_email.sql'), BROKEN);
    await client.diagnosticsFor(u, 1);
    const before = client.mark();
    const result = await client.connection.sendRequest(ReplayMigrationRequest.type, { uri: u });
    assert.deepEqual({ state: result.state, findings: result.findings }, { state: 'finished', findings: 2 });
    const replayed = await client.diagnostics(u, (d) => d.some((x) => String(x.code).startsWith('replay-')), before, 60_000);
    assert.deepEqual(
      replayed.map((d) => d.code).filter((c) => String(c).startsWith('replay-')),
      ['replay-not-idempotent', 'replay-rollback-mismatch'],
    );

    const fixed = client.open(join(dir, 'migrations', '003_fixed.sql'), FIXED.replace(/idx_users_email/g, 'idx_users_email2'));
    const clean = await client.connection.sendRequest(ReplayMigrationRequest.type, { uri: fixed });
    assert.deepEqual({ state: clean.state, findings: clean.findings }, { state: 'finished', findings: 0 });
    const outside = client.open(join(dir, 'notes.sql'), 'SELECT 1;\n');
    const refused = await client.connection.sendRequest(ReplayMigrationRequest.type, { uri: outside });
    assert.equal(refused.state, 'failed');
    assert.match(refused.message ?? '', /^not a migration: it is outside .*migrations$/);
  });
});
