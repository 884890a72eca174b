/**
 * The database objects a statement creates, drops, enables, disables or renames, read from its
 * parse tree. The rollback rules, "Generate rollback" and the rules that judge a down section by
 * what its up section did all speak in these terms.
 */
import type {
  AlterTableCmd,
  AlterTableStmt,
  ColumnDef,
  Constraint,
  CreateFunctionStmt,
  DropStmt,
  FunctionParameter,
  IndexStmt,
  Node,
  ObjectWithArgs,
  RangeVar,
  RenameStmt,
  TypeName,
} from '@pgsql/types';
import { quoteIdentifier } from './names';

export type ObjectKind =
  | 'table'
  | 'column'
  | 'index'
  | 'function'
  | 'procedure'
  | 'trigger'
  | 'policy'
  | 'type'
  | 'domain'
  | 'sequence'
  | 'view'
  | 'materialized view'
  | 'schema'
  | 'extension'
  | 'constraint'
  | 'row level security'
  | 'forced row level security';

/** A name as the parser gives it: unquoted names lower-cased, schema only when written. */
export interface QualifiedName {
  schema?: string;
  name: string;
}

export interface DbObject extends QualifiedName {
  kind: ObjectKind;
  /** The table a column, index, trigger, policy, constraint or row level security belongs to. */
  table?: QualifiedName;
  /**
   * Function/procedure identity: the canonical types of its input arguments (`int4`, `text[]`).
   * Undefined when a DROP names the routine without an argument list.
   */
  args?: string[];
  /** Columns an index or constraint covers: dropping one of them drops the index or constraint. */
  columns?: string[];
  /** For a trigger: the function it executes (DROP FUNCTION ... CASCADE drops the trigger). */
  function?: QualifiedName;
  /** The name was not written: it is the one PostgreSQL picks by default (`t_a_idx`, `t_pkey`). */
  defaultName?: boolean;
  /** For a DROP ROUTINE: matches a function or a procedure. */
  anyRoutine?: boolean;
}

export type EffectAction = 'create' | 'drop' | 'enable' | 'disable' | 'rename';

export interface ObjectEffect {
  action: EffectAction;
  object: DbObject;
  /** IF NOT EXISTS on a create, IF EXISTS on a drop. */
  conditional: boolean;
  /** CREATE OR REPLACE. */
  orReplace: boolean;
  /** DROP ... CASCADE. */
  cascade: boolean;
  /** CREATE/DROP INDEX CONCURRENTLY. */
  concurrent: boolean;
  /** For a rename: the new name. */
  newName?: string;
}

/** PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes; a longer default name cannot be predicted simply. */
const MAX_IDENTIFIER_BYTES = 63;

type AnyNode = Record<string, unknown>;

function unwrap<T>(node: unknown, type: string): T | undefined {
  return (node as AnyNode | undefined)?.[type] as T | undefined;
}

function strings(nodes: Node[] | undefined): string[] {
  return (nodes ?? []).map((n) => unwrap<{ sval?: string }>(n, 'String')?.sval ?? '');
}

/** `[schema, name]` / `[name]` / `[catalog, schema, name]` → QualifiedName. */
function nameFromParts(parts: string[]): QualifiedName {
  const name = parts[parts.length - 1] ?? '';
  return parts.length >= 2 ? { schema: parts[parts.length - 2], name } : { name };
}

/** A RangeVar as a QualifiedName. */
export function relationName(relation: RangeVar | undefined): QualifiedName {
  return relation?.schemaname ? { schema: relation.schemaname, name: relation.relname ?? '' } : { name: relation?.relname ?? '' };
}

/** The canonical spelling of a type used for function identity: `pg_catalog.int4` → `int4`, arrays as `[]`. */
export function typeKey(type: TypeName | undefined): string {
  if (!type) return '';
  const parts = strings(type.names);
  // The grammar writes keyword types (integer, varchar, timestamp) as pg_catalog.X: X reads back bare.
  const base = parts.length === 2 && parts[0] === 'pg_catalog' ? parts[1] : parts.map(quoteIdentifier).join('.');
  return base + '[]'.repeat(type.arrayBounds?.length ?? 0) + (type.pct_type ? '%TYPE' : '');
}

const INPUT_MODES = new Set(['FUNC_PARAM_DEFAULT', 'FUNC_PARAM_IN', 'FUNC_PARAM_INOUT', 'FUNC_PARAM_VARIADIC']);

/** The argument types that identify a function: OUT and TABLE parameters do not count. */
function functionArgs(parameters: Node[] | undefined): string[] {
  return (parameters ?? [])
    .map((p) => unwrap<FunctionParameter>(p, 'FunctionParameter'))
    .filter((p): p is FunctionParameter => !!p && INPUT_MODES.has(p.mode ?? 'FUNC_PARAM_DEFAULT'))
    .map((p) => typeKey(p.argType));
}

function routineFromObjectWithArgs(owa: ObjectWithArgs | undefined, kind: 'function' | 'procedure'): DbObject {
  const name = nameFromParts(strings(owa?.objname));
  const args = owa?.args_unspecified ? undefined : (owa?.objargs ?? []).map((t) => typeKey(unwrap<TypeName>(t, 'TypeName')));
  return { kind, ...name, args };
}

function effect(action: EffectAction, object: DbObject, extra: Partial<ObjectEffect> = {}): ObjectEffect {
  return { action, object, conditional: false, orReplace: false, cascade: false, concurrent: false, ...extra };
}

function withinLimit(name: string): string | undefined {
  return Buffer.byteLength(name, 'utf8') <= MAX_IDENTIFIER_BYTES ? name : undefined;
}

/** The name PostgreSQL gives `CREATE INDEX ON t (a, b)`: `t_a_b_idx` (`expr` for an expression). */
function defaultIndexName(table: string, params: Node[] | undefined): string | undefined {
  const columns = (params ?? []).map((p) => {
    const elem = unwrap<{ name?: string; indexcolname?: string }>(p, 'IndexElem');
    return elem?.indexcolname ?? elem?.name ?? 'expr';
  });
  return withinLimit(`${table}_${columns.join('_')}_idx`);
}

function columnRefs(node: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => columnRefs(n, into));
  else if (node && typeof node === 'object') {
    const ref = (node as AnyNode).ColumnRef as { fields?: Node[] } | undefined;
    if (ref) {
      const fields = strings(ref.fields).filter(Boolean);
      if (fields.length) into.add(fields[fields.length - 1]);
    } else Object.values(node).forEach((v) => columnRefs(v, into));
  }
  return into;
}

/** Columns a table constraint covers, and the name PostgreSQL gives it when none is written. */
function constraintShape(table: string, c: Constraint): { columns: string[]; defaultName?: string } {
  switch (c.contype) {
    case 'CONSTR_PRIMARY':
      return { columns: strings(c.keys), defaultName: withinLimit(`${table}_pkey`) };
    case 'CONSTR_UNIQUE': {
      const columns = strings(c.keys);
      return { columns, defaultName: columns.length ? withinLimit(`${table}_${columns.join('_')}_key`) : undefined };
    }
    case 'CONSTR_FOREIGN': {
      const columns = strings(c.fk_attrs);
      return { columns, defaultName: withinLimit(`${table}_${columns.join('_')}_fkey`) };
    }
    case 'CONSTR_CHECK': {
      // PostgreSQL names a check after its column only when the expression uses exactly one.
      const columns = [...columnRefs(c.raw_expr, new Set())];
      return { columns, defaultName: withinLimit(columns.length === 1 ? `${table}_${columns[0]}_check` : `${table}_check`) };
    }
    case 'CONSTR_EXCLUSION':
      return { columns: [], defaultName: undefined };
    default:
      return { columns: [] };
  }
}

function alterTableEffects(stmt: AlterTableStmt): ObjectEffect[] {
  const kind = stmt.objtype ?? 'OBJECT_TABLE';
  if (kind !== 'OBJECT_TABLE' && kind !== 'OBJECT_FOREIGN_TABLE') return [];
  const table = relationName(stmt.relation);
  const effects: ObjectEffect[] = [];
  for (const item of stmt.cmds ?? []) {
    const cmd = unwrap<AlterTableCmd>(item, 'AlterTableCmd');
    if (!cmd) continue;
    const conditional = !!cmd.missing_ok;
    const cascade = cmd.behavior === 'DROP_CASCADE';
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const def = unwrap<ColumnDef>(cmd.def, 'ColumnDef');
        if (def?.colname) effects.push(effect('create', { kind: 'column', name: def.colname, table }, { conditional }));
        break;
      }
      case 'AT_DropColumn':
        if (cmd.name) effects.push(effect('drop', { kind: 'column', name: cmd.name, table }, { conditional, cascade }));
        break;
      case 'AT_AddConstraint': {
        const c = unwrap<Constraint>(cmd.def, 'Constraint');
        if (!c) break;
        const shape = constraintShape(table.name, c);
        const name = c.conname ?? shape.defaultName;
        if (name) effects.push(effect('create', { kind: 'constraint', name, table, columns: shape.columns, defaultName: !c.conname }));
        break;
      }
      case 'AT_DropConstraint':
        if (cmd.name) effects.push(effect('drop', { kind: 'constraint', name: cmd.name, table }, { conditional, cascade }));
        break;
      case 'AT_EnableRowSecurity':
      case 'AT_DisableRowSecurity':
        effects.push(effect(cmd.subtype === 'AT_EnableRowSecurity' ? 'enable' : 'disable', { kind: 'row level security', ...table, table }));
        break;
      case 'AT_ForceRowSecurity':
      case 'AT_NoForceRowSecurity':
        effects.push(effect(cmd.subtype === 'AT_ForceRowSecurity' ? 'enable' : 'disable', { kind: 'forced row level security', ...table, table }));
        break;
    }
  }
  return effects;
}

const DROP_KINDS: Partial<Record<string, ObjectKind>> = {
  OBJECT_TABLE: 'table',
  OBJECT_INDEX: 'index',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'materialized view',
  OBJECT_FUNCTION: 'function',
  OBJECT_PROCEDURE: 'procedure',
  OBJECT_ROUTINE: 'function',
  OBJECT_TRIGGER: 'trigger',
  OBJECT_POLICY: 'policy',
  OBJECT_TYPE: 'type',
  OBJECT_DOMAIN: 'domain',
  OBJECT_SCHEMA: 'schema',
  OBJECT_EXTENSION: 'extension',
};

function dropEffects(stmt: DropStmt): ObjectEffect[] {
  const kind = DROP_KINDS[stmt.removeType ?? ''];
  if (!kind) return [];
  const extra = { conditional: !!stmt.missing_ok, cascade: stmt.behavior === 'DROP_CASCADE', concurrent: !!stmt.concurrent };
  return (stmt.objects ?? []).map((item) => {
    let object: DbObject;
    if (kind === 'function' || kind === 'procedure') {
      object = routineFromObjectWithArgs(unwrap<ObjectWithArgs>(item, 'ObjectWithArgs'), kind);
      if (stmt.removeType === 'OBJECT_ROUTINE') object.anyRoutine = true;
    } else if (kind === 'type' || kind === 'domain') {
      object = { kind, ...nameFromParts(strings(unwrap<TypeName>(item, 'TypeName')?.names)) };
    } else if (kind === 'schema' || kind === 'extension') {
      object = { kind, name: unwrap<{ sval?: string }>(item, 'String')?.sval ?? '' };
    } else {
      const parts = strings(unwrap<{ items?: Node[] }>(item, 'List')?.items);
      if (kind === 'trigger' || kind === 'policy') {
        // DROP TRIGGER name ON [schema.]table arrives as [schema, table, name].
        object = { kind, name: parts[parts.length - 1] ?? '', table: nameFromParts(parts.slice(0, -1)) };
      } else {
        object = { kind, ...nameFromParts(parts) };
      }
    }
    return effect('drop', object, extra);
  });
}

const RELATION_RENAMES: Partial<Record<string, ObjectKind>> = {
  OBJECT_TABLE: 'table',
  OBJECT_INDEX: 'index',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'materialized view',
};

function renameEffects(stmt: RenameStmt): ObjectEffect[] {
  const type = stmt.renameType ?? '';
  const newName = stmt.newname;
  if (!newName) return [];
  const relation = relationName(stmt.relation);
  let object: DbObject | undefined;
  const relationKind = RELATION_RENAMES[type];
  if (relationKind) object = { kind: relationKind, ...relation };
  else if (type === 'OBJECT_COLUMN' && stmt.subname) object = { kind: 'column', name: stmt.subname, table: relation };
  else if (type === 'OBJECT_TABCONSTRAINT' && stmt.subname) object = { kind: 'constraint', name: stmt.subname, table: relation };
  else if ((type === 'OBJECT_TRIGGER' || type === 'OBJECT_POLICY') && stmt.subname)
    object = { kind: type === 'OBJECT_TRIGGER' ? 'trigger' : 'policy', name: stmt.subname, table: relation };
  else if (type === 'OBJECT_SCHEMA' && stmt.subname) object = { kind: 'schema', name: stmt.subname };
  else if (type === 'OBJECT_FUNCTION' || type === 'OBJECT_PROCEDURE')
    object = routineFromObjectWithArgs(unwrap<ObjectWithArgs>(stmt.object, 'ObjectWithArgs'), type === 'OBJECT_FUNCTION' ? 'function' : 'procedure');
  else if (type === 'OBJECT_TYPE' || type === 'OBJECT_DOMAIN') {
    const parts = strings(unwrap<{ items?: Node[] }>(stmt.object, 'List')?.items ?? unwrap<TypeName>(stmt.object, 'TypeName')?.names);
    object = { kind: type === 'OBJECT_TYPE' ? 'type' : 'domain', ...nameFromParts(parts) };
  }
  return object ? [effect('rename', object, { conditional: !!stmt.missing_ok, newName })] : [];
}

const effectsCache = new WeakMap<object, readonly ObjectEffect[]>();

/**
 * What one statement does to database objects, in the order it does it. Computed once per parse
 * tree node (rules ask about the same statements many times); treat the result as read-only.
 */
export function objectEffects(node: Node | undefined): ObjectEffect[] {
  if (!node) return [];
  let effects = effectsCache.get(node);
  if (!effects) {
    effects = computeEffects(node);
    effectsCache.set(node, effects);
  }
  return effects as ObjectEffect[];
}

function computeEffects(node: Node): ObjectEffect[] {
  let type = '';
  for (type in node) break;
  const body = (node as unknown as Record<string, AnyNode>)[type];
  switch (type) {
    case 'CreateStmt': {
      const stmt = body as { relation?: RangeVar; if_not_exists?: boolean };
      return [effect('create', { kind: 'table', ...relationName(stmt.relation) }, { conditional: !!stmt.if_not_exists })];
    }
    case 'CreateTableAsStmt': {
      const stmt = body as { into?: { rel?: RangeVar }; objtype?: string; if_not_exists?: boolean };
      const kind: ObjectKind = stmt.objtype === 'OBJECT_MATVIEW' ? 'materialized view' : 'table';
      return [effect('create', { kind, ...relationName(stmt.into?.rel) }, { conditional: !!stmt.if_not_exists })];
    }
    case 'IndexStmt': {
      const stmt = body as IndexStmt;
      const table = relationName(stmt.relation);
      const name = stmt.idxname ?? defaultIndexName(table.name, stmt.indexParams);
      if (!name) return [];
      const columns = (stmt.indexParams ?? []).map((p) => unwrap<{ name?: string }>(p, 'IndexElem')?.name).filter((c): c is string => !!c);
      // An index lives in its table's schema.
      const object: DbObject = { kind: 'index', schema: table.schema, name, table, columns, defaultName: !stmt.idxname };
      return [effect('create', object, { conditional: !!stmt.if_not_exists, concurrent: !!stmt.concurrent })];
    }
    case 'CreateFunctionStmt': {
      const stmt = body as CreateFunctionStmt;
      const kind = stmt.is_procedure ? 'procedure' : 'function';
      const object: DbObject = { kind, ...nameFromParts(strings(stmt.funcname)), args: functionArgs(stmt.parameters) };
      return [effect('create', object, { orReplace: !!stmt.replace })];
    }
    case 'CreateTrigStmt': {
      const stmt = body as { trigname?: string; relation?: RangeVar; funcname?: Node[]; replace?: boolean };
      const object: DbObject = { kind: 'trigger', name: stmt.trigname ?? '', table: relationName(stmt.relation), function: nameFromParts(strings(stmt.funcname)) };
      return [effect('create', object, { orReplace: !!stmt.replace })];
    }
    case 'CreatePolicyStmt': {
      const stmt = body as { policy_name?: string; table?: RangeVar };
      return [effect('create', { kind: 'policy', name: stmt.policy_name ?? '', table: relationName(stmt.table) })];
    }
    case 'CreateEnumStmt':
    case 'CreateRangeStmt': {
      const stmt = body as { typeName?: Node[] };
      return [effect('create', { kind: 'type', ...nameFromParts(strings(stmt.typeName)) })];
    }
    case 'CompositeTypeStmt': {
      const stmt = body as { typevar?: RangeVar };
      return [effect('create', { kind: 'type', ...relationName(stmt.typevar) })];
    }
    case 'DefineStmt': {
      const stmt = body as { kind?: string; defnames?: Node[]; if_not_exists?: boolean };
      if (stmt.kind !== 'OBJECT_TYPE') return [];
      return [effect('create', { kind: 'type', ...nameFromParts(strings(stmt.defnames)) }, { conditional: !!stmt.if_not_exists })];
    }
    case 'CreateDomainStmt': {
      const stmt = body as { domainname?: Node[] };
      return [effect('create', { kind: 'domain', ...nameFromParts(strings(stmt.domainname)) })];
    }
    case 'CreateSeqStmt': {
      const stmt = body as { sequence?: RangeVar; if_not_exists?: boolean };
      return [effect('create', { kind: 'sequence', ...relationName(stmt.sequence) }, { conditional: !!stmt.if_not_exists })];
    }
    case 'ViewStmt': {
      const stmt = body as { view?: RangeVar; replace?: boolean };
      return [effect('create', { kind: 'view', ...relationName(stmt.view) }, { orReplace: !!stmt.replace })];
    }
    case 'CreateSchemaStmt': {
      const stmt = body as { schemaname?: string; if_not_exists?: boolean };
      return stmt.schemaname ? [effect('create', { kind: 'schema', name: stmt.schemaname }, { conditional: !!stmt.if_not_exists })] : [];
    }
    case 'CreateExtensionStmt': {
      const stmt = body as { extname?: string; if_not_exists?: boolean };
      return [effect('create', { kind: 'extension', name: stmt.extname ?? '' }, { conditional: !!stmt.if_not_exists })];
    }
    case 'SelectStmt': {
      // SELECT ... INTO new_table creates a table like CREATE TABLE AS.
      const into = (body as { intoClause?: { rel?: RangeVar } }).intoClause;
      return into?.rel ? [effect('create', { kind: 'table', ...relationName(into.rel) })] : [];
    }
    case 'AlterTableStmt':
      return alterTableEffects(body as AlterTableStmt);
    case 'DropStmt':
      return dropEffects(body as DropStmt);
    case 'RenameStmt':
      return renameEffects(body as RenameStmt);
    default:
      return [];
  }
}

/**
 * Same name, allowing one side to leave the schema out: migrations usually run with one search
 * path, so `users` and `public.users` written in the up and down of one migration are one table.
 */
export function sameName(a: QualifiedName | undefined, b: QualifiedName | undefined): boolean {
  if (!a || !b) return false;
  return a.name === b.name && (!a.schema || !b.schema || a.schema === b.schema);
}

/**
 * Items grouped by the bare name of their object (`orders` for `app.orders`), so that finding the
 * ones with the same name (then compared with sameName, schemas included) costs one lookup rather
 * than a pass over all of them: rules ask once per statement, and migrations hold thousands.
 */
export function groupByName<T>(items: readonly T[], nameOf: (item: T) => QualifiedName): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = nameOf(item).name;
    const group = groups.get(name);
    if (group) group.push(item);
    else groups.set(name, [item]);
  }
  return groups;
}

function kindsMatch(a: DbObject, b: DbObject): boolean {
  if (a.kind === b.kind) return true;
  const routine = (o: DbObject) => o.kind === 'function' || o.kind === 'procedure';
  return routine(a) && routine(b) && (!!a.anyRoutine || !!b.anyRoutine);
}

/** True when both describe one object (an unknown table or argument list on one side matches any). */
export function sameObject(a: DbObject, b: DbObject): boolean {
  if (!kindsMatch(a, b) || !sameName(a, b)) return false;
  if (a.table && b.table && !sameName(a.table, b.table)) return false;
  if (a.args && b.args && a.args.join(',') !== b.args.join(',')) return false;
  return true;
}

function schemaOf(object: DbObject): string | undefined {
  return object.schema ?? object.table?.schema;
}

/**
 * True when `effect` removes `target`: explicitly, or implicitly — dropping a table drops its
 * columns, indexes, triggers, policies, constraints and row level security; dropping a column drops
 * the indexes and constraints on it; DROP SCHEMA/FUNCTION ... CASCADE drops what depends on them.
 * Disabling row level security undoes enabling it.
 */
export function removes(effect: ObjectEffect, target: DbObject): boolean {
  const dropped = effect.object;
  if (effect.action === 'disable') return sameObject(dropped, target);
  if (effect.action !== 'drop') return false;
  if (sameObject(dropped, target)) return true;
  if ((dropped.kind === 'table' || dropped.kind === 'materialized view' || dropped.kind === 'view') && target.table && sameName(dropped, target.table)) return true;
  if (dropped.kind === 'column' && target.table && sameName(dropped.table, target.table) && target.columns?.includes(dropped.name)) return true;
  if (!effect.cascade) return false;
  if (dropped.kind === 'schema' && schemaOf(target) === dropped.name) return true;
  if ((dropped.kind === 'function' || dropped.kind === 'procedure') && target.kind === 'trigger' && sameName(dropped, target.function)) return true;
  return false;
}

/**
 * The names under which a drop or disable can remove `target` (see removes): its own name, its
 * table's, its columns', its schema's and, for a trigger, its function's. Indexes of effects by
 * the dropped object's name use these keys to find candidates without trying every effect.
 */
export function removalKeys(target: DbObject): string[] {
  const keys = [target.name];
  if (target.table) keys.push(target.table.name);
  if (target.columns) keys.push(...target.columns);
  const schema = schemaOf(target);
  if (schema) keys.push(schema);
  if (target.function) keys.push(target.function.name);
  return keys;
}

/** `schema.name`, each part quoted when PostgreSQL needs it. */
export function renderName(name: QualifiedName): string {
  return name.schema ? `${quoteIdentifier(name.schema)}.${quoteIdentifier(name.name)}` : quoteIdentifier(name.name);
}

/** How messages name an object: `index users_email_idx on users`, `function f(int4, text)`. */
export function describeObject(object: DbObject): string {
  switch (object.kind) {
    case 'column':
      return `column ${object.table ? renderName(object.table) + '.' : ''}${quoteIdentifier(object.name)}`;
    case 'trigger':
    case 'policy':
    case 'constraint':
    case 'index':
      return `${object.kind} ${quoteIdentifier(object.name)}${object.table ? ` on ${renderName(object.table)}` : ''}`;
    case 'row level security':
    case 'forced row level security':
      return `${object.kind} on ${renderName(object.table ?? object)}`;
    case 'function':
    case 'procedure':
      return `${object.kind} ${renderName(object)}${object.args ? `(${object.args.join(', ')})` : ''}`;
    default:
      return `${object.kind} ${renderName(object)}`;
  }
}
