import assert from 'node:assert/strict';
import { splitStatements } from '../../../server/src/sql/split';
import { ensureParser, parseStatements } from '../../support/parse';

const texts = (sql: string) => splitStatements(sql).map((s) => sql.slice(s.start, s.end));

describe('sql/split: statements with exact ranges', () => {
  before(ensureParser);

  it('splits on semicolons but not inside strings, quoted names, comments or dollar quotes', () => {
    const sql = `SELECT 'a;b';\nSELECT "x;y" FROM t; -- c; d\n/* e; /* nested; */ f; */ SELECT $$ g; $$;\nSELECT $tag$ h; $$ i; $tag$;`;
    assert.deepEqual(texts(sql), [`SELECT 'a;b';`, `SELECT "x;y" FROM t;`, `SELECT $$ g; $$;`, `SELECT $tag$ h; $$ i; $tag$;`]);
  });

  it('keeps BEGIN ATOMIC function bodies in one statement', () => {
    const sql = `CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;\nSELECT 3;`;
    assert.equal(texts(sql).length, 2);
    assert.match(texts(sql)[0], /END;$/);
  });

  it("handles E'' escapes and an unterminated quote without losing earlier statements", () => {
    const sql = `SELECT E'it\\'s;';\nSELECT 'never closed;\nSELECT 2;`;
    const parts = texts(sql);
    assert.equal(parts[0], `SELECT E'it\\'s;';`);
    assert.equal(parts.length, 2, 'the unterminated quote swallows the rest, as PostgreSQL would');
  });

  it('a last statement without a semicolon ends at its last token', () => {
    const spans = splitStatements('SELECT 1;\n  SELECT 2   \n-- trailing');
    assert.equal(spans.length, 2);
    assert.equal(spans[1].terminated, false);
    assert.equal('SELECT 1;\n  SELECT 2   \n-- trailing'.slice(spans[1].start, spans[1].end), 'SELECT 2');
  });

  it('one syntax error does not hide the statements after it, and its position is exact', () => {
    const sql = 'CREATE TABLE a (id int);\nCREATE TABL b (id int);\nALTER TABLE a DROP COLUMN id;';
    const statements = parseStatements(sql);
    assert.equal(statements.length, 3);
    assert.ok(statements[0].node && statements[2].node);
    assert.equal(statements[1].syntaxError?.message, 'syntax error at or near "TABL"');
    assert.equal(sql.slice(statements[1].syntaxError!.offset, statements[1].syntaxError!.offset + 4), 'TABL');
  });

  it('maps parser byte offsets to string offsets after non-ASCII text', () => {
    const sql = "COMMENT ON TABLE t IS 'café ☕';\nSELECT 'ü' FRM t;";
    const statements = parseStatements(sql);
    const error = statements[1].syntaxError!;
    assert.equal(sql.slice(error.offset, error.offset + 1), 't');
  });
});
