import assert from 'node:assert/strict';
import { splitSections, hasNoTransactionDirective, ignoredRules, fileIgnoredRules } from '../../../server/src/migrations/sections';

describe('migrations/sections: markers and directives', () => {
  it('cuts a file at -- migrate:up/down/verify markers; SQL before the first marker is up', () => {
    const text = 'SET x = 1;\n-- migrate:up\nCREATE TABLE t ();\n-- migrate:down\r\nDROP TABLE t;\n--migrate:verify\nSELECT 1;';
    const sections = splitSections(text);
    // SQL above -- migrate:up runs with the up section: one up section, not two.
    assert.deepEqual(
      sections.map((s) => [s.kind, s.text.trim()]),
      [
        ['up', 'SET x = 1;\n-- migrate:up\nCREATE TABLE t ();'],
        ['down', 'DROP TABLE t;'],
        ['verify', 'SELECT 1;'],
      ],
    );
    for (const s of sections) assert.equal(text.slice(s.offset, s.offset + s.text.length), s.text);
    assert.deepEqual(
      splitSections('SELECT 1;\n-- migrate:down\nSELECT 2;').map((s) => [s.kind, s.text.trim()]),
      [
        ['up', 'SELECT 1;'],
        ['down', 'SELECT 2;'],
      ],
    );
  });

  it('a header comment above -- migrate:up is not an up section of its own', () => {
    const text = '-- 005: add invoices\n/* ticket 42 */\n-- tidemark:no-transaction\n-- migrate:up\nCREATE TABLE t ();\n-- migrate:down\nDROP TABLE t;\n';
    assert.deepEqual(
      splitSections(text).map((s) => [s.kind, s.text.trim()]),
      [
        ['up', 'CREATE TABLE t ();'],
        ['down', 'DROP TABLE t;'],
      ],
    );
  });

  it('a file without markers is one section of the given kind', () => {
    assert.deepEqual(
      splitSections('DROP TABLE t;', 'down').map((s) => s.kind),
      ['down'],
    );
  });

  it('reads the no-transaction directive, also in dbmate form', () => {
    assert.equal(hasNoTransactionDirective('-- tidemark:no-transaction\nVACUUM;'), true);
    assert.equal(hasNoTransactionDirective('-- migrate:up transaction:false\nVACUUM;'), true);
    assert.equal(hasNoTransactionDirective('VACUUM; -- no-transaction'), false);
  });

  it('reads suppressions for a statement and for the file', () => {
    assert.deepEqual([...ignoredRules(['-- tidemark-ignore ban-drop-column, require-lock-timeout'])], ['ban-drop-column', 'require-lock-timeout']);
    assert.deepEqual([...ignoredRules(['-- tidemark-ignore-file x'])], []);
    assert.deepEqual([...fileIgnoredRules('SELECT 1;\n-- tidemark-ignore-file prefer-text-field\n')], ['prefer-text-field']);
  });
});
