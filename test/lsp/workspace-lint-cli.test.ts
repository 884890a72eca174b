import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { LocatedFinding } from '../../server/src/cli/format/located';
import { tidemark } from '../support/cli';
import { codes, tempWorkspace, TestLspClient, uri } from '../support/lsp-client';
import { ensureParser } from '../support/lint';
import { longSum } from '../support/hostile-sql';

/**
 * A golang-migrate history of `count` migrations: tables, then columns, indexes, keys and
 * backfills on earlier ones, so the rules that read the earlier migrations have work to do.
 */
function history(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let n = 1; n <= count; n++) {
    const earlier = `table_${Math.max(1, n - 1 - (n % 3))}`;
    const up = [`CREATE TABLE table_${n} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  tenant_id bigint NOT NULL,\n  name text\n);`];
    switch (n % 6) {
      case 0:
        up.push(`CREATE INDEX CONCURRENTLY ${earlier}_tenant_${n} ON ${earlier} (tenant_id);`);
        break;
      case 1:
        up.push(`ALTER TABLE ${earlier} ADD CONSTRAINT ${earlier}_fk_${n} FOREIGN KEY (tenant_id) REFERENCES table_${n} (id);`);
        break;
      case 2:
        up.push(`ALTER TABLE ${earlier} ALTER COLUMN name SET NOT NULL;`, `UPDATE ${earlier} SET name = 'n' WHERE name IS NULL;`);
        break;
      case 3:
        up.push(`ALTER TABLE ${earlier} ADD COLUMN note_${n} text DEFAULT 'x';`);
        break;
      case 4:
        up.push(`ALTER TABLE ${earlier} ALTER COLUMN name TYPE varchar(200);`);
        break;
      default:
        up.push(`ALTER TABLE ${earlier} DROP COLUMN IF EXISTS old_${n};`);
    }
    const base = `migrations/${String(n).padStart(6, '0')}_step_${n}`;
    files[`${base}.up.sql`] = up.join('\n\n') + '\n';
    files[`${base}.down.sql`] = `DROP TABLE IF EXISTS table_${n};\n`;
  }
  return files;
}

const SEVERITY = ['', 'error', 'warning', 'info', 'hint'];

/** One line per finding, as `tidemark lint --format json` places it (1-based lines and columns). */
function fromDiagnostics(file: string, diagnostics: Diagnostic[]): string[] {
  return diagnostics.map(
    (d) =>
      `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.code} ${SEVERITY[d.severity ?? 1]} ${d.message}`,
  );
}

async function cliFindings(dir: string): Promise<string[]> {
  const result = await tidemark(dir, ['lint', '--format', 'json']);
  assert.ok(result.code === 0 || result.code === 1, result.stderr);
  const findings = JSON.parse(result.stdout) as LocatedFinding[];
  return findings.map((f) => `${f.file}:${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.rule} ${f.severity} ${f.message}`).sort();
}

describe('language server: the workspace lint publishes what `tidemark lint` reports', function () {
  let client: TestLspClient;
  before(ensureParser);
  afterEach(async () => client?.dispose());

  /** The last diagnostics published for each migration file, once every one of them was published. */
  async function published(dir: string, files: string[], since = 0): Promise<string[]> {
    const all: string[] = [];
    for (const rel of files) {
      await client.diagnostics(uri(join(dir, rel)), () => true, since);
    }
    const last = new Map<string, Diagnostic[]>();
    for (const p of client.published) if (p.uri.endsWith('.sql')) last.set(p.uri, p.diagnostics);
    for (const [u, diagnostics] of last) all.push(...fromDiagnostics(relative(dir, fileURLToPath(u)).split(sep).join('/'), diagnostics));
    return all.sort();
  }

  it('publishes every unopened migration with the findings the CLI prints for it', async () => {
    const files = history(120);
    const dir = tempWorkspace(files);
    client = new TestLspClient({ workspaceFolder: dir, scope: 'workspace' });
    await client.initialize();
    const lsp = await published(dir, Object.keys(files));
    const cli = await cliFindings(dir);
    // Rules that read earlier migrations fire too (a key on a column no earlier index serves).
    assert.ok(cli.some((line) => / fk-missing-index /.test(line)) && cli.length > 100, `too few findings to compare: ${cli.length}`);
    assert.deepEqual(lsp, cli);
  });

  it('publishes a statement too deep for the parser as the CLI finds it, from the background pass', async () => {
    // Whether the parser can read a deep statement depends on the thread's stack: the background
    // pass's worker thread has a stack as deep as the CLI's, so statement-too-complex is published.
    const files = history(40);
    const deep = `${longSum(20_000)}ALTER TABLE users DROP COLUMN email;\n`;
    for (const n of [7, 23, 38]) files[`migrations/${String(n).padStart(6, '0')}_step_${n}.up.sql`] = deep;
    const dir = tempWorkspace(files);
    client = new TestLspClient({ workspaceFolder: dir, scope: 'workspace' });
    await client.initialize();
    const lsp = await published(dir, Object.keys(files));
    const cli = await cliFindings(dir);
    assert.equal(cli.filter((line) => / statement-too-complex /.test(line)).length, 3, cli.join('\n'));
    assert.deepEqual(lsp, cli);
  });

  it('keeps them current when a file changes on disk and when a saved edit changes a later migration', async () => {
    const files = history(120);
    // An index built concurrently in its own migration, then the key it serves, far later.
    files['migrations/000005_step_5.up.sql'] = 'CREATE INDEX CONCURRENTLY orders_tenant ON orders (tenant_id);\n';
    files['migrations/000100_step_100.up.sql'] = 'ALTER TABLE orders ADD CONSTRAINT orders_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id) NOT VALID;\n';
    const dir = tempWorkspace(files);
    client = new TestLspClient({ workspaceFolder: dir, scope: 'workspace' });
    await client.initialize();
    await published(dir, Object.keys(files));
    const key = uri(join(dir, 'migrations/000100_step_100.up.sql'));
    assert.ok(!codes(await client.diagnostics(key)).includes('fk-missing-index'));

    // The index is edited in the editor to another column and saved: the unopened key is no longer served.
    const indexPath = join(dir, 'migrations/000005_step_5.up.sql');
    const index = client.open(indexPath, files['migrations/000005_step_5.up.sql']);
    await client.diagnosticsFor(index, 1);
    let since = client.mark();
    const column = files['migrations/000005_step_5.up.sql'].indexOf('tenant_id');
    const edited = client.edit(index, { start: { line: 0, character: column }, end: { line: 0, character: column + 'tenant_id'.length } }, 'created_at');
    await client.diagnosticsFor(index, edited);
    // Not saved yet: the migrations after it are linted from the disk, as `tidemark lint` reads them.
    assert.ok(!codes(await client.diagnostics(key)).includes('fk-missing-index'));
    writeFileSync(indexPath, 'CREATE INDEX CONCURRENTLY orders_tenant ON orders (created_at);\n');
    client.save(index);
    client.filesChanged([{ path: indexPath, type: 'changed' }]);
    assert.ok(codes(await client.diagnostics(key, (d) => d.length > 0, since)).includes('fk-missing-index'));

    // Another migration changed on disk, not opened: re-published with the CLI's findings.
    since = client.mark();
    const dropped = join(dir, 'migrations/000060_step_60.up.sql');
    writeFileSync(dropped, 'ALTER TABLE accounts DROP COLUMN plan;\n');
    client.filesChanged([{ path: dropped, type: 'changed' }]);
    assert.ok(codes(await client.diagnostics(uri(dropped), () => true, since)).includes('ban-drop-column'));
    // Everything after it was linted again too (the later migrations read it): wait for the last one.
    await client.diagnostics(uri(join(dir, 'migrations/000120_step_120.down.sql')), () => true, since);
    client.close(index);
    await client.diagnostics(index, () => true, client.mark());
    assert.deepEqual(await published(dir, []), await cliFindings(dir));
  });
});
