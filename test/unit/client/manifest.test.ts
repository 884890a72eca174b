import assert from 'node:assert/strict';
import { READERS } from '../../../server/src/migrations/layouts';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandId, itemOnlyCommands, trustedOnlyCommands, treeViewId } from '../../../client/src/command-ids';
import { configJsonSchema } from '../../../server/src/migrations/config';
import { environmentRow, migrationRow } from '../../../client/src/tree-model';
import { repoRoot } from '../../support/paths';
import { environment, migration } from './fixtures';

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const contributes = manifest.contributes;
const declared: string[] = contributes.commands.map((c: { command: string }) => c.command);
const menus: Record<string, MenuEntry[]> = contributes.menus;
const itemMenu = menus['view/item/context'];

/**
 * Evaluates the subset of when-clause syntax the manifest uses (`&&`, `!`, `==`, `=~ /re/`, bare
 * keys) against a context; throws on anything else so a new construct gets a test first.
 */
function when(clause: string, context: Record<string, string | boolean>): boolean {
  return clause.split(/\s+&&\s+/).every((term) => {
    const negated = term.startsWith('!');
    const t = negated ? term.slice(1) : term;
    let value: boolean;
    let m: RegExpMatchArray | null;
    if ((m = /^(\S+) =~ \/(.*)\/$/.exec(t))) value = new RegExp(m[2]).test(String(context[m[1]] ?? ''));
    else if ((m = /^(\S+) == (\S+)$/.exec(t))) value = String(context[m[1]]) === m[2];
    else if (/^[\w.]+$/.test(t)) value = t === 'false' ? false : t === 'true' ? true : Boolean(context[t]);
    else throw new Error(`unsupported when-clause term: ${term}`);
    return negated ? !value : value;
  });
}

/** Commands the tree's context menu offers on a row with this context value. */
function menuFor(viewItem: string, trusted = true): string[] {
  const context = { view: treeViewId, viewItem, isWorkspaceTrusted: trusted };
  return [...new Set(itemMenu.filter((e) => when(e.when ?? 'true', context)).map((e) => e.command))].sort();
}

describe('client manifest (package.json contributes)', () => {
  it('declares exactly the commands the client registers', () => {
    assert.deepEqual([...declared].sort(), Object.values(CommandId).sort());
  });

  it('gives every command a category and every menu or keybinding a declared command', () => {
    for (const c of contributes.commands) assert.equal(c.category, 'Tidemark', c.command);
    const referenced = [
      ...Object.values(menus)
        .flat()
        .map((e) => e.command),
      ...(contributes.keybindings ?? []).map((k: { command: string }) => k.command),
    ];
    for (const id of referenced) assert.ok(declared.includes(id), `${id} is in a menu but not in contributes.commands`);
  });

  it('hides item-only commands from the palette and offers database commands only when trusted', () => {
    const palette = new Map(menus.commandPalette.map((e) => [e.command, e.when]));
    for (const id of itemOnlyCommands) assert.equal(palette.get(id), 'false', id);
    for (const entry of Object.values(menus).flat()) {
      if (trustedOnlyCommands.has(entry.command as CommandId) && entry.when !== 'false') {
        assert.match(entry.when ?? '', /\bisWorkspaceTrusted\b/, `${entry.command} shown without workspace trust`);
      }
    }
  });

  it('offers apply and plan on pending migrations, roll back on the newest applied, diff on drifted', () => {
    const pending = migrationRow(migration('003', 'x', 'pending'), false).contextValue;
    assert.deepEqual(
      menuFor(pending),
      [CommandId.applyTo, CommandId.approve, CommandId.checkMigration, CommandId.markApplied, CommandId.openDown, CommandId.openUp, CommandId.plan].sort(),
    );
    // Waiting on a soak time or an approval: apply would stop before it; it can be approved.
    const waiting = migrationRow(migration('004', 'x', 'waiting'), false).contextValue;
    assert.deepEqual(menuFor(waiting), [CommandId.approve, CommandId.checkMigration, CommandId.markApplied, CommandId.openDown, CommandId.openUp].sort());
    const newest = migrationRow(migration('002', 'x', 'applied', { hasVerify: true }), true).contextValue;
    assert.deepEqual(
      menuFor(newest),
      [CommandId.checkMigration, CommandId.markPending, CommandId.openDown, CommandId.openUp, CommandId.openVerify, CommandId.rollbackLast, CommandId.verify].sort(),
    );
    const older = migrationRow(migration('001', 'x', 'applied'), false).contextValue;
    assert.deepEqual(menuFor(older), [CommandId.checkMigration, CommandId.markPending, CommandId.openDown, CommandId.openUp, CommandId.rollbackTo].sort());
    const drifted = migrationRow(migration('001', 'x', 'drifted'), false).contextValue;
    assert.ok(menuFor(drifted).includes(CommandId.showDiff));
    assert.ok(!menuFor(older).includes(CommandId.showDiff));
    const missing = migrationRow({ version: '9', name: 'gone', state: 'missing', hasDown: false, hasVerify: false }, false).contextValue;
    assert.deepEqual(menuFor(missing), [CommandId.markPending], "a missing file's row can only be removed");
  });

  it('offers no database command on items of an untrusted workspace, but still opens files', () => {
    const pending = migrationRow(migration('003', 'x', 'pending'), false).contextValue;
    assert.deepEqual(menuFor(pending, false), [CommandId.openDown, CommandId.openUp].sort(), "the replay check runs the workspace's SQL: trusted workspaces only");
  });

  it('offers environment actions by what the environment holds', () => {
    const mixed = environmentRow(environment('local', [migration('001', 'a', 'applied'), migration('002', 'b', 'pending')])).contextValue;
    assert.deepEqual(
      menuFor(mixed),
      [CommandId.applyAll, CommandId.forgetPassword, CommandId.plan, CommandId.rollbackLast, CommandId.setPassword, CommandId.showHistory, CommandId.verify].sort(),
    );
    const sandbox = environmentRow(environment('sandbox', [migration('001', 'a', 'pending')])).contextValue;
    assert.deepEqual(menuFor(sandbox), [CommandId.applyAll, CommandId.plan, CommandId.showHistory].sort());
    const untracked = environmentRow({ ...environment('legacy', [migration('001', 'a', 'pending')]), tracking: { state: 'untracked', objects: 3 } }).contextValue;
    assert.deepEqual(
      menuFor(untracked),
      [CommandId.adopt, CommandId.forgetPassword, CommandId.setPassword, CommandId.showHistory].sort(),
      'adopt instead of apply, which would refuse',
    );
  });

  it('activates only on Tidemark projects, declares limited untrusted support and contributes its files', () => {
    // tidemark.json, the view, and the marker files of every layout Tidemark reads (a Prisma or diesel folder has no migrations/*.sql).
    const markers = READERS.flatMap((r) => r.activationGlobs ?? []).map((glob) => `workspaceContains:${glob}`);
    assert.deepEqual(new Set(manifest.activationEvents), new Set(['workspaceContains:**/tidemark.json', ...markers, `onView:${treeViewId}`]));
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    const grammar = contributes.grammars[0];
    assert.deepEqual(grammar.injectTo, ['source.sql']);
    const grammarFile = JSON.parse(readFileSync(join(repoRoot, grammar.path), 'utf8'));
    assert.equal(grammarFile.scopeName, grammar.scopeName, `${grammar.path} declares another scope name`);
    for (const setting of ['tidemark.lint.rules', 'tidemark.trace.server', 'tidemark.activeEnvironment']) {
      const property = contributes.configuration.properties[setting];
      assert.ok(property && 'default' in property && (property.description || property.markdownDescription), setting);
    }
    assert.ok(contributes.viewsWelcome.some((v: { when: string }) => v.when === 'tidemark.projectState == none'));
    assert.ok(contributes.viewsWelcome.some((v: { when: string }) => v.when === 'tidemark.projectState == noEnvironment'));
  });

  it('ships a tidemark.json schema generated from the current zod schema', () => {
    const url: string = contributes.jsonValidation[0].url;
    const file = join(repoRoot, url);
    assert.ok(existsSync(file), `${url} is missing: run npm run schema`);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), JSON.parse(JSON.stringify(configJsonSchema())), `${url} is stale: run npm run schema`);
  });
});
