/**
 * A whole-repository `tidemark lint` is built once per run (steady-disk.ts: each folder read once;
 * earlier-migrations.ts: the earlier migrations as running catalogs, extended in version order).
 * What a user sees must not depend on that: each file's findings are the ones `tidemark lint FILE`
 * gives for it alone, whatever order the files are linted in, and a migration's findings depend
 * on it and the earlier migrations only. The judgements that read earlier migrations are checked
 * by name, so a catalog that misses a migration fails here.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tidemark } from '../support/cli';
import { scratchDir } from '../support/test-cleanup';

interface JsonFinding {
  file: string;
  line: number;
  column: number;
  rule: string;
  severity: string;
  message: string;
}

const COUNT = 30;

/** Statements that make later migrations' judgements depend on earlier ones, by migration number. */
const SPECIAL: Record<number, string> = {
  5: 'CREATE INDEX CONCURRENTLY table_2_parent ON table_2 (parent_id);',
  7: 'CREATE POLICY table_4_own ON table_4 USING (parent_id IS NOT NULL);',
  8: 'CREATE FUNCTION stamp_now() RETURNS timestamptz LANGUAGE sql VOLATILE AS $$ SELECT clock_timestamp() $$;',
  9: "CREATE FUNCTION stamp_fixed() RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$ SELECT timestamptz '2020-01-01' $$;",
  // Covered by migration 5's index: no fk-missing-index.
  12: 'ALTER TABLE table_2 ADD CONSTRAINT table_2_parent_fk FOREIGN KEY (parent_id) REFERENCES table_1 (id) NOT VALID;',
  // No index anywhere: fk-missing-index.
  13: 'ALTER TABLE table_3 ADD CONSTRAINT table_3_parent_fk FOREIGN KEY (parent_id) REFERENCES table_1 (id) NOT VALID;',
  // Migration 7 created its policy: no rls-enabled-without-policy.
  14: 'ALTER TABLE table_4 ENABLE ROW LEVEL SECURITY;',
  // No policy: rls-enabled-without-policy.
  15: 'ALTER TABLE table_6 ENABLE ROW LEVEL SECURITY;',
  // Widening the varchar(50) migration 0 created: binary compatible, no changing-column-type.
  16: 'ALTER TABLE table_0 ALTER COLUMN name TYPE varchar(100);',
  // Declared VOLATILE in migration 8: adding-volatile-default.
  18: 'ALTER TABLE table_1 ADD COLUMN seen_at timestamptz DEFAULT stamp_now();',
  // Declared IMMUTABLE in migration 9: no adding-volatile-default.
  19: 'ALTER TABLE table_1 ADD COLUMN fixed_at timestamptz DEFAULT stamp_fixed();',
  // Later than the key of migration 13 and the RLS of migration 15: they stay flagged.
  20: 'CREATE INDEX CONCURRENTLY table_3_parent ON table_3 (parent_id);',
  21: 'CREATE POLICY table_6_own ON table_6 USING (parent_id IS NOT NULL);',
  // Read the earlier migrations up to 20 and 21 first when the files are linted last to first.
  25: 'ALTER TABLE table_5 ADD CONSTRAINT table_5_parent_fk FOREIGN KEY (parent_id) REFERENCES table_1 (id) NOT VALID;',
  26: 'ALTER TABLE table_8 ENABLE ROW LEVEL SECURITY;',
};

const base = (n: number) => `${String(n + 1).padStart(3, '0')}_step_${n}`;

function writeProject(root: string, count: number): void {
  const dir = join(root, 'migrations');
  mkdirSync(dir, { recursive: true });
  for (let n = 0; n < count; n++) {
    const up = [`CREATE TABLE table_${n} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  parent_id bigint,\n  name varchar(50) NOT NULL\n);`];
    if (SPECIAL[n]) up.push(SPECIAL[n]);
    writeFileSync(join(dir, `${base(n)}.up.sql`), `${up.join('\n\n')}\n`);
    writeFileSync(join(dir, `${base(n)}.down.sql`), `DROP TABLE table_${n};\n`);
  }
}

function byFile(stdout: string): Map<string, JsonFinding[]> {
  const findings = JSON.parse(stdout) as JsonFinding[];
  const files = new Map<string, JsonFinding[]>();
  for (const f of findings) files.set(f.file, [...(files.get(f.file) ?? []), f]);
  return files;
}

async function lintJson(cwd: string, paths: string[] = []): Promise<Map<string, JsonFinding[]>> {
  const run = await tidemark(cwd, ['lint', '--format', 'json', ...paths]);
  assert.ok(run.code === 0 || run.code === 1, `tidemark lint exited ${run.code}: ${run.stderr}`);
  return byFile(run.stdout);
}

const rulesOf = (findings: JsonFinding[] | undefined) => (findings ?? []).map((f) => f.rule);
const upFile = (n: number) => `migrations/${base(n)}.up.sql`;

describe('tidemark lint: a repository linted once per run', function () {
  this.timeout(120_000);
  let root: string;
  let whole: Map<string, JsonFinding[]>;

  before(async () => {
    root = scratchDir('project-lint', 'process');
    writeProject(root, COUNT);
    whole = await lintJson(root);
  });

  it('judges each migration against the earlier ones', () => {
    assert.ok(!rulesOf(whole.get(upFile(12))).includes('fk-missing-index'), 'the index of migration 5 serves the key of migration 12');
    assert.ok(rulesOf(whole.get(upFile(13))).includes('fk-missing-index'), 'no index serves the key of migration 13');
    assert.ok(!rulesOf(whole.get(upFile(14))).includes('rls-enabled-without-policy'), 'migration 7 created the policy of table_4');
    assert.ok(rulesOf(whole.get(upFile(15))).includes('rls-enabled-without-policy'), 'table_6 has no policy');
    assert.ok(!rulesOf(whole.get(upFile(16))).includes('changing-column-type'), 'widening the varchar(50) of migration 0 is binary compatible');
    assert.ok(rulesOf(whole.get(upFile(18))).includes('adding-volatile-default'), 'stamp_now() was declared VOLATILE in migration 8');
    assert.ok(!rulesOf(whole.get(upFile(19))).includes('adding-volatile-default'), 'stamp_fixed() was declared IMMUTABLE in migration 9');
  });

  it('gives each file the findings `lint FILE` gives it alone', async () => {
    const names = readdirSync(join(root, 'migrations')).sort();
    const special = new Set(Object.keys(SPECIAL).map((n) => upFile(Number(n))));
    const files = names.map((name) => `migrations/${name}`).filter((file, i) => i % 4 === 0 || special.has(file) || i === names.length - 1);
    assert.ok(files.length >= 15, `${files.length} files checked`);
    for (const file of files) {
      const alone = await lintJson(root, [file]);
      assert.deepEqual(alone.get(file) ?? [], whole.get(file) ?? [], file);
    }
  });

  it('gives the same findings whatever order the files are named in', async () => {
    const names = readdirSync(join(root, 'migrations')).sort();
    const reversed = await lintJson(
      root,
      names.reverse().map((name) => `migrations/${name}`),
    );
    assert.deepEqual(new Map([...reversed].sort()), new Map([...whole].sort()));
  });

  it("keeps a migration's findings when later migrations are added", async () => {
    const truncated = scratchDir('project-lint-truncated');
    writeProject(truncated, 17);
    const early = await lintJson(truncated);
    const firstSeventeen = new Map([...whole].filter(([file]) => Number(/migrations\/(\d+)_/.exec(file)?.[1]) <= 17));
    assert.ok(firstSeventeen.size > 0);
    assert.deepEqual(new Map([...early].sort()), new Map([...firstSeventeen].sort()));
  });
});
