import assert from 'node:assert/strict';
import { discoverMigrations } from '../../../server/src/migrations/discovery';
import { blockedReasons, environmentsDirective } from '../../../server/src/migrations/sections';
import { writeFiles } from '../../support/databases';
import { ensureParser, lintFiles } from '../../support/lint';
import { scratchDir } from '../../support/test-cleanup';

describe('migration directives: blocked, draft, environments', () => {
  before(ensureParser);

  it('collects one reason per -- tidemark:blocked line, "draft" for -- tidemark:draft, and not look-alikes', () => {
    assert.deepEqual(blockedReasons('-- tidemark:blocked  needs the queue drained  \n--tidemark:BLOCKED backfill done\n-- tidemark:draft\nSELECT 1;'), [
      'needs the queue drained',
      'backfill done',
      'draft',
    ]);
    assert.deepEqual(blockedReasons('-- tidemark:blocked\n'), ['blocked (no reason given)']);
    assert.deepEqual(blockedReasons("-- tidemark:blocked-by x\n-- see tidemark:blocked in the docs\nSELECT '-- tidemark:draft';"), []);
  });

  it('reads the names of -- tidemark:environments with their offsets', () => {
    const text = 'SELECT 1;\n-- tidemark:environments production,  staging\n';
    const directive = environmentsDirective(text)!;
    assert.deepEqual(
      directive.names.map((n) => [n.name, text.slice(n.offset, n.offset + n.name.length)]),
      [
        ['production', 'production'],
        ['staging', 'staging'],
      ],
    );
    assert.equal(environmentsDirective('SELECT 1;'), undefined);
  });

  it('discovery keeps the directives of the up section and the header, not of the down section', () => {
    const dir = scratchDir('directives-');
    writeFiles(dir, {
      '001_a.sql': '-- tidemark:blocked waits for billing\n-- migrate:up\nSELECT 1;\n-- migrate:down\n-- tidemark:environments nowhere\nSELECT 2;\n',
      '002_b.up.sql': '-- tidemark:environments production\nSELECT 1;\n',
      '002_b.down.sql': '-- tidemark:draft\nSELECT 1;\n',
    });
    const [a, b] = discoverMigrations(dir).migrations;
    assert.deepEqual([a.blockedReasons, a.environments], [['waits for billing'], undefined]);
    assert.deepEqual([b.blockedReasons, b.environments], [[], ['production']]);
  });

  it('a blocked migration is still linted: the block is about running it, not reading it', () => {
    const { findings } = lintFiles({ '001_drop.sql': '-- tidemark:blocked waits for the app release\nALTER TABLE users DROP COLUMN email;\n' }, { rule: 'ban-drop-column' });
    assert.equal(findings.length, 1);
  });
});
