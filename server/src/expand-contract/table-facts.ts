/**
 * What the generator needs to know about the table it changes, read from the schema the project's
 * own migrations build (the replay check's shadow database), never guessed from the files: the
 * column's type, nullability and default, the primary key the backfill walks, and every index,
 * constraint, policy, view and grant that names the column or table.
 */
import type { DatabaseAdapter } from '../database/adapter';
import { RunnerInputError } from '../database/environments';
import { quoteIdentifier } from '../sql/names';

export interface ColumnFacts {
  name: string;
  /** format_type(): `character varying(40)`, `uuid`. */
  type: string;
  notNull: boolean;
  /** pg_get_expr of the default, when it has one. */
  default?: string;
}

export interface IndexFacts {
  name: string;
  /** pg_get_indexdef(): `CREATE UNIQUE INDEX name ON public.t USING btree (c)`. */
  definition: string;
  /** Set when the index backs a UNIQUE constraint of that name. */
  uniqueConstraint?: string;
}

export interface ConstraintFacts {
  name: string;
  kind: 'check' | 'foreign key';
  /** pg_get_constraintdef(): `CHECK ((length(c) > 0))`, `FOREIGN KEY (c) REFERENCES t(id)`. */
  definition: string;
}

export interface PolicyFacts {
  name: string;
  using?: string;
  withCheck?: string;
}

export interface TableFacts {
  schema: string;
  table: string;
  /** The table as SQL writes it: `users`, or `app.users` outside public. */
  sqlName: string;
  /** The single-column primary key the backfill walks in batches, when the table has one. */
  primaryKey?: ColumnFacts;
  /** `GRANT ... ON t TO role` for each grant on the table (a view standing in for it needs the same). */
  grants: Array<{ role: string; privilege: string }>;
  /** Views that read the table. */
  views: string[];
}

export interface ColumnUse {
  column: ColumnFacts;
  indexes: IndexFacts[];
  constraints: ConstraintFacts[];
  policies: PolicyFacts[];
  /** Views (qualified when outside public) whose definition reads the column. */
  views: string[];
  /** Functions whose body mentions the column's name: PostgreSQL does not track those, so they are only named. */
  functions: string[];
  /** Foreign keys of other tables that reference the column. */
  referencedBy: string[];
  /** The column is (part of) the primary key. */
  inPrimaryKey: boolean;
}

const qualify = (schema: string, name: string) => (schema === 'public' ? name : `${schema}.${name}`);

/** Reads the table `name` (`users` or `app.users`); a clear error when it does not exist. */
export async function readTable(db: DatabaseAdapter, name: string): Promise<TableFacts> {
  const found = await db.query(
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS table, c.relkind AS kind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = to_regclass($1)`,
    [name],
  );
  const row = found.rows[0];
  if (!row) throw new RunnerInputError(`table ${name} does not exist in the schema the project's migrations build`);
  if (row.kind !== 'r') throw new RunnerInputError(`${name} is not a plain table (relkind ${String(row.kind)}): expand/contract changes tables`);
  const oid = Number(row.oid);
  const schema = String(row.schema);
  const table = String(row.table);
  const pk = await db.query(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default
       FROM pg_constraint con JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey)
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE con.conrelid = $1 AND con.contype = 'p' AND array_length(con.conkey, 1) = 1`,
    [oid],
  );
  const grants = await db.query(
    `SELECT CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END AS role, g.privilege_type AS privilege
       FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) g
      WHERE c.oid = $1 AND g.grantee <> c.relowner ORDER BY 1, 2`,
    [oid],
  );
  const views = await db.query(
    `SELECT DISTINCT vn.nspname AS schema, v.relname AS name
       FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class JOIN pg_namespace vn ON vn.oid = v.relnamespace
      WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = $1 AND v.oid <> $1 ORDER BY 1, 2`,
    [oid],
  );
  return {
    schema,
    table,
    sqlName: qualifiedSql(schema, table),
    primaryKey: pk.rows[0] ? columnOf(pk.rows[0]) : undefined,
    grants: grants.rows.map((g) => ({ role: String(g.role), privilege: String(g.privilege) })),
    views: views.rows.map((v) => qualify(String(v.schema), String(v.name))),
  };
}

/** Everything that names `column` of `table`; a clear error when the column does not exist. */
export async function readColumnUse(db: DatabaseAdapter, table: TableFacts, column: string): Promise<ColumnUse> {
  const rel = `${table.sqlName}`;
  const col = await db.query(
    `SELECT a.attnum::int AS attnum, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default,
            a.attgenerated::text AS generated, a.attidentity::text AS identity
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
    [rel, column],
  );
  const row = col.rows[0];
  if (!row) throw new RunnerInputError(`column ${column} does not exist on ${table.sqlName} in the schema the project's migrations build`);
  if (row.generated) throw new RunnerInputError(`${table.sqlName}.${column} is a generated column: expand/contract copies written values`);
  if (row.identity) throw new RunnerInputError(`${table.sqlName}.${column} is an identity column: expand/contract does not move an identity`);
  const attnum = Number(row.attnum);
  const params = [rel, attnum];
  const indexes = await db.query(
    `SELECT ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition, con.conname AS constraint, i.indisprimary AS primary
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
       LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype = 'u'
      WHERE i.indrelid = to_regclass($1)
        AND ($2 = ANY (i.indkey::int2[]) OR EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid AND d.refobjid = i.indrelid AND d.refobjsubid = $2))
      ORDER BY 1`,
    params,
  );
  const constraints = await db.query(
    `SELECT conname AS name, contype::text AS type, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype IN ('c', 'f') AND $2 = ANY (conkey) ORDER BY 1`,
    params,
  );
  const policies = await db.query(
    `SELECT DISTINCT pol.polname AS name, pg_get_expr(pol.polqual, pol.polrelid) AS using, pg_get_expr(pol.polwithcheck, pol.polrelid) AS with_check
       FROM pg_depend d JOIN pg_policy pol ON pol.oid = d.objid
      WHERE d.classid = 'pg_policy'::regclass AND d.refobjid = to_regclass($1) AND d.refobjsubid = $2 ORDER BY 1`,
    params,
  );
  const views = await db.query(
    `SELECT DISTINCT vn.nspname AS schema, v.relname AS name
       FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class JOIN pg_namespace vn ON vn.oid = v.relnamespace
      WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = to_regclass($1) AND d.refobjsubid = $2 AND v.oid <> to_regclass($1) ORDER BY 1, 2`,
    params,
  );
  const functions = await db.query(
    `SELECT DISTINCT p.oid::regprocedure::text AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND p.prosrc ~* ('\\m' || $1 || '\\M')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') ORDER BY 1`,
    [column],
  );
  const referencedBy = await db.query(
    `SELECT conname || ' on ' || conrelid::regclass::text AS name FROM pg_constraint
      WHERE confrelid = to_regclass($1) AND contype = 'f' AND $2 = ANY (confkey) ORDER BY 1`,
    params,
  );
  return {
    column: columnOf(row),
    indexes: indexes.rows
      .filter((i) => !i.primary)
      .map((i) => ({ name: String(i.name), definition: String(i.definition), ...(i.constraint ? { uniqueConstraint: String(i.constraint) } : {}) })),
    constraints: constraints.rows.map((c) => ({ name: String(c.name), kind: c.type === 'f' ? 'foreign key' : 'check', definition: String(c.definition) })),
    policies: policies.rows.map((p) => ({ name: String(p.name), ...(p.using ? { using: String(p.using) } : {}), ...(p.with_check ? { withCheck: String(p.with_check) } : {}) })),
    views: views.rows.map((v) => qualify(String(v.schema), String(v.name))),
    functions: functions.rows.map((f) => String(f.name)),
    referencedBy: referencedBy.rows.map((r) => String(r.name)),
    inPrimaryKey: indexes.rows.some((i) => i.primary),
  };
}

function columnOf(row: Record<string, unknown>): ColumnFacts {
  return { name: String(row.name), type: String(row.type), notNull: Boolean(row.not_null), ...(row.default ? { default: String(row.default) } : {}) };
}

function qualifiedSql(schema: string, name: string): string {
  return schema === 'public' ? quoteIdentifier(name) : `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`;
}
