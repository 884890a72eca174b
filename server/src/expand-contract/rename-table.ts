/**
 * Renaming a table through a view: expand adds a view under the new name (simple, so PostgreSQL
 * writes through it); the switch renames the table and leaves a view under the old name, in one
 * short transaction; contract drops the old name's view. Both names read and write the same rows
 * throughout, so old and new code run side by side. The views are security_invoker, so row-level
 * security still applies to whoever queries them, and get the table's grants.
 */
import { literal } from './sql-text';
import { expectation, lockTimeout, q, sqlList } from './sql-blocks';
import type { Phase } from './phase-writer';
import { soakDirectives, type ChangeSettings } from './settings';
import type { TableFacts } from './table-facts';
import { RunnerInputError } from '../database/environments';

export function renameTablePhases(table: TableFacts, newName: string, settings: ChangeSettings): Phase[] {
  const sameSchema = (name: string) => (table.schema === 'public' ? q(name) : `${q(table.schema)}.${q(name)}`);
  const from = table.sqlName;
  const to = sameSchema(newName);
  if (newName === table.table) throw new RunnerInputError(`${table.sqlName} already has that name`);
  const view = (name: string, over: string) => [
    `CREATE OR REPLACE VIEW ${name} WITH (security_invoker = true) AS SELECT * FROM ${over};`,
    ...table.grants.map((g) => `GRANT ${g.privilege} ON ${name} TO ${g.role};`),
  ];
  const kindQuery = (name: string) => `SELECT relkind FROM pg_class WHERE oid = to_regclass(${literal(name)})`;
  const kindOf = (name: string) => `(${kindQuery(name)})`;
  const rename = (a: string, b: string) =>
    [
      `-- The rename is the point of this phase; the view created below keeps the old name working.`,
      'DO $$',
      'BEGIN',
      `  IF ${kindOf(a)} = 'r' THEN`,
      `    DROP VIEW IF EXISTS ${b};`,
      `    ALTER TABLE ${a} RENAME TO ${b.split('.').pop()};`,
      '  END IF;',
      'END $$;',
    ].join('\n');
  const label = `rename_${table.table}_to_${newName}`;
  const title = `Renaming table ${from} to ${to} through a view`;
  const isView = (name: string) => expectation(`${name} is a view`, 'v', kindQuery(name));
  const isTable = (name: string) => expectation(`${name} is the table`, 'r', kindQuery(name));
  const columnsNote = 'A view lists the columns the table had when it was created: recreate it if a column is added meanwhile.';
  return [
    {
      role: 'expand',
      name: `expand_${label}`,
      notes: [`${title}, phase 1 of 3: EXPAND.`, `A view ${to} over ${from}: new code reads and writes it, old code keeps using ${from}.`, columnsNote],
      directives: [],
      check: expectation(`${to} is free`, 0, `SELECT count(*) FROM pg_class WHERE oid = to_regclass(${literal(to)}) AND relkind <> 'v'`),
      up: sqlList([lockTimeout(settings.lockTimeout, true), '', ...view(to, from)]),
      down: sqlList([lockTimeout(settings.lockTimeout, true), `DROP VIEW IF EXISTS ${to};`]),
      verify: sqlList([isView(to), isTable(from)]),
    },
    {
      role: 'switch',
      name: `switch_${label}`,
      notes: [
        `${title}, phase 2 of 3: SWITCH.`,
        `In one short transaction (ACCESS EXCLUSIVE on ${from}, bounded by lock_timeout): the table takes the name ${to}`,
        `and a view ${from} over it keeps old code working. Indexes, constraints, triggers and policies follow the table.`,
        'Functions whose bodies name the table by its old name keep working through the view until the contract.',
        columnsNote,
      ],
      directives: soakDirectives('switch', settings.soak),
      check: isView(to),
      up: sqlList([lockTimeout(settings.lockTimeout, true), '', rename(from, to), ...view(from, to)]),
      down: sqlList([lockTimeout(settings.lockTimeout, true), rename(to, from), ...view(to, from)]),
      verify: sqlList([isTable(to), isView(from)]),
    },
    {
      role: 'contract',
      name: `contract_${label}`,
      notes: [`${title}, phase 3 of 3: CONTRACT.`, `Drops the view ${from}. Apply once no deployed version uses the old name.`],
      directives: soakDirectives('contract', settings.soak),
      check: expectation(
        `views other than ${from} that read it (recreate them over ${to} first)`,
        0,
        `SELECT count(*) FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = to_regclass(${literal(from)}) AND r.ev_class <> d.refobjid`,
      ),
      up: sqlList([lockTimeout(settings.lockTimeout, true), '', `DROP VIEW IF EXISTS ${from};`]),
      down: sqlList([lockTimeout(settings.lockTimeout, true), ...view(from, to)]),
      verify: sqlList([expectation(`${from} is gone`, 0, `SELECT count(*) FROM pg_class WHERE oid = to_regclass(${literal(from)})`), isTable(to)]),
    },
  ];
}
