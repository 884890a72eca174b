/**
 * The one table of built-in functions' volatility (sql/builtin-functions.ts) checked against the
 * catalog of a real PostgreSQL (PGlite, with uuid-ossp and pgcrypto created): every entry must be
 * pg_proc.provolatile of its most volatile overload. Then what the table decides — whether
 * ADD COLUMN ... DEFAULT rewrites the table — checked against what PostgreSQL does: a rewrite
 * gives the table a new relfilenode, a fast default does not.
 */
import assert from 'node:assert/strict';
import { PGlite } from '@electric-sql/pglite';
import { ensureParser, parseStatements } from '../../support/parse';
import { BUILTIN_FUNCTIONS, FUNCTION_STYLE_CASTS, type Volatility } from '../../../server/src/sql/builtin-functions';
import { lockEffects } from '../../../server/src/sql/locks';
import { defaultVolatility } from '../../../server/src/sql/volatility';

const ORDER: Volatility[] = ['i', 's', 'v'];
const mostVolatile = (letters: string): Volatility => ORDER[Math.max(...[...letters].map((l) => ORDER.indexOf(l as Volatility)))];

describe('sql/builtin-functions against the catalog of PostgreSQL', () => {
  let db: PGlite;
  before(async () => {
    await ensureParser();
    // The contrib bundles are ES modules only; this test file compiles to CommonJS.
    const { uuid_ossp } = await import('@electric-sql/pglite/contrib/uuid_ossp');
    const { pgcrypto } = await import('@electric-sql/pglite/contrib/pgcrypto');
    db = await PGlite.create({ extensions: { uuid_ossp, pgcrypto } });
    await db.exec('CREATE EXTENSION "uuid-ossp"; CREATE EXTENSION pgcrypto; CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2);');
  });
  after(async () => db?.close());

  it('records each function as pg_proc.provolatile says (the most volatile overload)', async () => {
    const names = Object.keys(BUILTIN_FUNCTIONS);
    const { rows } = await db.query<{ proname: string; volatilities: string }>(
      "SELECT proname, string_agg(DISTINCT provolatile::text, '') AS volatilities FROM pg_proc WHERE proname = ANY($1) GROUP BY proname",
      [names],
    );
    const catalog = new Map(rows.map((r) => [r.proname, mostVolatile(r.volatilities)]));
    const wrong = names
      .filter((name) => catalog.get(name) !== BUILTIN_FUNCTIONS[name])
      .map((name) => `${name}: table ${BUILTIN_FUNCTIONS[name]}, pg_proc ${catalog.get(name) ?? '(no such function)'}`);
    assert.deepEqual(wrong, []);
  });

  it('records each function-style cast as its type input function is, and none is a function', async () => {
    for (const [name, volatility] of Object.entries(FUNCTION_STYLE_CASTS)) {
      const { rows: functions } = await db.query('SELECT 1 FROM pg_proc WHERE proname = $1', [name]);
      assert.equal(functions.length, 0, `${name} is a function in pg_proc: move it to BUILTIN_FUNCTIONS`);
      const { rows } = await db.query<{ provolatile: string }>('SELECT p.provolatile FROM pg_type t JOIN pg_proc p ON p.oid = t.typinput WHERE t.typname = $1', [name]);
      assert.equal(rows[0]?.provolatile, volatility, name);
    }
  });

  const DEFAULTS = [
    'now()',
    "date_trunc('day', now())",
    "md5('x')",
    "to_char(now(), 'YYYY')",
    "inet('10.0.0.1')",
    'gen_random_uuid()',
    'clock_timestamp()',
    'uuid_generate_v4()',
    'random()',
  ];
  for (const [i, expr] of DEFAULTS.entries()) {
    it(`ADD COLUMN ... DEFAULT ${expr}: the prediction and the rule agree with whether PostgreSQL rewrites`, async () => {
      const sql = `ALTER TABLE t ADD COLUMN c${i} text DEFAULT ${expr}`;
      const node = parseStatements(sql)[0].node;
      const predicted = lockEffects(node)[0].rewrite;
      const constraint = (node as { AlterTableStmt: { cmds: Array<{ AlterTableCmd: { def: { ColumnDef: { constraints: Array<{ Constraint: { raw_expr: unknown } }> } } } }> } })
        .AlterTableStmt.cmds[0].AlterTableCmd.def.ColumnDef.constraints[0].Constraint.raw_expr;
      const ruleVerdict = defaultVolatility(constraint, () => undefined)?.verdict;
      const fileBefore = (await db.query<{ f: number }>("SELECT pg_relation_filenode('t') AS f")).rows[0].f;
      await db.exec(sql);
      const fileAfter = (await db.query<{ f: number }>("SELECT pg_relation_filenode('t') AS f")).rows[0].f;
      const rewritten = fileBefore !== fileAfter;
      assert.equal(predicted, rewritten, `lockEffects says rewrite=${predicted}, PostgreSQL ${rewritten ? 'rewrote' : 'did not rewrite'} the table`);
      assert.equal(
        ruleVerdict === 'volatile',
        rewritten,
        `defaultVolatility says ${ruleVerdict ?? 'evaluated once'}, PostgreSQL ${rewritten ? 'rewrote' : 'did not rewrite'} the table`,
      );
    });
  }
});
