/**
 * A folder tidemark.json forces to a layout is read as that layout by the rules that look at
 * earlier migrations too, not as the folder would be detected. Here a dbmate project keeps goose
 * files from before it switched tools: detection says goose (it counts more goose markers), the
 * project says dbmate, and read as goose the dbmate files' up sections would be empty — the index
 * and the STABLE function they create unseen, and two false warnings on later migrations.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureParser } from '../../support/lint';
import { buildLintUnit } from '../../../server/src/lint/unit';
import { lintUnit } from '../../../server/src/lint/engine';
import { rulesById } from '../../../server/src/lint/rules';
import { layoutOnDisk } from '../../../server/src/migrations/layouts';
import { SteadyDisk, withSteadyDisk } from '../../../server/src/migrations/steady-disk';
import { scratchDir } from '../../support/test-cleanup';

const LATER = {
  '20240301000000_fk.sql': `-- migrate:up\nALTER TABLE child ADD CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id) NOT VALID;\n\n-- migrate:down\nALTER TABLE child DROP CONSTRAINT child_parent_fk;\n`,
  '20240501000000_use.sql': `-- migrate:up\nALTER TABLE child ADD COLUMN stamped bigint DEFAULT stamp();\n\n-- migrate:down\nALTER TABLE child DROP COLUMN stamped;\n`,
};

function dbmateFolderWithGooseLeftovers(): string {
  const dir = join(scratchDir('forced-layout-'), 'migrations');
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= 5; i++)
    writeFileSync(join(dir, `2024010${i}000000_legacy_${i}.sql`), `-- +goose Up\nCREATE TABLE legacy_${i} (id bigint PRIMARY KEY);\n\n-- +goose Down\nDROP TABLE legacy_${i};\n`);
  writeFileSync(
    join(dir, '20240201000000_tables.sql'),
    `-- migrate:up\nCREATE TABLE parent (id bigint PRIMARY KEY);\nCREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint);\nCREATE INDEX child_parent_id_idx ON child (parent_id);\n\n-- migrate:down\nDROP TABLE child;\nDROP TABLE parent;\n`,
  );
  writeFileSync(
    join(dir, '20240401000000_stamp.sql'),
    `-- migrate:up\nCREATE FUNCTION stamp() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT 1::bigint $$;\n\n-- migrate:down\nDROP FUNCTION stamp();\n`,
  );
  for (const [name, text] of Object.entries(LATER)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The rules' findings for `file` linted as the project's config says, in one CLI run (a batch) and as the editor does. */
function findings(dir: string, file: string, layout: 'dbmate' | undefined): { batch: string[]; editor: string[] } {
  const lint = () =>
    lintUnit(buildLintUnit(join(dir, file), LATER[file as keyof typeof LATER], undefined, { layout }), {
      rules: [rulesById.get('fk-missing-index')!, rulesById.get('adding-volatile-default')!],
    }).map((f) => `${f.rule}: ${f.message}`);
  return { batch: withSteadyDisk(new SteadyDisk(), lint), editor: lint() };
}

describe('earlier migrations of a folder whose layout tidemark.json sets', () => {
  before(ensureParser);

  it('is a folder detection reads otherwise (the premise of these tests)', () => {
    assert.equal(layoutOnDisk(dbmateFolderWithGooseLeftovers())?.reader.id, 'goose');
  });

  it('sees the index an earlier dbmate up section creates: no fk-missing-index', () => {
    const dir = dbmateFolderWithGooseLeftovers();
    const { batch, editor } = findings(dir, '20240301000000_fk.sql', 'dbmate');
    assert.deepEqual(batch, []);
    assert.deepEqual(editor, []);
  });

  it('sees the STABLE function an earlier dbmate up section declares: no adding-volatile-default', () => {
    const dir = dbmateFolderWithGooseLeftovers();
    const { batch, editor } = findings(dir, '20240501000000_use.sql', 'dbmate');
    assert.deepEqual(batch, []);
    assert.deepEqual(editor, []);
  });
});
