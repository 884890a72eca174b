import assert from 'node:assert/strict';
import { splitSections, hasNoTransactionDirective, ignoredRules, fileIgnoredRules } from '../../../server/src/migrations/sections';

describe('migrations/sections: markers and directives', () => {
  it('cuts a file at -- migrate:up/down/verify markers; text before the first marker is up', () => {
    const text = 'SET x = 1;\n-- migrate:up\nCREATE TABLE t ();\n-- migrate:down\r\nDROP TABLE t;\n--migrate:verify\nSELECT 1;';
    const sections = splitSections(text);
    assert.deepEqual(sections.map((s) => [s.kind, s.text.trim()]), [
      ['up', 'SET x = 1;'],
      ['up', 'CREATE TABLE t ();'],
      ['down', 'DROP TABLE t;'],
      ['verify', 'SELECT 1;'],
    ]);
    for (const s of sections) assert.equal(text.slice(s.offset, s.offset + s.text.length), s.text);
  });

  it('a file without markers is one section of the given kind', () => {
    assert.deepEqual(splitSections('DROP TABLE t;', 'down').map((s) => s.kind), ['down']);
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
