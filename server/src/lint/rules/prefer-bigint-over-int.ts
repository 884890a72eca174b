import type { Constraint } from '@pgsql/types';
import type { Rule } from '../types';
import { columnTypeSites, siteRange, type ColumnTypeSite } from '../column-types';

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

/**
 * Which columns: every new int/smallint/serial column — in CREATE TABLE and ADD COLUMN — because
 * that is when choosing bigint costs nothing; widening later is a table rewrite under ACCESS
 * EXCLUSIVE (plus every referencing column for a key). Squawk flags every int column, type
 * changes included; we leave ALTER COLUMN ... TYPE alone (the author chose that type on purpose,
 * and changing-column-type already judges it). Keys — primary keys, identity/serial, foreign
 * keys, `id`/`*_id` — run out with a table's row count, so the message says so.
 */
function keyReason(site: ColumnTypeSite): string | undefined {
  const { column } = site;
  const has = (type: Constraint['contype']) => column.constraints.some((c) => c.contype === type);
  const inTablePrimaryKey = column.tableConstraints.some(
    (c) => c.contype === 'CONSTR_PRIMARY' && (c.keys ?? []).some((k) => (k as { String?: { sval?: string } }).String?.sval === column.name),
  );
  if (has('CONSTR_PRIMARY') || inTablePrimaryKey) return 'a primary key';
  if (site.typeName.includes('serial') || has('CONSTR_IDENTITY')) return 'a generated key';
  if (has('CONSTR_FOREIGN')) return 'a foreign key';
  if (column.name === 'id' || column.name.endsWith('_id')) return 'an id column';
  return undefined;
}

const rule: Rule = {
  id: 'prefer-bigint-over-int',
  defaultSeverity: 'warning',
  summary: 'New integer columns should be bigint (bigserial), not int or smallint: widening later rewrites the table.',
  check(unit, report) {
    for (const site of columnTypeSites(unit)) {
      if (site.column.context === 'alter type') continue;
      const wider = NARROW.get(site.typeName);
      if (!wider) continue;
      const reason = keyReason(site);
      const limit = site.typeName.endsWith('2') || site.typeName.startsWith('small') ? '32,767' : '2,147,483,647';
      report({
        section: site.section,
        statement: site.statement,
        ...siteRange(site),
        message: reason
          ? `Column "${site.column.name}" is ${reason} typed ${site.written ?? site.typeName}: it runs out at ${limit}, and widening it later rewrites the table (and every referencing column) under ACCESS EXCLUSIVE; use ${wider}.`
          : `Column "${site.column.name}" is ${site.written ?? site.typeName}: it overflows at ${limit}, and widening it later rewrites the table under ACCESS EXCLUSIVE; bigint costs 4 bytes more per row now (use ${wider}, or ignore the rule for a value with a small fixed range).`,
        fixes:
          site.start !== undefined
            ? [{ title: `Change the type to ${wider}`, edits: [{ start: site.start, end: site.end!, newText: wider }], preferred: true }]
            : [],
      });
    }
  },
};
export default rule;
