/**
 * Atlas migration folders: file-name order, `-- atlas:txmode` / `-- atlas:sum` file directives,
 * and atlas.sum integrity computed as `atlas migrate hash` computes it. The Atlas binary does not
 * install here (its npm package downloads it at install time), so the computation is held to a
 * folder whose atlas.sum Atlas itself wrote (test/fixtures/layouts/atlas-upstream, from Atlas's
 * own repository).
 */
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverMigrations } from '../../../../server/src/migrations/discovery';
import { atlasSum, parseAtlasSum } from '../../../../server/src/migrations/layouts/atlas';
import { writeFiles } from '../../../support/databases';
import { repoRoot } from '../../../support/paths';
import { scratchDir } from '../../../support/test-cleanup';

const fixtures = join(repoRoot, 'test', 'fixtures', 'layouts');

function copy(name: string): string {
  const dir = scratchDir(`${name}-`);
  cpSync(join(fixtures, name), dir, { recursive: true });
  return dir;
}

describe('migrations/layouts/atlas: atlas.sum folders as Atlas reads them', () => {
  it('computes atlas.sum byte for byte as Atlas wrote it for its own test folder', () => {
    const dir = join(fixtures, 'atlas-upstream');
    const names = readdirSync(dir)
      .filter((n) => n.endsWith('.sql'))
      .sort();
    const { sum, entries } = atlasSum(names.map((name) => ({ name, bytes: readFileSync(join(dir, name)) })));
    const written = `h1:${sum}\n${entries.map((e) => `${e.name} h1:${e.hash}\n`).join('')}`;
    assert.equal(written, readFileSync(join(dir, 'atlas.sum'), 'utf8'));
    const found = discoverMigrations(dir);
    assert.equal(found.layout, 'atlas');
    assert.deepEqual(found.problems, []);
  });

  it('reads the fixture in file-name order with versions and names as Atlas splits them', () => {
    const found = discoverMigrations(join(fixtures, 'atlas'));
    assert.equal(found.layout, 'atlas');
    assert.equal(found.layoutEvidence, 'atlas.sum');
    assert.deepEqual(found.problems, []);
    assert.deepEqual(
      found.migrations.map((m) => [m.version, m.name, m.execution.transaction]),
      [
        ['20240101000000', 'create_users', 'wrapped'],
        ['20240102000000', 'users_email_index', 'none'],
        ['20240103000000', 'posts', 'wrapped'],
        ['20240104000000', 'seed', 'wrapped'],
      ],
    );
    for (const m of found.migrations) {
      assert.equal(m.execution.layout, 'atlas');
      assert.equal(m.execution.downsByDesign, false);
      assert.equal(m.down, undefined);
    }
  });

  it('orders by file name as a string, as Atlas does: 10_b before 2.10.x-20 before 2_a', () => {
    const dir = scratchDir('atlas-order-');
    const files = { '2_a.sql': 'CREATE TABLE a (id int);\n', '10_b.sql': 'CREATE TABLE b (id int);\n', '2.10.x-20_description.sql': 'SELECT 1;\n' };
    writeFiles(dir, files);
    const names = Object.keys(files).sort();
    const { sum, entries } = atlasSum(names.map((name) => ({ name, bytes: Buffer.from(files[name as keyof typeof files]) })));
    writeFileSync(join(dir, 'atlas.sum'), `h1:${sum}\n${entries.map((e) => `${e.name} h1:${e.hash}\n`).join('')}`);
    const found = discoverMigrations(dir);
    assert.deepEqual(found.problems, []);
    assert.deepEqual(
      found.migrations.map((m) => m.version),
      ['10', '2.10.x-20', '2'],
    );
  });

  it('reports an edited file against atlas.sum, naming the file — never ignores it', () => {
    const dir = copy('atlas');
    writeFileSync(join(dir, '20240103000000_posts.sql'), readFileSync(join(dir, '20240103000000_posts.sql'), 'utf8').replace('text NOT NULL', 'text'));
    const found = discoverMigrations(dir);
    assert.deepEqual(
      found.problems.map((p) => [p.code, p.path.slice(dir.length + 1), p.message.replace(/:.*/, '')]),
      [['layout-error', '20240103000000_posts.sql', '20240103000000_posts.sql does not match its hash in atlas.sum (line 4)']],
    );
    assert.equal(found.problems[0].severity, undefined, 'an error: Atlas refuses to run the folder');
  });

  it('reports a file added without hashing, a file removed, a missing and a hand-edited atlas.sum', () => {
    const added = copy('atlas');
    writeFileSync(join(added, '20240105000000_more.sql'), 'SELECT 1;\n');
    assert.match(
      discoverMigrations(added)
        .problems.map((p) => p.message)
        .join('\n'),
      /20240105000000_more\.sql is not in atlas\.sum/,
    );

    const removed = copy('atlas');
    rmSync(join(removed, '20240103000000_posts.sql'));
    assert.match(
      discoverMigrations(removed)
        .problems.map((p) => p.message)
        .join('\n'),
      /atlas\.sum lists 20240103000000_posts\.sql \(line 4\), which is not in the folder/,
    );

    const missing = copy('atlas');
    rmSync(join(missing, 'atlas.sum'));
    const gone = discoverMigrations(missing);
    // Without atlas.sum nothing says the folder is Atlas's: tidemark.json's "layout" does.
    const forced = discoverMigrations(missing, undefined, { layout: 'atlas' });
    assert.notEqual(gone.layout, 'atlas');
    assert.match(forced.problems.map((p) => p.message).join('\n'), /atlas\.sum is missing/);

    const edited = copy('atlas');
    const sum = readFileSync(join(edited, 'atlas.sum'), 'utf8');
    writeFileSync(
      join(edited, 'atlas.sum'),
      sum.replace(/^20240101000000_create_users\.sql h1:./m, (m) => m.slice(0, -1) + (m.endsWith('A') ? 'B' : 'A')),
    );
    assert.match(
      discoverMigrations(edited)
        .problems.map((p) => p.message)
        .join('\n'),
      /atlas\.sum: its first line does not match the lines below it/,
    );
    assert.deepEqual(parseAtlasSum('h1:x\nbroken line\n').error, { line: 2, message: 'line 2 is not "FILE h1:HASH"' });
  });

  it('reads file directives only where Atlas does, and says when one is ignored', () => {
    const dir = scratchDir('atlas-directives-');
    const files: Record<string, string> = {
      '1_no_blank_line.sql': '-- atlas:txmode none\nCREATE INDEX CONCURRENTLY i ON t (id);\n',
      '2_all.sql': '-- atlas:txmode all\n\nSELECT 1;\n',
      '3_file.sql': '-- atlas:txmode file\n\nSELECT 1;\n',
      '4_twice.sql': '-- atlas:txmode none\n-- atlas:txmode file\n\nSELECT 1;\n',
    };
    writeFiles(dir, files);
    const names = Object.keys(files).sort();
    const { sum, entries } = atlasSum(names.map((name) => ({ name, bytes: Buffer.from(files[name]) })));
    writeFileSync(join(dir, 'atlas.sum'), `h1:${sum}\n${entries.map((e) => `${e.name} h1:${e.hash}\n`).join('')}`);
    const found = discoverMigrations(dir);
    assert.deepEqual(
      found.migrations.map((m) => m.execution.transaction),
      ['wrapped', 'wrapped', 'wrapped', 'wrapped'],
    );
    assert.deepEqual(
      found.problems.map((p) => `${p.path.slice(dir.length + 1)} ${p.severity ?? 'error'}: ${p.message.replace(/^[^:]+: /, '')}`),
      [
        '1_no_blank_line.sql warning: Atlas ignores "-- atlas:txmode none" here: file directives go in the comment block at the top of the file, followed by a blank line',
        '2_all.sql error: txmode "all" is not allowed in a file directive; Atlas wants "file"',
        '4_twice.sql error: 2 atlas:txmode directives; Atlas accepts one',
      ],
    );
  });
});
