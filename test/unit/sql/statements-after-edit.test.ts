/**
 * An editor's re-lint parses only what an edit touched (parseStatementsAfterEdit) and keeps or
 * moves the other statements. Every finding's place comes from those statements, so they must be
 * exactly what parsing the whole edited text gives: this applies thousands of edits, many of them
 * the ones that change how the rest of the text splits (quotes, comments, dollar quotes, BEGIN
 * ATOMIC, semicolons), each to the result of the one before as an editor does, and compares.
 */
import assert from 'node:assert/strict';
import { ensureParser } from '../../support/parse';
import { parseStatements, parseStatementsAfterEdit, type Statement } from '../../../server/src/sql/statements';

const BASE = [
  '-- the first\nCREATE TABLE accounts (id bigint PRIMARY KEY, name text);',
  "INSERT INTO accounts VALUES (1, 'a;b');",
  '/* block; comment */ ALTER TABLE accounts ADD COLUMN note text;',
  'DO $$\nBEGIN\n  ALTER TABLE accounts ADD COLUMN flag boolean;\nEND\n$$;',
  'CREATE FUNCTION one() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;',
  'SELEC broken;',
  '-- tidemark-ignore ban-drop-column\nALTER TABLE accounts DROP COLUMN note;',
  'CREATE INDEX CONCURRENTLY accounts_name ON accounts (name);',
  "UPDATE accounts SET name = 'ü' WHERE id = 1;",
  'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(200)',
].join('\n\n');

const LONG = Array.from({ length: 6 }, () => BASE).join('\n\n');

const SNIPPETS = [';', "'", '"', '--', '\n', '/*', '*/', '$$', 'x', ' ', 'END;', 'BEGIN ATOMIC ', 'SELECT 1;', 'ü', ');', 'CASE WHEN true THEN 1 END'];

/** A deterministic pseudo-random sequence. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

function shape(statements: Statement[]) {
  return statements.map((s) => ({
    index: s.index,
    start: s.start,
    end: s.end,
    text: s.text,
    leadingComments: s.leadingComments,
    node: s.node,
    syntaxError: s.syntaxError,
    notAnalysed: s.notAnalysed,
    // Locations in the tree map to the same file offsets.
    located: s.offsetOf(3),
  }));
}

describe('parseStatementsAfterEdit', () => {
  before(ensureParser);

  it('gives the statements a parse of the whole edited text gives, edit after edit', () => {
    const next = random(27);
    let reused = 0;
    let edits = 0;
    // The long text spans several of the blocks texts are compared by (1,024 characters).
    for (const [base, baseOffset] of [
      [BASE, 0],
      [BASE, 17],
      [LONG, 5],
    ] as const) {
      let text = base;
      let previous = { text, statements: parseStatements(text, baseOffset) };
      for (let i = 0; i < 1500; i++, edits++) {
        const at = Math.floor(next() * (text.length + 1));
        const removed = next() < 0.3 ? Math.floor(next() * 6) : 0;
        const inserted = next() < 0.8 ? SNIPPETS[Math.floor(next() * SNIPPETS.length)] : '';
        // Drifting far from SQL makes every edit a fallback: start again now and then.
        text = i % 100 === 99 ? base : text.slice(0, at) + inserted + text.slice(at + removed);
        const whole = parseStatements(text, baseOffset);
        const after = parseStatementsAfterEdit(previous, text, baseOffset);
        if (after) {
          reused++;
          assert.deepEqual(shape(after), shape(whole), `after an edit at ${at} (${JSON.stringify(inserted)}, ${removed} removed) of:\n${previous.text}\n---- giving:\n${text}`);
        }
        previous = { text, statements: after ?? whole };
      }
    }
    // Most edits are parsed the short way; the others fall back to the whole text.
    assert.ok(reused > edits / 2, `only ${reused} of ${edits} edits reused the statements around them`);
  });

  it('keeps the statements before the edit and parses only the one edited', () => {
    const text = 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCREATE TABLE c (id int);\n';
    const before = parseStatements(text);
    const edited = text.replace('TABLE b', 'TABLE bb');
    const after = parseStatementsAfterEdit({ text, statements: before }, edited)!;
    assert.equal(after[0], before[0]);
    assert.notEqual(after[1], before[1]);
    assert.equal(after[1].text, 'CREATE TABLE bb (id int);');
    assert.equal(after[2].start, before[2].start + 1);
    assert.equal(after[2].node, before[2].node);
  });

  it('falls back when an edit opens a quote that changes how the rest splits', () => {
    const text = "SELECT 1;\nSELECT 'a';\nSELECT 2;\n";
    const edited = text.replace("SELECT 'a'", "SELECT ''a'");
    assert.equal(parseStatementsAfterEdit({ text, statements: parseStatements(text) }, edited), undefined);
  });
});
