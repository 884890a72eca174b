/**
 * The floors of server/src (docs/architecture.md's table) hold in the code: no folder imports one
 * its row does not list, no files import each other in a circle, and server/ never imports vscode.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../support/paths';
import { importCircles, importGraph, importSpecifiers, sourceFiles, upwardImports, type ImportEdge } from './import-graph';

const serverSrc = join(repoRoot, 'server', 'src');
const architectureDoc = join(repoRoot, 'docs', 'architecture.md');

/** The table between `<!-- floors:start -->` and `<!-- floors:end -->`: folder → what it may import. */
function floorsTable(markdown: string): Map<string, Set<string>> {
  const start = markdown.indexOf('<!-- floors:start -->');
  const end = markdown.indexOf('<!-- floors:end -->');
  assert.ok(start >= 0 && end > start, 'docs/architecture.md has no floors table between <!-- floors:start --> and <!-- floors:end -->');
  const rows = markdown
    .slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('| `'));
  const names = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  const table = new Map<string, Set<string>>();
  for (const row of rows) {
    const [folderCell, , importsCell] = row.split('|').slice(1);
    const [folder] = names(folderCell);
    table.set(folder, new Set(importsCell.trim().startsWith('every folder but') ? ['*except', ...names(importsCell)] : names(importsCell)));
  }
  // "every folder but X": every other row of the table, minus X.
  for (const [folder, allowed] of table) {
    if (!allowed.has('*except')) continue;
    table.set(folder, new Set([...table.keys()].filter((other) => other !== folder && !allowed.has(other))));
  }
  return table;
}

describe('architecture: the floors of server/src', () => {
  const table = floorsTable(readFileSync(architectureDoc, 'utf8'));
  const edges = importGraph(serverSrc);

  it('the table names every folder and root file of server/src, and only those', () => {
    const floors = new Set(sourceFiles(serverSrc).map((file) => file.slice(serverSrc.length + 1).split(/[\\/]/)[0]));
    assert.deepEqual([...floors].filter((f) => !table.has(f)).sort(), [], 'add a row to the floors table of docs/architecture.md for each of these');
    assert.deepEqual([...table.keys()].filter((f) => !floors.has(f)).sort(), [], 'these rows of the floors table name nothing in server/src');
  });

  it('reads the real import graph (sanity: the runner sits on the database floor)', () => {
    assert.ok(edges.length > 300, `only ${edges.length} imports found`);
    assert.ok(edges.some((e) => e.from === 'runner/apply.ts' && e.to.startsWith('database/')));
  });

  it('no folder imports one its row does not list', () => {
    assert.deepEqual(upwardImports(edges, table), []);
  });

  it('no files import each other in a circle', () => {
    assert.deepEqual(
      importCircles(edges).map((circle) => circle.join(' → ')),
      [],
    );
  });

  it('server/ never imports vscode (only client/ does)', () => {
    const offenders = sourceFiles(serverSrc).filter((file) => /from 'vscode'|require\('vscode'\)/.test(readFileSync(file, 'utf8')));
    assert.deepEqual(offenders, []);
  });
});

describe('architecture: the checks catch what they are for', () => {
  const edge = (from: string, to: string): ImportEdge => ({ from, to, line: 1, specifier: '' });
  const table = new Map([
    ['sql', new Set<string>()],
    ['lint', new Set(['sql'])],
  ]);

  it('an upward import and a folder without a row are reported with file and line', () => {
    assert.deepEqual(upwardImports([edge('lint/a.ts', 'sql/b.ts'), edge('sql/b.ts', 'lint/a.ts'), edge('new/c.ts', 'sql/b.ts')], table), [
      'sql/b.ts:1 imports lint/a.ts: sql may not import lint',
      'new/c.ts:1: new has no row in the floors table',
    ]);
  });

  it('a circle through three files is reported as one path', () => {
    assert.deepEqual(importCircles([edge('a.ts', 'b.ts'), edge('b.ts', 'c.ts'), edge('c.ts', 'a.ts'), edge('c.ts', 'd.ts')]), [['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    assert.deepEqual(importCircles([edge('a.ts', 'b.ts'), edge('b.ts', 'c.ts')]), []);
  });

  it('finds type-only imports, re-exports, require and typeof import', () => {
    const text = ["import type { A } from './a';", "export { B } from '../b';", "const c = require('./c') as typeof import('./d');", "import { e } from 'node:fs';"].join('\n');
    assert.deepEqual(
      importSpecifiers('x.ts', text).map((s) => `${s.line}:${s.specifier}`),
      ['1:./a', '2:../b', '3:./c', '3:./d'],
    );
  });
});
