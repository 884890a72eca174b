import assert from 'node:assert/strict';
import { ensureParser, flagged, lintFiles } from '../../support/lint';

const RULE = 'unknown-environment';
const KNOWN = ['local', 'staging', 'production'];

/** `environments: null` lints as when the project's environments are not known. */
function lint(sql: string, environments: string[] | null = KNOWN, file = '006_register_databases.sql') {
  const { findings, text } = lintFiles({ [file]: sql }, { rule: RULE, environments: environments ?? undefined });
  return { findings, text };
}

describe(`rule ${RULE}`, () => {
  before(ensureParser);

  it('flags each unknown name in -- tidemark:environments, underlining it and listing the known environments', () => {
    const { findings, text } = lint('-- tidemark:environments prodution, staging,qa\nINSERT INTO dbs VALUES (1);\n');
    assert.deepEqual(
      findings.map((f) => flagged(text, f)),
      ['prodution', 'qa'],
    );
    assert.equal(findings[0].severity, 'error');
    assert.equal(
      findings[0].message,
      '-- tidemark:environments names "prodution", which is not an environment in tidemark.json (known: local, staging, production); the migration would never run there',
    );
  });

  it('reads the directive in the header above -- migrate:up and inside the up section of a paired file', () => {
    const header = lint('-- tidemark:environments prod\n-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n');
    assert.deepEqual(
      header.findings.map((f) => flagged(header.text, f)),
      ['prod'],
    );
    const paired = lint('SELECT 1;\n-- tidemark:environments stagign\n', KNOWN, '006_x.up.sql');
    assert.deepEqual(
      paired.findings.map((f) => flagged(paired.text, f)),
      ['stagign'],
    );
  });

  it('does not flag known names, a directive in the down section, or anything when the environments are not known', () => {
    assert.deepEqual(lint('-- tidemark:environments production, staging\nSELECT 1;\n').findings, []);
    assert.deepEqual(lint('SELECT 1;\n-- migrate:down\n-- tidemark:environments nowhere\nSELECT 1;\n').findings, []);
    assert.deepEqual(lint('-- tidemark:environments anywhere\nSELECT 1;\n', null).findings, []);
  });
});
