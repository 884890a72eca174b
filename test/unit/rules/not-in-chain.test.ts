import assert from 'node:assert/strict';
import { ensureParser, lintFiles } from '../../support/lint';

describe('rule not-in-chain', () => {
  before(ensureParser);
  const files = {
    'drizzle/meta/_journal.json': JSON.stringify({ version: '7', dialect: 'postgresql', entries: [{ idx: 0, version: '7', when: 1, tag: '0000_init', breakpoints: true }] }),
    'drizzle/0000_init.sql': 'CREATE TABLE a (id int);',
    'drizzle/0000_stale.sql': 'CREATE TABLE b (id int);',
  };

  it('warns on a Drizzle file the journal does not list', () => {
    const { findings } = lintFiles(files, { linted: 'drizzle/0000_stale.sql', rule: 'not-in-chain' });
    assert.equal(findings.length, 1);
    assert.equal(findings[0].severity, 'warning');
    assert.match(findings[0].message, /0000_stale\.sql is not part of the chain: meta\/_journal\.json does not list it/);
  });

  it('is quiet on a listed file', () => {
    assert.deepEqual(lintFiles(files, { linted: 'drizzle/0000_init.sql', rule: 'not-in-chain' }).findings, []);
  });
});
