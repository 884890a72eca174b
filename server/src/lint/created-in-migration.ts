/**
 * Which tables and indexes a section creates, and where. A table created earlier in the same
 * section is empty and invisible to the running application, so locking, rewriting or scanning
 * it costs nothing: rules about "existing tables" skip it. (CREATE TABLE IF NOT EXISTS counts as
 * creating it: that is what the migration means.)
 */
import type { RangeVar } from '@pgsql/types';
import { objectEffects, type QualifiedName } from '../sql/objects';
import type { Statement } from '../sql/statements';
import type { ParsedSection } from './types';

interface Creation {
  schema?: string;
  position: number;
}

interface Creations {
  /** Position of each statement in section.statementsWithEmbedded. */
  positions: Map<Statement, number>;
  /** By kind, then bare name: where an object of that kind and name is created (schema as written). */
  byName: Record<'table' | 'index', Map<string, Creation[]>>;
}

const cache = new WeakMap<ParsedSection, Creations>();

// Built once per section: rules ask for every statement, and a migration may hold thousands.
function creationsOf(section: ParsedSection): Creations {
  const cached = cache.get(section);
  if (cached) return cached;
  const creations: Creations = { positions: new Map(), byName: { table: new Map(), index: new Map() } };
  const add = (kind: 'table' | 'index', name: QualifiedName, position: number) => {
    const list = creations.byName[kind].get(name.name);
    if (list) list.push({ schema: name.schema, position });
    else creations.byName[kind].set(name.name, [{ schema: name.schema, position }]);
  };
  const created = (kind: 'table' | 'index', name: QualifiedName) => createdWithin(creations.byName[kind].get(name.name), name, Infinity);
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

/**
 * Whether one of `list` is `name` (sameName: a schema on either side must match the other's) and
 * comes before `limit`. Asked for most statements by several rules on every re-lint: a loop, with
 * no key string or name object made per question.
 */
function createdWithin(list: readonly Creation[] | undefined, name: { schema?: string }, limit: number): boolean {
  if (!list) return false;
  for (const c of list) if (c.position < limit && (!c.schema || !name.schema || c.schema === name.schema)) return true;
  return false;
}

function createdBefore(section: ParsedSection, statement: Statement, kind: 'table' | 'index', relation: RangeVar | QualifiedName): boolean {
  const creations = creationsOf(section);
  const limit = creations.positions.get(statement) ?? section.statementsWithEmbedded.length;
  // A RangeVar names its schema `schemaname` and its name `relname` (relationName's reading).
  const bare = 'name' in relation ? relation.name : (relation.relname ?? '');
  const schema = 'name' in relation ? relation.schema : relation.schemaname || undefined;
  return createdWithin(creations.byName[kind].get(bare), { schema }, limit);
}

/** Position of the statement in its section's statementsWithEmbedded (-1 when not in it). */
export function positionInSection(section: ParsedSection, statement: Statement): number {
  return creationsOf(section).positions.get(statement) ?? -1;
}

/** The table was created in this section before `statement`: it is new, empty and unused. */
export function tableCreatedEarlier(section: ParsedSection, statement: Statement, table: RangeVar | QualifiedName): boolean {
  return createdBefore(section, statement, 'table', table);
}

/** The index was created in this section before `statement`. */
export function indexCreatedEarlier(section: ParsedSection, statement: Statement, index: QualifiedName): boolean {
  return createdBefore(section, statement, 'index', index);
}
