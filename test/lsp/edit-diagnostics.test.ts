/**
 * After an edit the server re-lints from what it kept of the text before it (statements, their
 * trees, per-statement facts): what it publishes must be what a fresh lint of the new text gives,
 * byte for byte. Statements are moved, changed, added and removed, among them statements whose
 * finding depends on another statement of the file or on an earlier migration; after each edit the
 * diagnostics are compared with those of a second server that sees the text for the first time.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { codes, TestLspClient } from '../support/lsp-client';
import { scratchDir } from '../support/test-cleanup';
import { SourceFile } from '../../server/src/sql/source';

const EARLIER = [
  'CREATE TABLE accounts (id bigint PRIMARY KEY, email varchar(100), legacy text);',
  'CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint);',
  'CREATE INDEX orders_account ON orders (account_id);',
].join('\n');

// Each statement's finding, or its absence, depends on another one or on the earlier migration.
const CREATE_ITEMS = 'CREATE TABLE items (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts (id), made timestamp);';
const ITEMS_NOT_NULL = 'ALTER TABLE items ALTER COLUMN made SET NOT NULL;';
const WIDEN_EMAIL = 'ALTER TABLE accounts ALTER COLUMN email TYPE varchar(200);';
const ORDERS_FK = 'ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);';
const ITEMS_INDEX = 'CREATE INDEX items_account ON items (account_id);';
const DROP_LEGACY = 'ALTER TABLE accounts DROP COLUMN legacy;';
const IN_DO = 'DO $$\nBEGIN\n  ALTER TABLE accounts ADD COLUMN note varchar(20);\nEND\n$$;';
const POLICY = "CREATE POLICY orders_own ON orders USING (account_id = current_setting('app.account')::bigint);";
const ORDERS_RLS = 'ALTER TABLE orders ENABLE ROW LEVEL SECURITY;';

const START = [CREATE_ITEMS, ITEMS_NOT_NULL, WIDEN_EMAIL, ORDERS_FK, ITEMS_INDEX, DROP_LEGACY, IN_DO, POLICY, ORDERS_RLS].join('\n\n') + '\n';

type Edit = { start: number; end: number; newText: string };
const at = (text: string, piece: string, occurrence = 0): number => {
  let found = text.indexOf(piece);
  for (let i = 0; i < occurrence; i++) found = text.indexOf(piece, found + 1);
  assert.ok(found >= 0, `${piece} not in the text`);
  return found;
};
const insert = (offset: number, newText: string): Edit => ({ start: offset, end: offset, newText });
const remove = (text: string, piece: string): Edit => ({ start: at(text, piece), end: at(text, piece) + piece.length, newText: '' });
const replace = (text: string, piece: string, newText: string): Edit => ({ ...remove(text, piece), newText });

/** Edits as a user makes them, each computed on the text the ones before it left. */
const EDITS: Array<{ what: string; edit: (text: string) => Edit }> = [
  { what: 'type a character inside a statement', edit: (t) => insert(at(t, 'varchar(200)') + 'varchar(20'.length, '0') },
  { what: 'cut the NOT NULL away from after its CREATE TABLE', edit: (t) => remove(t, ITEMS_NOT_NULL + '\n\n') },
  { what: 'paste it before the CREATE TABLE', edit: () => insert(0, ITEMS_NOT_NULL + '\n\n') },
  { what: 'remove the index that covers the foreign key', edit: (t) => remove(t, ITEMS_INDEX + '\n\n') },
  { what: 'add a statement between two others', edit: (t) => insert(at(t, DROP_LEGACY), 'ALTER TABLE items ADD COLUMN extra int;\n\n') },
  { what: 'change a binary-compatible type change into a rewrite', edit: (t) => replace(t, 'varchar(2000)', 'integer') },
  { what: 'remove the policy the RLS statement relies on', edit: (t) => remove(t, POLICY + '\n') },
  { what: 'add a suppression comment above a statement', edit: (t) => insert(at(t, DROP_LEGACY), '-- tidemark-ignore ban-drop-column\n') },
  { what: 'open a quote that changes how the rest splits', edit: (t) => insert(at(t, 'ADD COLUMN note'), "'") },
  { what: 'close it again', edit: (t) => ({ start: at(t, "'ADD"), end: at(t, "'ADD") + 1, newText: '' }) },
  { what: 'move the CREATE TABLE back to the start, on one line with the NOT NULL', edit: () => insert(0, CREATE_ITEMS + ' ') },
  { what: 'remove the first CREATE TABLE of two', edit: () => ({ start: 0, end: CREATE_ITEMS.length + 1, newText: '' }) },
  { what: 'add the index back at the end, with the policy', edit: (t) => insert(t.length, `${ITEMS_INDEX}\n${POLICY}\n`) },
  { what: 'change the table an ALTER names inside the DO block', edit: (t) => replace(t, 'ALTER TABLE accounts ADD COLUMN note', 'ALTER TABLE items ADD COLUMN note') },
];

/** A diagnostic as the user sees it: everything but which document version it belongs to. */
const shown = (diagnostics: Diagnostic[]) => JSON.stringify(diagnostics.map((d) => ({ ...d, data: { ...(d.data as object), version: undefined } })));

describe('language server: diagnostics after an edit are those of a fresh lint', function () {
  this.timeout(120000);
  const clients: TestLspClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.dispose();
  });

  it('moves, changes, adds and removes statements, with findings that depend on others and on an earlier migration', async () => {
    const root = scratchDir('lsp-edits-');
    const project = (name: string, text: string) => {
      mkdirSync(join(root, name, 'migrations'), { recursive: true });
      writeFileSync(join(root, name, 'migrations', '001_base.sql'), EARLIER);
      writeFileSync(join(root, name, 'migrations', '002_change.sql'), text);
      return join(root, name, 'migrations', '002_change.sql');
    };
    const edited = new TestLspClient({ workspaceFolder: root, scope: 'openFiles' });
    clients.push(edited);
    await edited.initialize();
    // The fresh side: each text opened by a server that never saw it (a server keeps parse trees
    // and what rules judged of them by statement text, whatever the file).
    const freshLint = async (name: string, text: string) => {
      const fresh = new TestLspClient({ workspaceFolder: root, scope: 'openFiles' });
      try {
        await fresh.initialize();
        return await fresh.diagnosticsFor(fresh.open(project(name, text), text), 1);
      } finally {
        await fresh.dispose();
      }
    };

    const path = project('edited', START);
    const u = edited.open(path, START);
    let text = START;
    let diagnostics = await edited.diagnosticsFor(u, 1);
    const seen = new Set<string>();
    for (const [step, { what, edit }] of [{ what: 'open', edit: undefined }, ...EDITS].entries()) {
      if (edit) {
        const change = edit(text);
        const file = new SourceFile(path, text);
        const version = edited.edit(u, { start: file.positionAt(change.start), end: file.positionAt(change.end) }, change.newText);
        text = text.slice(0, change.start) + change.newText + text.slice(change.end);
        diagnostics = await edited.diagnosticsFor(u, version);
      }
      const expected = await freshLint(`fresh-${step}`, text);
      assert.equal(shown(diagnostics), shown(expected), `after "${what}", the text being:\n${text}`);
      for (const code of codes(diagnostics)) seen.add(String(code));
    }
    // The edits made and unmade the findings that depend on other statements and the earlier migration.
    for (const rule of ['fk-missing-index', 'changing-column-type', 'adding-not-nullable-field', 'rls-enabled-without-policy', 'ban-drop-column', 'policy-setting-missing-ok'])
      assert.ok(seen.has(rule), `no ${rule} finding in any step: ${[...seen].join(', ')}`);
  });
});
