/**
 * "Generate rollback": the statements that reverse a migration's up section, newest first.
 * Every statement is written to run safely twice (IF EXISTS), and whatever cannot be reversed
 * mechanically is listed — as a TODO comment at the place its reversal would go.
 */
import type { AlterTableCmd, AlterTableStmt, Node, RangeVar, RenameStmt } from '@pgsql/types';
import { statementTokens } from '../sql/clauses';
import { quoteIdentifier } from '../sql/names';
import { describeObject, groupByName, objectEffects, relationName, renderName, sameName, type DbObject, type ObjectEffect } from '../sql/objects';
import { nodeType, type Statement } from '../sql/statements';
import { runsInMigration, upOutcome } from './reversal';
import type { ParsedSection } from './types';

export interface GeneratedRollback {
  /** SQL of the down section, statements separated by newlines, each ending with ";". */
  sql: string;
  /** Up statements that cannot be reversed mechanically, with why (shown as comments in `sql`). */
  skipped: Array<{ statement: string; reason: string }>;
}

const DROP_KEYWORDS: Partial<Record<DbObject['kind'], string>> = {
  table: 'TABLE',
  index: 'INDEX',
  type: 'TYPE',
  domain: 'DOMAIN',
  sequence: 'SEQUENCE',
  view: 'VIEW',
  'materialized view': 'MATERIALIZED VIEW',
  schema: 'SCHEMA',
  extension: 'EXTENSION',
};

function routineSignature(object: DbObject): string {
  return `${renderName(object)}(${(object.args ?? []).join(', ')})`;
}

/**
 * The statement that undoes one creation or enabling, written to be safe to run twice:
 * `DROP INDEX IF EXISTS ...`, `ALTER TABLE ... DISABLE ROW LEVEL SECURITY`.
 */
export function undoStatement(action: 'create' | 'enable', object: DbObject, options: { concurrent?: boolean } = {}): string | undefined {
  const table = object.table && renderName(object.table);
  if (action === 'enable') {
    if (object.kind === 'row level security') return `ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY;`;
    if (object.kind === 'forced row level security') return `ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY;`;
    return undefined;
  }
  switch (object.kind) {
    case 'column':
      return `ALTER TABLE ${table} DROP COLUMN IF EXISTS ${quoteIdentifier(object.name)};`;
    case 'constraint':
      return `ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${quoteIdentifier(object.name)};`;
    case 'trigger':
    case 'policy':
      return `DROP ${object.kind.toUpperCase()} IF EXISTS ${quoteIdentifier(object.name)} ON ${table};`;
    case 'function':
    case 'procedure':
      return `DROP ${object.kind.toUpperCase()} IF EXISTS ${routineSignature(object)};`;
    case 'index':
      return `DROP INDEX ${options.concurrent ? 'CONCURRENTLY ' : ''}IF EXISTS ${renderName(object)};`;
    default: {
      const keyword = DROP_KEYWORDS[object.kind];
      return keyword ? `DROP ${keyword} IF EXISTS ${renderName(object)};` : undefined;
    }
  }
}

/** One line of the up statement, for TODO comments and `skipped`. */
function summarize(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 100 ? `${line.slice(0, 97)}...` : line;
}

const RENAME_TARGETS: Partial<Record<DbObject['kind'], string>> = {
  table: 'TABLE',
  index: 'INDEX',
  sequence: 'SEQUENCE',
  view: 'VIEW',
  'materialized view': 'MATERIALIZED VIEW',
  type: 'TYPE',
  domain: 'DOMAIN',
  schema: 'SCHEMA',
};

/** `ALTER ... RENAME` back from the new name to the old one. */
export function renameBack(effect: ObjectEffect): string | undefined {
  const object = effect.object;
  const renamedTo = { ...object, name: effect.newName! };
  const table = object.table && renderName(object.table);
  const oldName = quoteIdentifier(object.name);
  switch (object.kind) {
    case 'column':
      return `ALTER TABLE ${table} RENAME COLUMN ${quoteIdentifier(renamedTo.name)} TO ${oldName};`;
    case 'constraint':
      return `ALTER TABLE ${table} RENAME CONSTRAINT ${quoteIdentifier(renamedTo.name)} TO ${oldName};`;
    case 'trigger':
    case 'policy':
      return `ALTER ${object.kind.toUpperCase()} ${quoteIdentifier(renamedTo.name)} ON ${table} RENAME TO ${oldName};`;
    case 'function':
    case 'procedure':
      return object.args ? `ALTER ${object.kind.toUpperCase()} ${routineSignature(renamedTo)} RENAME TO ${oldName};` : undefined;
    default: {
      const keyword = RENAME_TARGETS[object.kind];
      return keyword ? `ALTER ${keyword} ${renderName(renamedTo)} RENAME TO ${oldName};` : undefined;
    }
  }
}

type Reversal = { sql: string[] } | { reason: string };

/** Statements that change nothing a rollback must restore. */
const NOTHING_TO_REVERSE = new Set([
  'VariableSetStmt',
  'VariableShowStmt',
  'SelectStmt',
  'TransactionStmt',
  'ExplainStmt',
  'VacuumStmt',
  'CheckPointStmt',
  'LockStmt',
  'NotifyStmt',
  'RefreshMatViewStmt',
  'ReindexStmt',
  'ClusterStmt',
]);

/** False for statements that leave nothing to roll back: queries, session settings, maintenance. */
export function changesDatabase(statement: Statement): boolean {
  const type = nodeType(statement.node);
  if (!type) return false;
  // SELECT ... INTO creates a table.
  if (type === 'SelectStmt') return objectEffects(statement.node).length > 0;
  return !NOTHING_TO_REVERSE.has(type);
}

const DATA_CHANGES = new Set(['UpdateStmt', 'DeleteStmt', 'InsertStmt', 'MergeStmt', 'TruncateStmt', 'CopyStmt']);

interface Context {
  /** True for tables (and their contents) the up section creates: dropping them undoes the rest. */
  createdTable(table: DbObject['table']): boolean;
  /** True for columns the up section adds: dropping them undoes their defaults, types and NOT NULL. */
  createdColumn(table: DbObject['table'], column: string): boolean;
}

/** ALTER TABLE commands whose reversal is an undoStatement of the object they create or enable. */
const EFFECT_COMMANDS = new Set(['AT_AddColumn', 'AT_AddConstraint', 'AT_EnableRowSecurity', 'AT_ForceRowSecurity']);

function alterTableReversal(stmt: AlterTableStmt, context: Context): Reversal {
  const tableName = relationName(stmt.relation);
  const table = renderName(tableName);
  const fresh = context.createdTable(tableName);
  // One entry per command, each possibly a comment plus a statement, undone last-first.
  const sql: string[] = [];
  const reasons: string[] = [];
  for (const item of stmt.cmds ?? []) {
    const cmd = (item as { AlterTableCmd?: AlterTableCmd }).AlterTableCmd;
    if (!cmd) continue;
    const column = cmd.name ? quoteIdentifier(cmd.name) : '';
    const effect = EFFECT_COMMANDS.has(cmd.subtype ?? '') ? objectEffects({ AlterTableStmt: { ...stmt, cmds: [item] } } as Node)[0] : undefined;
    // Changes to a column this migration adds go away with the column.
    if (cmd.name && cmd.subtype !== 'AT_DropColumn' && context.createdColumn(tableName, cmd.name)) continue;
    switch (cmd.subtype) {
      case 'AT_AddColumn':
      case 'AT_AddConstraint':
      case 'AT_EnableRowSecurity':
      case 'AT_ForceRowSecurity': {
        if (fresh) break;
        const undo = effect && undoStatement(effect.action as 'create' | 'enable', effect.object);
        if (undo) sql.push(undo);
        else reasons.push('a constraint without a name PostgreSQL would choose predictably');
        break;
      }
      case 'AT_DisableRowSecurity':
        if (!fresh) sql.push(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;`);
        break;
      case 'AT_NoForceRowSecurity':
        if (!fresh) sql.push(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;`);
        break;
      case 'AT_SetNotNull':
        if (!fresh) sql.push(`ALTER TABLE ${table} ALTER COLUMN ${column} DROP NOT NULL;`);
        break;
      case 'AT_DropNotNull':
        if (!fresh) sql.push(`ALTER TABLE ${table} ALTER COLUMN ${column} SET NOT NULL;`);
        break;
      case 'AT_ColumnDefault':
        if (fresh) break;
        if (cmd.def) {
          sql.push(
            `-- The default of ${table}.${column} before this migration is unknown: restore it here if it had one.\nALTER TABLE ${table} ALTER COLUMN ${column} DROP DEFAULT;`,
          );
        } else reasons.push(`DROP DEFAULT on ${table}.${column} (the previous default is unknown)`);
        break;
      case 'AT_DropColumn':
        reasons.push(`dropping column ${table}.${column} loses its data and definition`);
        break;
      case 'AT_DropConstraint':
        reasons.push(`the definition of dropped constraint ${cmd.name ?? ''} is unknown`);
        break;
      case 'AT_AlterColumnType':
        reasons.push(`changing the type of ${table}.${column} (the previous type is unknown)`);
        break;
      case 'AT_ValidateConstraint':
        break;
      case 'AT_AttachPartition': {
        const partition = (cmd.def as { PartitionCmd?: { name?: RangeVar } } | undefined)?.PartitionCmd?.name;
        // A partition this migration creates goes away when it is dropped; detach it first either way.
        if (partition && !fresh) sql.push(`ALTER TABLE ${table} DETACH PARTITION ${renderName(relationName(partition))};`);
        else if (!partition) reasons.push('ATTACH PARTITION without a partition name');
        break;
      }
      case 'AT_DetachPartition':
        reasons.push(`re-attaching a detached partition needs its bounds, which the statement does not say`);
        break;
      default:
        if (!fresh) reasons.push(`ALTER TABLE ${(cmd.subtype ?? '').replace(/^AT_/, '')} has no automatic reversal`);
    }
  }
  if (reasons.length && !sql.length) return { reason: reasons.join('; ') };
  sql.reverse();
  if (reasons.length) sql.unshift(`-- TODO: cannot reverse automatically: ${reasons.join('; ')}`);
  return { sql };
}

/**
 * GRANT ... TO r becomes REVOKE ... FROM r (options such as WITH GRANT OPTION dropped), rewritten
 * token by token so privileges, objects and roles stay exactly as written. A REVOKE cannot be
 * undone: whether the privilege was there before is unknown.
 */
function grantReversal(statement: Statement, context: Context): Reversal {
  const type = nodeType(statement.node)!;
  const body = (statement.node as unknown as Record<string, Record<string, unknown>>)[type];
  const grant = (type === 'AlterDefaultPrivilegesStmt' ? body.action : body) as {
    is_grant?: boolean;
    objtype?: string;
    objects?: Node[];
    grantees?: Array<{ RoleSpec?: { location?: number } }>;
    grantee_roles?: Array<{ RoleSpec?: { location?: number } }>;
  };
  if (!grant?.is_grant) return { reason: 'whether the privilege existed before this migration is unknown' };
  // Privileges on a table this migration creates disappear with the table.
  const tables = grant.objtype === 'OBJECT_TABLE' && type === 'GrantStmt' ? (grant.objects ?? []).map((o) => (o as { RangeVar?: RangeVar }).RangeVar) : [];
  if (tables.length && tables.every((t) => t && context.createdTable(relationName(t)))) return { sql: [] };
  const grantee = (grant.grantees ?? grant.grantee_roles)?.[0]?.RoleSpec?.location;
  if (statement.embedding || grantee === undefined) return { reason: 'the GRANT could not be rewritten as a REVOKE' };
  const tokens = statementTokens(statement);
  const granteeAt = statement.offsetOf(grantee) - statement.start;
  const g = tokens.findIndex((t) => t.value === 'grant');
  const to = tokens.findIndex((t) => t.start >= granteeAt) - 1;
  if (g < 0 || to <= g || tokens[to].value !== 'to') return { reason: 'the GRANT could not be rewritten as a REVOKE' };
  let end = tokens.findIndex((t, k) => k > to && (t.value === 'with' || t.value === 'granted' || t.value === ';'));
  if (end < 0) end = tokens.length;
  const text = statement.text;
  const revoke = `${text.slice(0, tokens[g].start)}REVOKE${text.slice(tokens[g].end, tokens[to].start)}FROM${text.slice(tokens[to].end, tokens[end - 1].end)};`;
  return { sql: [revoke.replace(/\s*\n\s*/g, ' ')] };
}

function reversalOf(statement: Statement, context: Context): Reversal {
  if (statement.syntaxError) return { reason: 'it does not parse' };
  if (statement.notAnalysed) return { reason: 'it is nested too deeply to analyse' };
  const node = statement.node;
  const type = nodeType(node);
  if (!type || !changesDatabase(statement)) return { sql: [] };
  if (DATA_CHANGES.has(type)) return { reason: 'data changes cannot be undone from the statement alone' };
  if (type === 'AlterEnumStmt') return { reason: 'PostgreSQL cannot remove or reliably rename back an enum value' };
  if (type === 'DropStmt') return { reason: 'what it dropped (definition and data) is gone; recreate it by hand' };
  if (type === 'AlterTableStmt') return alterTableReversal((node as { AlterTableStmt: AlterTableStmt }).AlterTableStmt, context);
  if (type === 'DoStmt') {
    // Its statements come right after it (statement.embedding); a DO with none we could read is opaque.
    return { sql: [] };
  }
  if (type === 'CommentStmt') return { sql: [] };
  if (type === 'GrantStmt' || type === 'GrantRoleStmt' || type === 'AlterDefaultPrivilegesStmt') return grantReversal(statement, context);
  const effects = objectEffects(node);
  if (type === 'RenameStmt') {
    const back = effects[0] && renameBack(effects[0]);
    return back ? { sql: [back] } : { reason: `renaming ${(node as { RenameStmt: RenameStmt }).RenameStmt.renameType ?? ''} back is not supported` };
  }
  const creates = effects.filter((e) => e.action === 'create');
  if (!creates.length) return { reason: `no automatic reversal for ${type.replace(/Stmt$/, '')}` };
  const sql: string[] = [];
  for (const effect of creates) {
    // An index, trigger or policy on a table this migration creates goes away with the table.
    if (effect.object.table && context.createdTable(effect.object.table)) continue;
    const undo = undoStatement('create', effect.object, { concurrent: effect.concurrent });
    if (!undo) return { reason: `${describeObject(effect.object)} has no name to drop it by` };
    // OR REPLACE may have replaced an older version that the rollback should bring back instead.
    if (effect.orReplace) sql.push(`-- If the up replaced an existing ${effect.object.kind}, restore its previous definition here instead of dropping it.\n${undo}`);
    else sql.push(undo);
  }
  return { sql };
}

export function generateRollback(up: ParsedSection): GeneratedRollback {
  // By name: a long migration asks about its tables once per statement.
  const created = upOutcome(up)
    .changes.filter((c) => c.action === 'create')
    .map((c) => c.object);
  const tables = groupByName(
    created.filter((o) => o.kind === 'table'),
    (o) => o,
  );
  const columns = groupByName(
    created.filter((o) => o.kind === 'column'),
    (o) => o,
  );
  const context: Context = {
    createdTable: (table) => !!table && (tables.get(table.name) ?? []).some((t) => sameName(t, table)),
    createdColumn: (table, column) => (columns.get(column) ?? []).some((c) => sameName(c.table, table)),
  };
  const blocks: string[][] = [];
  const skipped: GeneratedRollback['skipped'] = [];
  const statements = up.statementsWithEmbedded;
  for (let i = 0; i < statements.length; i++) {
    const statement = statements[i];
    if (!runsInMigration(statement)) continue;
    const reversal = reversalOf(statement, context);
    if ('sql' in reversal) {
      const opaqueDo = nodeType(statement.node) === 'DoStmt' && statements[i + 1]?.embedding?.parent !== statement;
      if (opaqueDo) {
        const entry = { statement: summarize(statement.text), reason: 'a DO block whose statements could not be read' };
        skipped.push(entry);
        blocks.push([`-- TODO: cannot reverse automatically: ${entry.statement} (${entry.reason})`]);
      } else blocks.push(reversal.sql);
      continue;
    }
    const entry = { statement: summarize(statement.text), reason: reversal.reason };
    skipped.push(entry);
    blocks.push([`-- TODO: cannot reverse automatically: ${entry.statement} (${entry.reason})`]);
  }
  const lines = blocks.reverse().flat();
  return { sql: lines.length ? `${lines.join('\n')}\n` : '', skipped };
}
