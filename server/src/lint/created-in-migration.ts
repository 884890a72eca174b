/**
 * Which tables and indexes a section creates, and where. A table created earlier in the same
 * section is empty and invisible to the running application, so locking, rewriting or scanning
 * it costs nothing: rules about "existing tables" skip it. (CREATE TABLE IF NOT EXISTS counts as
 * creating it: that is what the migration means.)
 */
import type { RangeVar } from '@pgsql/types';
import { objectEffects, relationName, sameName, type QualifiedName } from '../sql/objects';
import type { Statement } from '../sql/statements';
import type { ParsedSection } from './types';

interface Creations {
  /** Position of each statement in section.statementsWithEmbedded. */
  positions: Map<Statement, number>;
  /** `kind:name` → where an object of that kind and name is created (schema as written). */
  byName: Map<string, Array<{ schema?: string; position: number }>>;
}

const cache = new WeakMap<ParsedSection, Creations>();

// Built once per section: rules ask for every statement, and a migration may hold thousands.
function creationsOf(section: ParsedSection): Creations {
  const cached = cache.get(section);
  if (cached) return cached;
  const creations: Creations = { positions: new Map(), byName: new Map() };
  const add = (kind: string, name: QualifiedName, position: number) => {
    const key = `${kind}:${name.name}`;
    const list = creations.byName.get(key) ?? [];
    list.push({ schema: name.schema, position });
    creations.byName.set(key, list);
  };
  const created = (kind: string, name: QualifiedName) => (creations.byName.get(`${kind}:${name.name}`) ?? []).some((c) => sameName({ schema: c.schema, name: name.name }, name));
  section.statementsWithEmbedded.forEach((statement, position) => {
    creations.positions.set(statement, position);
    for (const effect of objectEffects(statement.node)) {
      // A materialized view is a table to the rules that ask (indexes on it, locks on it); CREATE
      // TABLE ... AS and TEMP tables are tables already.
      const object = effect.object.kind === 'materialized view' ? { ...effect.object, kind: 'table' as const } : effect.object;
      if (object.kind !== 'table' && object.kind !== 'index') continue;
      if (effect.action === 'create') add(object.kind, object, position);
      // A table created and then renamed in this section is still new under its new name.
      if (effect.action === 'rename' && effect.newName && created(object.kind, object)) add(object.kind, { schema: object.schema, name: effect.newName }, position);
    }
  });
  cache.set(section, creations);
  return creations;
}

function asName(relation: RangeVar | QualifiedName): QualifiedName {
  return 'name' in relation ? relation : relationName(relation);
}

function createdBefore(section: ParsedSection, statement: Statement, kind: 'table' | 'index', name: QualifiedName): boolean {
  const creations = creationsOf(section);
  const limit = creations.positions.get(statement) ?? section.statementsWithEmbedded.length;
  return (creations.byName.get(`${kind}:${name.name}`) ?? []).some((c) => c.position < limit && sameName({ schema: c.schema, name: name.name }, name));
}

/** Position of the statement in its section's statementsWithEmbedded (-1 when not in it). */
export function positionInSection(section: ParsedSection, statement: Statement): number {
  return creationsOf(section).positions.get(statement) ?? -1;
}

/** The table was created in this section before `statement`: it is new, empty and unused. */
export function tableCreatedEarlier(section: ParsedSection, statement: Statement, table: RangeVar | QualifiedName): boolean {
  return createdBefore(section, statement, 'table', asName(table));
}

/** The index was created in this section before `statement`. */
export function indexCreatedEarlier(section: ParsedSection, statement: Statement, index: QualifiedName): boolean {
  return createdBefore(section, statement, 'index', index);
}
