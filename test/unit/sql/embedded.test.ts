import assert from 'node:assert/strict';
import type { AstNode } from '../../../server/src/sql/ast';
import { ensureParser, parseStatements } from '../../support/parse';
import { embeddedStatements } from '../../../server/src/sql/embedded';
import { nodeType, type Statement } from '../../../server/src/sql/statements';

/** Embedded statements of every top-level statement in `sql`, with the file text each one covers. */
function embeddedIn(sql: string) {
  return parseStatements(sql)
    .flatMap((s) => embeddedStatements(s))
    .map((e) => ({
      statement: e,
      type: nodeType(e.node),
      covers: sql.slice(e.start, e.end),
      guarded: e.embedding!.guarded,
    }));
}

const relationAt = (sql: string, s: Statement): string => {
  const body = Object.values(s.node as object)[0] as { relation?: { location?: number; relname?: string }; table?: { location?: number; relname?: string } };
  const rel = body.relation ?? body.table!;
  const at = s.offsetOf(rel.location);
  return sql.slice(at, at + rel.relname!.length);
};

describe('sql/embedded: statements inside DO blocks and function bodies', () => {
  before(ensureParser);

  it('finds a CREATE POLICY under an IF NOT EXISTS existence guard, at its exact text', () => {
    const sql = `CREATE TABLE t (a int);
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE policyname = 'p') THEN
    CREATE POLICY p ON t USING (a > 0);
  END IF;
  ALTER TABLE t ADD COLUMN b text;
END $$;`;
    const found = embeddedIn(sql);
    assert.deepEqual(
      found.map((f) => [f.type, f.covers, f.guarded]),
      [
        ['CreatePolicyStmt', 'CREATE POLICY p ON t USING (a > 0)', true],
        ['AlterTableStmt', 'ALTER TABLE t ADD COLUMN b text', false],
      ],
    );
    const top = parseStatements(sql)[1];
    assert.equal(found[0].statement.embedding!.parent.start, top.start);
    assert.equal(relationAt(sql, found[1].statement), 't');
  });

  it('treats statements in a block with an EXCEPTION handler, and in CASE/ELSE branches, as guarded', () => {
    const found = embeddedIn(`DO $body$
BEGIN
  BEGIN
    ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);
  EXCEPTION WHEN duplicate_object THEN
    RAISE NOTICE 'exists';
  END;
  CASE WHEN true THEN DROP TABLE x; ELSE DROP TABLE y; END CASE;
  DROP TABLE z;
END
$body$;`);
    assert.deepEqual(
      found.map((f) => [f.covers, f.guarded]),
      [
        ['ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)', true],
        ['DROP TABLE x', true],
        ['DROP TABLE y', true],
        ['DROP TABLE z', false],
      ],
    );
  });

  it('reads EXECUTE of a constant string, mapping positions through doubled quotes', () => {
    const sql = `DO $$ BEGIN
  EXECUTE 'CREATE INDEX i ON t (lower(''x''), b)';
  EXECUTE $q$ALTER TABLE u ADD COLUMN c int$q$;
  EXECUTE format('DROP TABLE %I', 'v');
END $$;`;
    const found = embeddedIn(sql);
    assert.deepEqual(
      found.map((f) => f.type),
      ['IndexStmt', 'AlterTableStmt'],
    );
    assert.equal(found[0].statement.text, "CREATE INDEX i ON t (lower('x'), b)");
    assert.equal(found[0].covers, "CREATE INDEX i ON t (lower(''x''), b)");
    // The column b comes after the escaped quotes: its location must still land on "b" in the file.
    const params = (found[0].statement.node as AstNode).IndexStmt.indexParams;
    const b = params[1].IndexElem;
    assert.equal(b.name, 'b');
    const text = found[0].statement.text;
    const bInText = text.indexOf('b)');
    assert.equal(sql[found[0].statement.offsetOf(Buffer.byteLength(text.slice(0, bInText)))], 'b');
    assert.equal(found[1].covers, 'ALTER TABLE u ADD COLUMN c int');
    assert.equal(relationAt(sql, found[1].statement), 'u');
  });

  it('locates a query whose INTO clause PL/pgSQL blanked out, and queries after multi-byte text', () => {
    const sql = `DO $$
DECLARE n int;
BEGIN
  -- café: non-ASCII text shifts byte offsets
  SELECT count(*) INTO n FROM t;
  UPDATE "tablé" SET a = n;
END $$;`;
    const found = embeddedIn(sql);
    assert.deepEqual(
      found.map((f) => f.covers),
      ['SELECT count(*) INTO n FROM t', 'UPDATE "tablé" SET a = n'],
    );
    const update = found[1].statement;
    const loc = (update.node as AstNode).UpdateStmt.relation.location;
    assert.equal(sql.slice(update.offsetOf(loc), update.offsetOf(loc) + 7), '"tablé"');
  });

  it('reads PL/pgSQL function and procedure bodies, dollar- or single-quoted', () => {
    const sql = `CREATE OR REPLACE FUNCTION sync() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE t SET a = NEW.a WHERE id = NEW.id;
  RETURN NEW;
END
$fn$;
CREATE PROCEDURE p() LANGUAGE plpgsql AS 'BEGIN CREATE TABLE x (a text DEFAULT ''q''); END';`;
    const found = embeddedIn(sql);
    assert.deepEqual(
      found.map((f) => f.covers),
      ['UPDATE t SET a = NEW.a WHERE id = NEW.id', "CREATE TABLE x (a text DEFAULT ''q'')"],
    );
    assert.deepEqual(
      found.map((f) => f.guarded),
      [false, false],
    );
  });

  it('parses LANGUAGE sql bodies, plain strings and BEGIN ATOMIC', () => {
    const sql = `CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ DELETE FROM t; UPDATE u SET a = 1 $$;
CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC UPDATE w SET a = 2; SELECT 1; END;`;
    const found = embeddedIn(sql);
    assert.deepEqual(
      found.map((f) => f.type),
      ['DeleteStmt', 'UpdateStmt', 'UpdateStmt', 'SelectStmt'],
    );
    assert.deepEqual(
      found.slice(0, 2).map((f) => f.covers),
      ['DELETE FROM t;', 'UPDATE u SET a = 1'],
    );
    // BEGIN ATOMIC bodies keep the function's range but their locations still point into the file.
    assert.equal(relationAt(sql, found[2].statement), 'w');
  });

  it('looks into a function created inside a DO block', () => {
    const sql = `DO $outer$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'f') THEN
    CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $f$ BEGIN DROP TABLE old_t; END $f$;
  END IF;
END $outer$;`;
    const found = embeddedIn(sql);
    assert.deepEqual(
      found.map((f) => [f.type, f.guarded]),
      [
        ['CreateFunctionStmt', true],
        ['DropStmt', true],
      ],
    );
    assert.equal(found[1].covers, 'DROP TABLE old_t');
    assert.equal(found[1].statement.embedding!.parent.text.startsWith('DO $outer$'), true);
  });

  it('finds every kind of SQL command a body can run, however rare, and nothing in a body that runs none', () => {
    // Bodies without an SQL command word are skipped unparsed: each command here must still be found.
    const commands: Array<[string, string]> = [
      ['VACUUM orders', 'VacuumStmt'],
      ['ANALYSE orders', 'VacuumStmt'],
      ['REINDEX TABLE orders', 'ReindexStmt'],
      ['CLUSTER orders USING orders_pkey', 'ClusterStmt'],
      ['LOCK TABLE orders IN ACCESS EXCLUSIVE MODE', 'LockStmt'],
      ['TRUNCATE orders', 'TruncateStmt'],
      ['REFRESH MATERIALIZED VIEW order_totals', 'RefreshMatViewStmt'],
      ["COMMENT ON TABLE orders IS 'x'", 'CommentStmt'],
      ['GRANT SELECT ON orders TO reporting', 'GrantStmt'],
      ['REASSIGN OWNED BY old_owner TO new_owner', 'ReassignOwnedStmt'],
      ['MERGE INTO orders o USING staged s ON o.id = s.id WHEN MATCHED THEN DELETE', 'MergeStmt'],
      ["SET lock_timeout = '5s'", 'VariableSetStmt'],
      ['NOTIFY orders_changed', 'NotifyStmt'],
      ['WITH gone AS (DELETE FROM orders RETURNING id) SELECT count(*) FROM gone', 'SelectStmt'],
    ];
    for (const [command, type] of commands) {
      const found = embeddedIn(`DO $$\nBEGIN\n  ${command};\nEND\n$$;`);
      assert.deepEqual(
        found.map((f) => [f.type, f.covers]),
        [[type, command]],
        command,
      );
    }
    assert.deepEqual(
      embeddedIn(`CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.updated_at IS NULL THEN RAISE NOTICE 'stamping'; END IF;
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;`),
      [],
    );
  });

  it('ignores functions in other languages and statements without bodies', () => {
    assert.deepEqual(
      embeddedIn(`CREATE FUNCTION c() RETURNS int LANGUAGE c AS 'lib', 'sym';
CREATE FUNCTION pl() RETURNS int LANGUAGE plpython3u AS $$ return 1 $$;
CREATE TABLE t (a int);`),
      [],
    );
  });

  it('never throws on malformed bodies and finds nothing in them', () => {
    const broken = [
      'DO $$ BEGIN CREATE TABLE x ( $$;',
      'DO $$ garbage garbage $$;',
      'DO $$ BEGIN DROP TABLE t; ALTER TABLE ; END $$;',
      'CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN FOR r IN SELECT 1 LOOP END LOOP; END $$;',
      'DO $$ BEGIN DROP TABLE t; END',
      "DO E'BEGIN DROP TABLE t; END\\",
      '\u0000\u0001\u00ff DO $$ \uffff',
    ];
    for (const sql of broken) {
      const statements = parseStatements(sql);
      for (const s of statements) assert.deepEqual(embeddedStatements(s), [], sql);
    }
  });

  it('falls back to the parent range for a body it cannot find in the file', () => {
    // An E'' string body: the value differs from the text by its backslash escapes.
    const sql = 'DO E\'BEGIN DROP TABLE \\"t\\"; END\';';
    const [top] = parseStatements(sql);
    const found = embeddedStatements(top);
    assert.equal(found.length, 1);
    assert.equal(found[0].embedding!.inexact, true);
    assert.deepEqual([found[0].start, found[0].end], [top.start, top.end]);
  });
});
