import type { RangeVar } from '@pgsql/types';

/** `schema.table` as written, or `table` when unqualified; unquoted names are already lower case in the tree. */
export function qualifiedName(relation: RangeVar): string {
  return relation.schemaname ? `${relation.schemaname}.${relation.relname}` : relation.relname ?? '';
}
