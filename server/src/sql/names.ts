import { parserReady, scanTokens } from './parse';
import type { RangeVar } from '@pgsql/types';

/** `schema.table` as written, or `table` when unqualified; unquoted names are already lower case in the tree. */
export function qualifiedName(relation: RangeVar): string {
  return relation.schemaname ? `${relation.schemaname}.${relation.relname}` : (relation.relname ?? '');
}

const SIMPLE_IDENTIFIER = /^[a-z_][a-z0-9_$]*$/;
const quotedCache = new Map<string, string>();

/**
 * An identifier as SQL must write it: bare when PostgreSQL would read it back unchanged (lower
 * case and not a reserved word, as quote_ident decides), otherwise in double quotes.
 */
export function quoteIdentifier(name: string): string {
  let quoted = quotedCache.get(name);
  if (quoted !== undefined) return quoted;
  let bare = SIMPLE_IDENTIFIER.test(name);
  // Keywords are letters and underscores only: a name with a digit or $ needs no scan.
  if (bare && parserReady() && /^[a-z_]+$/.test(name)) {
    const token = scanTokens(name).tokens[0];
    // Only unreserved keywords may be used as plain identifiers everywhere.
    bare = !token || token.keywordName === 'NO_KEYWORD' || token.keywordName === 'UNRESERVED_KEYWORD';
  }
  quoted = bare ? name : `"${name.replace(/"/g, '""')}"`;
  if (parserReady()) quotedCache.set(name, quoted);
  return quoted;
}

/** The strings of a name list node (`{List: {items: [{String: {sval}}]}}` or a bare item array). */
export function stringList(node: unknown): string[] {
  const items = Array.isArray(node) ? node : ((node as { List?: { items?: unknown[] } })?.List?.items ?? []);
  return items.map((i) => (i as { String?: { sval?: string } })?.String?.sval).filter((s): s is string => s !== undefined);
}
