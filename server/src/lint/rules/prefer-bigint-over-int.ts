import type { Constraint, Node } from '@pgsql/types';
import type { Rule } from '../types';
import { columnTypeSites, siteRange, type ColumnTypeSite } from '../column-types';
import { alterTableCommands } from '../alter-table-commands';
import { relationName } from '../../sql/objects';
import { schemaChangeAdvice } from '../orm-schema-change';
import type { ParsedSection } from '../types';

const NARROW = new Map([
  ['int2', 'bigint'],
  ['int4', 'bigint'],
  ['smallint', 'bigint'],
  ['integer', 'bigint'],
  ['int', 'bigint'],
  ['serial', 'bigserial'],
  ['serial4', 'bigserial'],
  ['serial2', 'bigserial'],
  ['smallserial', 'bigserial'],
]);

const keyNames = (keys: Node[] | undefined) => (keys ?? []).map((k) => (k as { String?: { sval?: string } }).String?.sval);

/**
 * Which columns: new keys only — primary keys, identity and serial columns, foreign-key columns —
 * in CREATE TABLE and ADD COLUMN. A key grows with the table's row count, so an int key runs out
 * and widening it then rewrites the table and every referencing column under ACCESS EXCLUSIVE.
 * Other int columns (counters, ports, limits, priorities) hold values of a known range: flagging
 * them was most of this rule's noise on real projects. ALTER COLUMN ... TYPE is left alone (the
 * author chose that type on purpose; changing-column-type judges it).
 */
function keyReason(site: ColumnTypeSite, foreignKeyColumns: ReadonlySet<string>): string | undefined {
  const { column } = site;
  const has = (type: Constraint['contype']) => column.constraints.some((c) => c.contype === type);
  const inTable = (type: Constraint['contype'], keys: (c: Constraint) => Node[] | undefined) =>
    column.tableConstraints.some((c) => c.contype === type && keyNames(keys(c)).includes(column.name));
  if (has('CONSTR_PRIMARY') || inTable('CONSTR_PRIMARY', (c) => c.keys)) return 'a primary key';
  if (site.typeName.includes('serial') || has('CONSTR_IDENTITY')) return 'a generated key';
  if (has('CONSTR_FOREIGN') || inTable('CONSTR_FOREIGN', (c) => c.fk_attrs)) return 'a foreign key';
  const table = relationName(column.table);
  if (foreignKeyColumns.has(`${table.name}.${column.name}`)) return 'a foreign key';
  return undefined;
}

/** `table.column` of the columns an ALTER TABLE ... ADD FOREIGN KEY in the section makes keys. */
function foreignKeysAdded(section: ParsedSection): Set<string> {
  const found = new Set<string>();
  for (const { alter, cmd } of alterTableCommands(section)) {
    const constraint = (cmd.def as { Constraint?: Constraint } | undefined)?.Constraint;
    if (cmd.subtype !== 'AT_AddConstraint' || constraint?.contype !== 'CONSTR_FOREIGN' || !alter.relation) continue;
    for (const name of keyNames(constraint.fk_attrs)) if (name) found.add(`${relationName(alter.relation).name}.${name}`);
  }
  return found;
}

const rule: Rule = {
  id: 'prefer-bigint-over-int',
  defaultSeverity: 'warning',
  summary: 'New key columns (primary, identity/serial, foreign key) should be bigint, not int or smallint: widening later rewrites the table.',
  lint(unit, report) {
    const added = new Map<ParsedSection, Set<string>>();
    for (const site of columnTypeSites(unit)) {
      if (site.column.context === 'alter type') continue;
      const wider = NARROW.get(site.typeName);
      if (!wider) continue;
      if (!added.has(site.section)) added.set(site.section, foreignKeysAdded(site.section));
      const reason = keyReason(site, added.get(site.section)!);
      if (!reason) continue;
      const limit = site.typeName.endsWith('2') || site.typeName.startsWith('small') ? '32,767' : '2,147,483,647';
      const advice = schemaChangeAdvice(unit.execution, wider === 'bigserial' ? 'bigserial' : 'bigint');
      report({
        section: site.section,
        statement: site.statement,
        ...siteRange(site),
        message: `Column "${site.column.name}" is ${reason} typed ${site.written ?? site.typeName}: it runs out at ${limit}, and widening it later rewrites the table (and every referencing column) under ACCESS EXCLUSIVE; ${advice ?? `use ${wider}.`}`,
        fixes:
          site.start !== undefined && !advice ? [{ title: `Change the type to ${wider}`, edits: [{ start: site.start, end: site.end!, newText: wider }], preferred: true }] : [],
      });
    }
  },
};
export default rule;
