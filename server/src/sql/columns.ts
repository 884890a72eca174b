/**
 * Column definitions a statement writes: the columns of CREATE TABLE, ALTER TABLE ADD COLUMN and
 * the new type of ALTER COLUMN ... TYPE — the places where a column's type is chosen.
 */
import type { ColumnDef, Constraint, Node, RangeVar, TypeName } from '@pgsql/types';
import { tokenAt, type Token } from './tokens';
import { perNode, type AstNode } from './ast';

export interface ColumnDefinition {
  table: RangeVar;
  /** Column name (for ALTER COLUMN TYPE, the altered column). */
  name: string;
  type: TypeName;
  /** 'create': in CREATE TABLE; 'add': ADD COLUMN; 'alter type': ALTER COLUMN ... TYPE. */
  context: 'create' | 'add' | 'alter type';
  /** Column-level constraints (PRIMARY KEY, REFERENCES, DEFAULT, identity...). */
  constraints: Constraint[];
  /** For CREATE TABLE: the table-level constraints, e.g. PRIMARY KEY (id). */
  tableConstraints: Constraint[];
}

const definitionsCache = new WeakMap<Node, readonly ColumnDefinition[]>();

/**
 * The column definitions of a statement's tree, computed once per node: an editor's re-lint keeps
 * the trees of the statements an edit did not touch, and several rules ask for every statement.
 * Read-only.
 */
export function columnDefinitions(node: Node | undefined): readonly ColumnDefinition[] {
  return perNode(definitionsCache, node, definitionsOf, NONE);
}

const NONE: readonly ColumnDefinition[] = [];

function definitionsOf(node: AstNode): ColumnDefinition[] {
  const create = (node as AstNode | undefined)?.CreateStmt;
  if (create?.relation) {
    const elements: AstNode[] = create.tableElts ?? [];
    const tableConstraints = elements.map((e) => e?.Constraint).filter(Boolean) as Constraint[];
    return elements
      .map((e) => e?.ColumnDef as ColumnDef | undefined)
      .filter((c): c is ColumnDef => !!c?.typeName && !!c.colname)
      .map((c) => ({ table: create.relation, name: c.colname!, type: c.typeName!, context: 'create' as const, constraints: constraintsOf(c), tableConstraints }));
  }
  const alter = (node as AstNode | undefined)?.AlterTableStmt;
  if (!alter?.relation || (alter.objtype && alter.objtype !== 'OBJECT_TABLE')) return [];
  const found: ColumnDefinition[] = [];
  for (const item of alter.cmds ?? []) {
    const cmd = item?.AlterTableCmd;
    const def = cmd?.def?.ColumnDef as ColumnDef | undefined;
    if (!def?.typeName) continue;
    if (cmd.subtype === 'AT_AddColumn' && def.colname)
      found.push({ table: alter.relation, name: def.colname, type: def.typeName, context: 'add', constraints: constraintsOf(def), tableConstraints: [] });
    else if (cmd.subtype === 'AT_AlterColumnType' && cmd.name)
      found.push({ table: alter.relation, name: cmd.name, type: def.typeName, context: 'alter type', constraints: [], tableConstraints: [] });
  }
  return found;
}

function constraintsOf(column: ColumnDef): Constraint[] {
  return (column.constraints ?? []).map((c) => (c as AstNode).Constraint).filter(Boolean) as Constraint[];
}

/** The type's own name, lower case, without `pg_catalog.`: `int4`, `varchar`, `timestamp`, `serial`. */
export function baseTypeName(type: TypeName): string {
  let name = baseNames.get(type);
  if (name === undefined) baseNames.set(type, (name = baseNameOf(type)));
  return name;
}

// Per type node, as columnDefinitions: every column's type is asked for on every re-lint.
const baseNames = new WeakMap<TypeName, string>();

function baseNameOf(type: TypeName): string {
  const names = (type.names ?? []).map((n) => (n as AstNode).String?.sval as string | undefined).filter(Boolean) as string[];
  return (names[names.length - 1] ?? '').toLowerCase();
}

/** Words PostgreSQL lets a type name span (`character varying`, `timestamp without time zone`). */
const TYPE_WORDS = new Set(['character', 'char', 'varying', 'national', 'double', 'precision', 'bit']);
const ZONE_WORDS = new Set(['with', 'without', 'time', 'zone']);

const isWord = (t: Token | undefined, words: Set<string>) => t?.kind === 'word' && words.has(t.value);
/** `with` belongs to the type only as `with time zone` (a table's `WITH (...)` does not). */
const zoneWordAt = (tokens: readonly Token[], k: number) => isWord(tokens[k], ZONE_WORDS) && !(tokens[k].value === 'with' && tokens[k + 1]?.value !== 'time');

/**
 * The tokens spelling a column type at `offset` (its TypeName location, an offset into the text
 * the tokens came from): an optional schema, the name's words, its modifiers in parentheses and a
 * trailing WITH/WITHOUT TIME ZONE — not the array brackets. Returns [first, last] token indexes.
 */
export function typeTokens(tokens: readonly Token[], offset: number): { first: number; last: number; modifiers?: string } | undefined {
  const first = tokenAt(tokens, offset);
  if (first >= tokens.length || tokens[first].start !== offset) return undefined;
  let last = first;
  if (tokens[last + 1]?.value === '.' && tokens[last + 2]) last += 2;
  while (isWord(tokens[last + 1], TYPE_WORDS) || zoneWordAt(tokens, last + 1)) last++;
  let modifiers: string | undefined;
  if (tokens[last + 1]?.value === '(') {
    let close = last + 1;
    while (close < tokens.length && tokens[close].value !== ')') close++;
    if (close >= tokens.length) return undefined;
    modifiers = tokens
      .slice(last + 1, close + 1)
      .map((t) => t.value)
      .join('');
    last = close;
    // timestamp(3) without time zone: the zone words come after the precision.
    while (zoneWordAt(tokens, last + 1)) last++;
  }
  return { first, last, modifiers };
}
