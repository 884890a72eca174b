// A generated golang-migrate folder, the shape of a real repository's history: NNNN_name.up.sql
// and NNNN_name.down.sql per migration, 1-5 statements each, later migrations altering, indexing
// and referencing the tables earlier ones created (so the rules that read earlier migrations work).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The up and down statements of migration `n` (0-based). */
function migrationStatements(n) {
  const t = (k) => `table_${Math.max(0, k)}`;
  const up = [];
  const down = [];
  const count = 1 + (n % 5);
  up.push(
    `CREATE TABLE ${t(n)} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  parent_id bigint,\n  name text NOT NULL,\n  created_at timestamptz NOT NULL DEFAULT now()\n);`,
  );
  down.unshift(`DROP TABLE ${t(n)};`);
  for (let i = 1; i < count; i++) {
    switch ((n + i) % 7) {
      case 0:
        up.push(`ALTER TABLE ${t(n - 1)} ADD COLUMN note_${n} text;`);
        down.unshift(`ALTER TABLE ${t(n - 1)} DROP COLUMN note_${n};`);
        break;
      case 1:
        up.push(`CREATE INDEX CONCURRENTLY ${t(n - 2)}_parent_${n} ON ${t(n - 2)} (parent_id);`);
        down.unshift(`DROP INDEX CONCURRENTLY ${t(n - 2)}_parent_${n};`);
        break;
      case 2:
        up.push(`ALTER TABLE ${t(n - 3)} ADD CONSTRAINT ${t(n - 3)}_parent_fk_${n} FOREIGN KEY (parent_id) REFERENCES ${t(n - 4)} (id);`);
        down.unshift(`ALTER TABLE ${t(n - 3)} DROP CONSTRAINT ${t(n - 3)}_parent_fk_${n};`);
        break;
      case 3:
        up.push(`ALTER TABLE ${t(n - 5)} ALTER COLUMN name TYPE varchar(200);`);
        down.unshift(`ALTER TABLE ${t(n - 5)} ALTER COLUMN name TYPE text;`);
        break;
      case 4:
        up.push(`ALTER TABLE ${t(n - 1)} ENABLE ROW LEVEL SECURITY;`);
        down.unshift(`ALTER TABLE ${t(n - 1)} DISABLE ROW LEVEL SECURITY;`);
        break;
      case 5:
        up.push(`CREATE POLICY ${t(n - 1)}_own_${n} ON ${t(n - 1)} USING (parent_id IS NOT NULL);`);
        down.unshift(`DROP POLICY ${t(n - 1)}_own_${n} ON ${t(n - 1)};`);
        break;
      default:
        up.push(`ALTER TABLE ${t(n - 6)} ADD COLUMN seen_at_${n} timestamptz DEFAULT now();`);
        down.unshift(`ALTER TABLE ${t(n - 6)} DROP COLUMN seen_at_${n};`);
    }
  }
  return { up, down };
}

/** Writes `count` migrations into `dir` (created); returns the up files' paths in version order. */
export function writeGolangMigrateFolder(dir, count) {
  mkdirSync(dir, { recursive: true });
  const ups = [];
  for (let n = 0; n < count; n++) {
    const base = `${String(n + 1).padStart(6, '0')}_step_${n}`;
    const { up, down } = migrationStatements(n);
    const upPath = join(dir, `${base}.up.sql`);
    writeFileSync(upPath, up.join('\n\n') + '\n');
    writeFileSync(join(dir, `${base}.down.sql`), down.join('\n\n') + '\n');
    ups.push(upPath);
  }
  return ups;
}
