/**
 * migrations-sample/migrations shows every layout of docs/architecture.md side by side, in one version order,
 * and every migration has a rollback and verify queries with `-- expect:`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { discoverMigrations } from '../../../server/src/migrations/discovery';
import { sampleDir } from '../../support/paths';

describe('migrations-sample/migrations: layouts and parts', () => {
  const { migrations, problems } = discoverMigrations(join(sampleDir, 'migrations'));

  it('are discovered without problems, in version order, 001..010 then Flyway V11', () => {
    assert.deepEqual(problems, []);
    assert.deepEqual(
      migrations.map((m) => m.version),
      ['001', '002', '003', '004', '005', '006', '007', '008', '009', '010', '11'],
    );
  });

  it('use all four layouts: sections, paired files, sibling folders (both rollback names) and Flyway', () => {
    const byLayout = (layout: string) => migrations.filter((m) => m.layout === layout).map((m) => m.version);
    assert.ok(byLayout('sections').length >= 1);
    assert.ok(byLayout('paired').length >= 1);
    assert.deepEqual(byLayout('flyway'), ['11']);
    const folders = migrations.filter((m) => m.layout === 'folders');
    const downNames = folders.map((m) => m.down!.file.path.split('/').pop());
    assert.ok(downNames.includes('004_rollback.sql'), 'rollback/VERSION_rollback.sql is used');
    assert.ok(
      downNames.some((n) => n !== '004_rollback.sql'),
      'rollback/NAME.sql is used',
    );
  });

  it('give every migration a rollback and verify queries with -- expect:', () => {
    for (const m of migrations) {
      assert.ok(m.down && m.down.text.trim(), `${m.version} has a rollback`);
      assert.ok(m.verify && /^--\s*expect:/im.test(m.verify.text), `${m.version} has verify queries with -- expect:`);
    }
  });

  it('mark the concurrent index builds as no-transaction migrations', () => {
    assert.deepEqual(
      migrations.filter((m) => m.noTransactionDirective).map((m) => m.version),
      ['007', '008'],
    );
  });
});
