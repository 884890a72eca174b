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

interface Creation {
  /** Position in section.statementsWithEmbedded. */
  position: number;
  kind: 'table' | 'index';
  name: QualifiedName;
}

const cache = new WeakMap<ParsedSection, Creation[]>();

function creationsOf(section: ParsedSection): Creation[] {
  let list = cache.get(section);
  if (list) return list;
  const found: Creation[] = [];
  section.statementsWithEmbedded.forEach((statement, position) => {
    for (const effect of objectEffects(statement.node)) {
      const { object } = effect;
      if (object.kind !== 'table' && object.kind !== 'index') continue;
      if (effect.action === 'create') found.push({ position, kind: object.kind, name: { schema: object.schema, name: object.name } });
      // A table created and then renamed in this section is still new under its new name.
      if (effect.action === 'rename' && effect.newName && found.some((c) => c.kind === object.kind && sameName(c.name, object)))
        found.push({ position, kind: object.kind, name: { schema: object.schema, name: effect.newName } });
    }
  });
  cache.set(section, found);
  return found;
}

function asName(relation: RangeVar | QualifiedName): QualifiedName {
  return 'name' in relation ? relation : relationName(relation);
}

function createdBefore(section: ParsedSection, statement: Statement, kind: Creation['kind'], name: QualifiedName): boolean {
  const position = section.statementsWithEmbedded.indexOf(statement);
  const limit = position < 0 ? section.statementsWithEmbedded.length : position;
  return creationsOf(section).some((c) => c.kind === kind && c.position < limit && sameName(c.name, name));
}

/** The table was created in this section before `statement`: it is new, empty and unused. */
export function tableCreatedEarlier(section: ParsedSection, statement: Statement, table: RangeVar | QualifiedName): boolean {
  return createdBefore(section, statement, 'table', asName(table));
}

/** The index was created in this section before `statement`. */
export function indexCreatedEarlier(section: ParsedSection, statement: Statement, index: QualifiedName): boolean {
  return createdBefore(section, statement, 'index', index);
}
