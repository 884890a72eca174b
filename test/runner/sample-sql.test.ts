/**
 * The sample's SQL runs on PGlite (PostgreSQL 18 in WASM), without the runner: every up applies
 * in order, every verify query returns what it expects, every down reverses its up so the schema
 * is empty again, and a second apply succeeds. This keeps the sample honest independently of the
 * runner (test/runner/sample-roundtrip.test.ts goes through the runner API).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { discoverMigrations } from '../../server/src/migrations/discovery';
import type { Migration, Section } from '../../server/src/migrations/types';
import { ensureParser } from '../../server/src/sql/parse';
import { parseStatements } from '../../server/src/sql/statements';
import { transactionIncompatibility } from '../../server/src/sql/transaction';
import { sampleDir } from '../support/paths';

const EXPECT = /^--\s*expect:\s*(.*?)\s*$/i;

function statementsOf(section: Section) {
  return parseStatements(section.text, section.offset);
}

async function runSection(db: PGlite, migration: Migration, section: Section): Promise<void> {
  const statements = statementsOf(section);
  const where = (i: number) => `${migration.version} ${section.kind} (${section.file.path}), statement ${i + 1}`;
  if (statements.some((s) => transactionIncompatibility(s.node))) {
    // Autocommit, one statement at a time, as PostgreSQL requires for CONCURRENTLY.
    for (const [i, s] of statements.entries()) {
      await db.exec(s.text).catch((e: Error) => assert.fail(`${where(i)}: ${e.message}`));
    }
    return;
  }
  await db.transaction(async (tx) => {
    for (const [i, s] of statements.entries()) {
      await tx.exec(s.text).catch((e: Error) => assert.fail(`${where(i)}: ${e.message}`));
    }
  });
}

/** Runs a verify section in a transaction that is rolled back, checking `-- expect:` and booleans. */
async function verify(db: PGlite, migration: Migration): Promise<number> {
  const section = migration.verify!;
  let checks = 0;
  await db
    .transaction(async (tx) => {
      for (const s of statementsOf(section)) {
        const expected = s.leadingComments.map((c) => EXPECT.exec(c)?.[1]).filter((v) => v !== undefined).pop();
        const result = await tx.query<Record<string, unknown>>(s.text, [], { rowMode: 'object' });
        const firstRow = result.rows[0];
        const firstCell = firstRow ? Object.values(firstRow)[0] : undefined;
        const label = `${migration.version} verify: ${s.text.split('\n').pop()}`;
        if (expected !== undefined) {
          assert.equal(String(firstCell), expected, label);
          checks++;
        } else if (result.fields.length === 1 && result.rows.length === 1 && typeof firstCell === 'boolean') {
          assert.equal(firstCell, true, label);
          checks++;
        }
      }
      await tx.rollback();
    })
    .catch((e: Error) => {
      if (!/rollback/i.test(e.message)) throw e;
    });
  return checks;
}

async function userObjects(db: PGlite): Promise<string[]> {
  const { rows } = await db.query<{ what: string }>(`
    SELECT 'table ' || relname AS what FROM pg_class WHERE relnamespace = 'public'::regnamespace
    UNION ALL SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
    UNION ALL SELECT 'type ' || typname FROM pg_type WHERE typnamespace = 'public'::regnamespace
    ORDER BY 1`);
  return rows.map((r) => r.what);
}

describe('sample migrations on PGlite (plain SQL, no runner)', function () {
  this.timeout(120_000);
  const { migrations, problems } = discoverMigrations(join(sampleDir, 'migrations'));

  before(async () => {
    await ensureParser();
  });

  it('are discovered in version order in all four layouts, each with a rollback and a verify part', () => {
    assert.deepEqual(problems, []);
    assert.deepEqual(
      migrations.map((m) => m.version),
      ['001', '002', '003', '004', '005', '006', '007', '008', '009', '010', '11'],
    );
    assert.deepEqual([...new Set(migrations.map((m) => m.layout))].sort(), ['flyway', 'folders', 'paired', 'sections']);
    for (const m of migrations) {
      assert.ok(m.down && m.down.text.trim(), `${m.version} has a rollback`);
      assert.ok(m.verify && /--\s*expect:/i.test(m.verify.text), `${m.version} has verify queries with -- expect:`);
    }
  });

  it('apply, verify, roll back to an empty schema, and apply again', async () => {
    const db = new PGlite();
    try {
      for (let round = 1; round <= 2; round++) {
        let checks = 0;
        for (const m of migrations) {
          await runSection(db, m, m.up);
          checks += await verify(db, m);
        }
        // Every verify still holds once everything is applied (later migrations must not break them).
        for (const m of migrations) await verify(db, m);
        assert.ok(checks >= 2 * migrations.length, `round ${round}: ${checks} verify checks ran`);
        for (const m of [...migrations].reverse()) await runSection(db, m, m.down!);
        assert.deepEqual(await userObjects(db), [], `round ${round}: rolling back everything leaves nothing behind`);
      }
    } finally {
      await db.close();
    }
  });
});
