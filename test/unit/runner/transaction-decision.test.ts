/**
 * How a migration runs (wrapped in Tidemark's transaction, as written in its own, or statement by
 * statement without one) is read by the runner and the replay from the one shared description,
 * migration.execution: the same SQL gets the same decision whatever layout holds it, and the
 * layout's own rule (sqitch's psql autocommit, goose's NO TRANSACTION) is the one lint sees too.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { discoverMigrations } from '../../../server/src/migrations/discovery';
import { describeExecution } from '../../../server/src/migrations/execution';
import type { LayoutId, Migration } from '../../../server/src/migrations/types';
import { planSection } from '../../../server/src/runner/execution';
import { buildLintUnit } from '../../../server/src/lint/unit';
import { writeFiles } from '../../support/databases';
import { scratchDir } from '../../support/test-cleanup';

const BODIES = {
  plain: 'CREATE TABLE t (id int);',
  own: 'BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;',
  concurrently: 'CREATE TABLE t (id int);\nCREATE INDEX CONCURRENTLY t_id ON t (id);',
} as const;
type Body = keyof typeof BODIES;

/** The files of a one-migration project of `layout` whose up is `sql`. */
const LAYOUTS: Record<string, { layout: LayoutId; files: (sql: string) => Record<string, string> }> = {
  dbmate: { layout: 'dbmate', files: (sql) => ({ 'migrations/20240101000000_t.sql': `-- migrate:up\n${sql}\n-- migrate:down\nDROP TABLE t;\n` }) },
  'golang-migrate': {
    layout: 'golang-migrate',
    files: (sql) => ({ 'migrations/000001_t.up.sql': `${sql}\n`, 'migrations/000001_t.down.sql': 'DROP TABLE t;\n' }),
  },
  goose: { layout: 'goose', files: (sql) => ({ 'migrations/20240101000000_t.sql': `-- +goose Up\n${sql}\n-- +goose Down\nDROP TABLE t;\n` }) },
  flyway: { layout: 'flyway', files: (sql) => ({ 'migrations/V1__t.sql': `${sql}\n`, 'migrations/U1__t.sql': 'DROP TABLE t;\n' }) },
  sqitch: {
    layout: 'sqitch',
    files: (sql) => ({
      'migrations/sqitch.plan': '%syntax-version=1.0.0\n%project=p\n\nt 2024-01-01T00:00:00Z Tests <tests@tidemark.invalid> # t\n',
      'migrations/deploy/t.sql': `${sql}\n`,
      'migrations/revert/t.sql': 'DROP TABLE t;\n',
    }),
  },
};

/** What the decision must be: the SQL decides, except that sqitch (psql) runs a script opening no transaction in autocommit. */
function expected(layout: string, body: Body): 'wrapped' | 'own' | 'none' {
  if (body === 'own') return 'own';
  if (body === 'concurrently') return 'none';
  return layout === 'sqitch' ? 'none' : 'wrapped';
}

function migrationOf(layout: string, body: Body): Migration {
  const root = scratchDir('transaction-decision-');
  writeFiles(root, LAYOUTS[layout].files(BODIES[body]));
  const { migrations } = discoverMigrations(join(root, 'migrations'), undefined, { layout: LAYOUTS[layout].layout });
  assert.equal(migrations.length, 1, `${layout}: one migration expected, found ${migrations.map((m) => m.version).join(', ')}`);
  return migrations[0];
}

describe('the runner reads how a migration runs from migration.execution', () => {
  for (const layout of Object.keys(LAYOUTS)) {
    for (const body of Object.keys(BODIES) as Body[]) {
      it(`${layout}, ${body} up: ${expected(layout, body)}, for the runner, the replay and lint alike`, async () => {
        const migration = migrationOf(layout, body);
        const plan = await planSection(migration.up, migration);
        assert.equal(plan.transaction, expected(layout, body), `${layout} ${body}: ${plan.noTransactionReason ?? ''}`);
        // Nothing of a file that owns its transaction, or runs without one, is dropped or refused.
        if (plan.transaction !== 'wrapped') assert.deepEqual([...plan.skipped], []);
        assert.equal(plan.conflictingControl, undefined);
        // Lint's unit reads the same description (a statement refused in a transaction is lint's own finding, not its execution).
        if (body !== 'concurrently') {
          const unit = buildLintUnit(migration.up.file.path, migration.up.file.text, undefined, { layout: LAYOUTS[layout].layout });
          assert.equal(unit.execution.transaction, plan.transaction, `${layout} ${body}: lint says ${unit.execution.transaction}`);
        }
      });
    }
  }

  it('says why a layout runs a file without a transaction', async () => {
    assert.match(
      (await planSection(migrationOf('sqitch', 'plain').up, migrationOf('sqitch', 'plain'))).noTransactionReason ?? '',
      /sqitch runs a script that opens no transaction/,
    );
    const goose = migrationOf('goose', 'plain');
    const annotated = { ...goose, execution: describeExecution('goose', { noTransaction: true }), noTransactionDirective: true };
    assert.match((await planSection(goose.up, annotated)).noTransactionReason ?? '', /goose NO TRANSACTION/);
  });
});
