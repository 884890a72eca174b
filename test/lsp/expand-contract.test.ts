/**
 * "Rewrite as expand/contract…" over the real protocol: each unsafe statement's finding offers the
 * quick fix, which runs the client's New Expand/Contract Change command with the change read from
 * the statement; the request that command sends writes the three phases and returns the edit that
 * replaces the statement. The project then lints clean (nothing above info in the files touched)
 * and passes the replay check, as the CLI reports it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodeActionRequest, type CodeAction, type Diagnostic } from 'vscode-languageserver-protocol/node';
import { ExpandContractRequest, type ExpandContractChange, type ExpandContractRewrite } from '../../server/src/protocol';
import { usersSchema, USERS_DOWN } from '../support/live-change';
import { applyTextEdits, tempWorkspace, TestLspClient } from '../support/lsp-client';
import { repoRoot } from '../support/paths';

interface RewriteArgument {
  change: ExpandContractChange;
  needs: string[];
  rewrite: ExpandContractRewrite;
}

const BASE = `-- tidemark-ignore-file prefer-bigint-over-int\n-- migrate:up\n${usersSchema(30)}-- migrate:down\n${USERS_DOWN}`;

function cli(dir: string, args: string[]): Array<{ file: string; rule: string; severity: string; message: string }> {
  const run = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args, '--format', 'json'], { cwd: dir, encoding: 'utf8' });
  return JSON.parse(run.stdout) as Array<{ file: string; rule: string; severity: string; message: string }>;
}

const CASES: Array<{ rule: string; statement: string; change: ExpandContractChange; needs: string[]; fill?: string; kept: RegExp; down?: string }> = [
  {
    rule: 'renaming-column',
    statement: 'ALTER TABLE users RENAME COLUMN email TO email_address;',
    change: { kind: 'rename-column', args: ['users', 'email', 'email_address'] },
    needs: [],
    kept: /^-- Rewritten as an expand\/contract change \(rename-column\): 003_expand_rename_users_email_to_email_address\.sql, 004_backfill_rename_users_email_to_email_address\.sql, 005_contract_rename_users_email_to_email_address\.sql$/m,
  },
  {
    rule: 'changing-column-type',
    statement: 'ALTER TABLE users ALTER COLUMN amount TYPE bigint USING amount::bigint;',
    change: { kind: 'change-type', args: ['users', 'amount', 'bigint'], using: 'amount::bigint' },
    needs: [],
    kept: /^-- Rewritten as an expand\/contract change \(change-type\): 003_expand_retype_users_amount\.sql, /m,
  },
  {
    rule: 'adding-not-nullable-field',
    statement: 'ALTER TABLE users ALTER COLUMN nickname SET NOT NULL;',
    change: { kind: 'set-not-null', args: ['users', 'nickname'] },
    needs: ['fill'],
    fill: "'anonymous'",
    kept: /^-- Rewritten as an expand\/contract change \(set-not-null\): 003_expand_users_nickname_not_null\.sql, /m,
  },
  {
    rule: 'adding-required-field',
    statement: 'ALTER TABLE users ADD COLUMN tier text NOT NULL;',
    change: { kind: 'set-not-null', args: ['users', 'tier'] },
    needs: ['fill'],
    fill: "'free'",
    down: 'ALTER TABLE users DROP COLUMN IF EXISTS tier;',
    kept: /^ALTER TABLE users ADD COLUMN tier text;$/m,
  },
];

describe('language server: Rewrite as expand/contract…', function () {
  this.timeout(180_000);
  let client: TestLspClient;
  afterEach(async () => client?.dispose());

  for (const c of CASES) {
    it(`${c.rule}: the quick fix writes the three phases and replaces the statement; lint and check pass`, async () => {
      const dir = tempWorkspace({ 'migrations/001_base.sql': BASE });
      client = new TestLspClient({ workspaceFolder: dir });
      await client.initialize();
      const path = join(dir, 'migrations', '002_change.sql');
      const text = `-- migrate:up\nSET lock_timeout = '5s';\n${c.statement}\n\n-- migrate:down\n${c.down ?? 'SELECT 1;'}\n`;
      writeFileSync(path, text);
      const u = client.open(path, text);
      const diagnostics: Diagnostic[] = await client.diagnosticsFor(u, 1);
      const finding = diagnostics.find((d) => d.code === c.rule);
      assert.ok(finding, `rules: ${diagnostics.map((d) => d.code).join(', ')}`);
      const actions = ((await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: u }, range: finding.range, context: { diagnostics: [finding] } })) ??
        []) as CodeAction[];
      const fix = actions.find((a) => a.title === 'Rewrite as expand/contract…');
      assert.ok(fix, actions.map((a) => a.title).join(' | '));
      assert.equal(fix.kind, 'quickfix');
      assert.equal(fix.command?.command, 'tidemark.newExpandContract');
      const argument = fix.command!.arguments![0] as RewriteArgument;
      assert.deepEqual(argument.change, c.change);
      assert.deepEqual(argument.needs, c.needs);

      // What the client command sends once it asked for what is missing.
      const result = await client.connection.sendRequest(ExpandContractRequest.type, {
        change: { ...argument.change, ...(c.fill ? { fill: c.fill } : {}) },
        rewrite: argument.rewrite,
      });
      assert.deepEqual(
        result.phases.map((p) => [p.role, p.version]),
        [
          ['expand', '003'],
          ['backfill', '004'],
          ['contract', '005'],
        ],
      );
      assert.ok(result.edit);
      const rewritten = applyTextEdits(text, [result.edit]);
      assert.ok(!rewritten.includes(c.statement), rewritten);
      assert.match(rewritten, c.kept);
      writeFileSync(path, rewritten);
      assert.equal(readdirSync(join(dir, 'migrations')).length, 5);

      const touched = (f: { file: string }) => !f.file.endsWith('001_base.sql');
      const aboveInfo = cli(dir, ['lint']).filter((f) => touched(f) && (f.severity === 'error' || f.severity === 'warning'));
      assert.deepEqual(aboveInfo, []);
      assert.deepEqual(cli(dir, ['check']).filter(touched), []);
    });
  }

  it('refuses a quick fix offered for an older text of the document, and bad input, with a clear message', async () => {
    const dir = tempWorkspace({ 'migrations/001_base.sql': BASE });
    client = new TestLspClient({ workspaceFolder: dir });
    await client.initialize();
    const path = join(dir, 'migrations', '002_change.sql');
    const text = 'ALTER TABLE users RENAME COLUMN email TO email_address;\n';
    writeFileSync(path, text);
    const u = client.open(path, text);
    const [finding] = (await client.diagnosticsFor(u, 1)).filter((d) => d.code === 'renaming-column');
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: u },
      range: finding.range,
      context: { diagnostics: [finding] },
    })) as CodeAction[];
    const argument = actions.find((a) => a.title === 'Rewrite as expand/contract…')!.command!.arguments![0] as RewriteArgument;
    client.change(u, `${text}-- edited\n`);
    await assert.rejects(
      client.connection.sendRequest(ExpandContractRequest.type, { change: argument.change, rewrite: argument.rewrite }),
      /002_change\.sql changed since the quick fix was offered: run it again/,
    );
    await assert.rejects(
      client.connection.sendRequest(ExpandContractRequest.type, { root: dir, change: { kind: 'rename-column', args: ['users', 'nope', 'x'] } }),
      /column nope does not exist on users/,
    );
    await assert.rejects(
      client.connection.sendRequest(ExpandContractRequest.type, { root: dir, change: { kind: 'explode' as never, args: [] } }),
      /unknown expand\/contract kind "explode"/,
    );
    assert.deepEqual(readdirSync(join(dir, 'migrations')).sort(), ['001_base.sql', '002_change.sql']);
  });
});
