/**
 * What a statement does to a live database: the lock it takes on which relation, what that lock
 * blocks, whether it rewrites or scans the table, and the safer way to do the same thing.
 *
 * A static prediction from the parse tree, following PostgreSQL's documented lock levels
 * ("Explicit Locking" and the per-command notes of ALTER TABLE, CREATE INDEX, REINDEX...). The
 * runner's plan reports the locks really taken (pg_locks); hover shows this one while typing.
 */
import type { Node, RangeVar } from '@pgsql/types';
import { qualifiedName } from './names';
import { optionEnabled } from './options';
import { blockedOperations, LOCK_MODES, lockStrength, type LockMode } from './lock-modes';
import { nodeTypeName, type AstNode } from './ast';
import { builtinVolatility } from './builtin-functions';

export interface LockEffect {
  /** Relation the lock is on, as written (`public.users`). */
  relation: string;
  mode: LockMode;
  /** What other sessions cannot do while it is held: 'reads' | 'writes' | 'DDL'. */
  blocks: Array<'reads' | 'writes' | 'DDL'>;
  /** Rewrites every row (and every index) of the table. */
  rewrite: boolean;
  /** Reads the whole table (e.g. to validate a constraint) while holding the lock. */
  scan: boolean;
  /** The safe alternative, one sentence; absent when the statement is already the safe way. */
  saferAlternative?: string;
}

/** The mode numbers of LOCK TABLE's parse tree (PostgreSQL's LOCKMODE). */
const LOCK_STMT_MODES: Record<number, LockMode> = Object.fromEntries(LOCK_MODES.map((m, i) => [i + 1, m]));

interface LockPart {
  relation: string;
  mode: LockMode;
  rewrite?: boolean;
  scan?: boolean;
  saferAlternative?: string;
}

const SAFER = {
  concurrentIndex: 'Build it with CREATE INDEX CONCURRENTLY (outside a transaction): writes keep flowing while it builds.',
  concurrentDropIndex: 'Use DROP INDEX CONCURRENTLY (outside a transaction) so queries are not blocked while it waits.',
  concurrentReindex: 'Use REINDEX ... CONCURRENTLY (outside a transaction) so writes keep flowing.',
  notValid: 'Add the constraint NOT VALID (a brief lock, no scan), then VALIDATE CONSTRAINT in a later transaction: validation takes only SHARE UPDATE EXCLUSIVE.',
  uniqueUsingIndex: 'Create the unique index with CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... UNIQUE/PRIMARY KEY USING INDEX.',
  setNotNull: 'Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it, then SET NOT NULL: PostgreSQL 12+ uses the valid check and skips the scan.',
  volatileDefault: 'Add the column without a default (or with a constant one), backfill it in batches, then set the default.',
  changeType: 'Expand and contract: add a column of the new type, keep it in sync with a trigger, backfill in batches, then switch readers and drop the old column.',
  repack: 'Rebuild the table online with pg_repack (or pg_squeeze) instead of holding ACCESS EXCLUSIVE for the whole rewrite.',
  refreshConcurrently: 'Use REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on the view) so readers are not blocked.',
  detachConcurrently: 'Use DETACH PARTITION ... CONCURRENTLY (outside a transaction): the parent table then takes only SHARE UPDATE EXCLUSIVE.',
  attachCheck: 'Add a validated CHECK constraint matching the partition bound to the table first (NOT VALID, then VALIDATE) so ATTACH PARTITION skips the scan.',
  partitionOf: 'Create the table on its own (LIKE parent INCLUDING ALL) and ATTACH PARTITION it: attaching takes only SHARE UPDATE EXCLUSIVE on the parent.',
  batches: 'Backfill in batches (WHERE id BETWEEN ... , a few thousand rows per transaction) so row locks, WAL and replication lag stay small.',
  rewriteWindow: 'This rewrites the whole table under ACCESS EXCLUSIVE: run it in a maintenance window, or build a new table and swap.',
} as const;

/** Storage parameters ALTER TABLE SET (...) changes under SHARE UPDATE EXCLUSIVE; the rest need ACCESS EXCLUSIVE. */
const LIGHT_RELOPTIONS = /^(toast\.)?(autovacuum_\w+|vacuum_\w+|log_autovacuum_min_duration|fillfactor|parallel_workers|toast_tuple_target)$/;

const SERIAL_TYPES = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);

/** The locks a statement takes, most restrictive first; empty when it takes none worth telling. */
export function lockEffects(node: Node | undefined): LockEffect[] {
  if (!node) return [];
  const type = nodeTypeName(node);
  const body = type === undefined ? undefined : (node as AstNode)[type];
  if (type === undefined || !body || typeof body !== 'object') return [];
  return merge(partialEffects(type, body as AstNode));
}

function partialEffects(type: string, stmt: AstNode): LockPart[] {
  switch (type) {
    case 'AlterTableStmt':
      return alterTable(stmt);
    case 'IndexStmt':
      return stmt.concurrent
        ? [{ relation: rel(stmt.relation), mode: 'SHARE UPDATE EXCLUSIVE', scan: true }]
        : [{ relation: rel(stmt.relation), mode: 'SHARE', scan: true, saferAlternative: SAFER.concurrentIndex }];
    case 'DropStmt':
      return drop(stmt);
    case 'TruncateStmt':
      return relations(stmt.relations).map((relation) => ({ relation, mode: 'ACCESS EXCLUSIVE' }));
    case 'UpdateStmt':
    case 'DeleteStmt':
      return [
        {
          relation: rel(stmt.relation),
          mode: 'ROW EXCLUSIVE',
          scan: !stmt.whereClause,
          saferAlternative: stmt.whereClause ? undefined : SAFER.batches,
        },
      ];
    case 'InsertStmt':
    case 'MergeStmt':
      return [{ relation: rel(stmt.relation), mode: 'ROW EXCLUSIVE' }];
    case 'VacuumStmt':
      return vacuum(stmt);
    case 'ClusterStmt':
      return [{ relation: stmt.relation ? rel(stmt.relation) : '(every previously clustered table)', mode: 'ACCESS EXCLUSIVE', rewrite: true, saferAlternative: SAFER.repack }];
    case 'RefreshMatViewStmt':
      return stmt.concurrent
        ? [{ relation: rel(stmt.relation), mode: 'EXCLUSIVE', scan: true }]
        : [{ relation: rel(stmt.relation), mode: 'ACCESS EXCLUSIVE', rewrite: true, saferAlternative: SAFER.refreshConcurrently }];
    case 'ReindexStmt':
      return reindex(stmt);
    case 'CreateTrigStmt':
      return [{ relation: rel(stmt.relation), mode: 'SHARE ROW EXCLUSIVE' }];
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
      return [{ relation: rel(stmt.table), mode: 'ACCESS EXCLUSIVE' }];
    case 'RuleStmt':
      return [{ relation: rel(stmt.relation), mode: 'ACCESS EXCLUSIVE' }];
    case 'CreateStmt':
      return createTable(stmt);
    case 'RenameStmt':
      return rename(stmt);
    case 'AlterObjectSchemaStmt':
      return stmt.relation ? [{ relation: rel(stmt.relation), mode: 'ACCESS EXCLUSIVE' }] : [];
    case 'CreateStatsStmt':
      return relations(stmt.relations).map((relation) => ({ relation, mode: 'SHARE UPDATE EXCLUSIVE' }));
    case 'CommentStmt':
      return comment(stmt);
    case 'LockStmt': {
      const mode = LOCK_STMT_MODES[stmt.mode as number] ?? 'ACCESS EXCLUSIVE';
      return relations(stmt.relations).map((relation) => ({ relation, mode }));
    }
    default:
      return [];
  }
}

function rel(relation: RangeVar | undefined): string {
  return relation ? qualifiedName(relation) : '';
}

function relations(list: AstNode[] | undefined): string[] {
  return (list ?? []).map((item) => rel(item?.RangeVar ?? item)).filter(Boolean);
}

function alterTable(stmt: AstNode): LockPart[] {
  const table = rel(stmt.relation);
  const effects: LockPart[] = [];
  for (const item of stmt.cmds ?? []) {
    const cmd = item?.AlterTableCmd;
    if (cmd) effects.push(...alterTableCmd(table, cmd));
  }
  return effects;
}

function alterTableCmd(table: string, cmd: AstNode): LockPart[] {
  const on = (mode: LockMode, extra: Omit<LockPart, 'relation' | 'mode'> = {}): LockPart => ({ relation: table, mode, ...extra });
  switch (cmd.subtype as string) {
    case 'AT_AddColumn':
      return addColumn(table, cmd.def?.ColumnDef ?? {});
    case 'AT_AlterColumnType':
      return [on('ACCESS EXCLUSIVE', { rewrite: true, saferAlternative: SAFER.changeType })];
    case 'AT_SetNotNull':
      return [on('ACCESS EXCLUSIVE', { scan: true, saferAlternative: SAFER.setNotNull })];
    case 'AT_AddConstraint':
      return addConstraint(table, cmd.def?.Constraint ?? {});
    case 'AT_ValidateConstraint':
      return [on('SHARE UPDATE EXCLUSIVE', { scan: true })];
    case 'AT_SetStatistics':
    case 'AT_SetOptions':
    case 'AT_ResetOptions':
    case 'AT_ClusterOn':
    case 'AT_DropCluster':
    case 'AT_DetachPartitionFinalize':
      return [on('SHARE UPDATE EXCLUSIVE')];
    case 'AT_SetRelOptions':
    case 'AT_ResetRelOptions': {
      const names: string[] = (cmd.def?.List?.items ?? []).map((o: AstNode) => [o?.DefElem?.defnamespace, o?.DefElem?.defname].filter(Boolean).join('.'));
      return [on(names.every((n) => LIGHT_RELOPTIONS.test(n)) ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE')];
    }
    case 'AT_EnableTrig':
    case 'AT_EnableAlwaysTrig':
    case 'AT_EnableReplicaTrig':
    case 'AT_DisableTrig':
    case 'AT_EnableTrigAll':
    case 'AT_DisableTrigAll':
    case 'AT_EnableTrigUser':
    case 'AT_DisableTrigUser':
      return [on('SHARE ROW EXCLUSIVE')];
    case 'AT_SetLogged':
    case 'AT_SetUnLogged':
    case 'AT_SetTableSpace':
    case 'AT_SetAccessMethod':
    case 'AT_SetExpression':
      return [on('ACCESS EXCLUSIVE', { rewrite: true, saferAlternative: SAFER.rewriteWindow })];
    case 'AT_AttachPartition': {
      const partition = rel(cmd.def?.PartitionCmd?.name);
      return [on('SHARE UPDATE EXCLUSIVE'), { relation: partition, mode: 'ACCESS EXCLUSIVE', scan: true, saferAlternative: SAFER.attachCheck }];
    }
    case 'AT_DetachPartition': {
      const partition = rel(cmd.def?.PartitionCmd?.name);
      const concurrent = Boolean(cmd.def?.PartitionCmd?.concurrent);
      return [
        concurrent ? on('SHARE UPDATE EXCLUSIVE') : on('ACCESS EXCLUSIVE', { saferAlternative: SAFER.detachConcurrently }),
        { relation: partition, mode: concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE' },
      ];
    }
    default:
      // ALTER TABLE's documented default: ACCESS EXCLUSIVE unless noted otherwise.
      return [on('ACCESS EXCLUSIVE')];
  }
}

function addColumn(table: string, column: AstNode): LockPart[] {
  const constraints: AstNode[] = (column.constraints ?? []).map((c: AstNode) => c?.Constraint ?? {});
  const typeName =
    (column.typeName?.names ?? [])
      .map((n: AstNode) => n?.String?.sval)
      .pop()
      ?.toLowerCase() ?? '';
  const defaultExpr = constraints.find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr;
  const rewrite =
    SERIAL_TYPES.has(typeName) ||
    constraints.some((c) => c.contype === 'CONSTR_IDENTITY' || (c.contype === 'CONSTR_GENERATED' && c.generated_kind !== 'v')) ||
    (defaultExpr !== undefined && isVolatile(defaultExpr));
  const notNullWithoutDefault = constraints.some((c) => c.contype === 'CONSTR_NOTNULL') && defaultExpr === undefined && !rewrite;
  const scan = notNullWithoutDefault || constraints.some((c) => ['CONSTR_CHECK', 'CONSTR_UNIQUE', 'CONSTR_PRIMARY', 'CONSTR_FOREIGN'].includes(c.contype));
  const effects: LockPart[] = [
    {
      relation: table,
      mode: 'ACCESS EXCLUSIVE',
      rewrite,
      scan,
      saferAlternative: rewrite ? SAFER.volatileDefault : undefined,
    },
  ];
  for (const c of constraints) if (c.contype === 'CONSTR_FOREIGN') effects.push({ relation: rel(c.pktable), mode: 'SHARE ROW EXCLUSIVE' });
  return effects;
}

/** True unless the expression is made of constants, casts, operators and known non-volatile functions. */
function isVolatile(expr: unknown): boolean {
  if (Array.isArray(expr)) return expr.some(isVolatile);
  if (!expr || typeof expr !== 'object') return false;
  const node = expr as AstNode;
  if (node.FuncCall) {
    const name = (node.FuncCall.funcname ?? [])
      .map((n: AstNode) => n?.String?.sval)
      .pop()
      ?.toLowerCase();
    // A function not in the table may be volatile: the prediction says rewrite rather than promise a fast default.
    const volatility = builtinVolatility(name);
    if (volatility === undefined || volatility === 'v') return true;
    return isVolatile(node.FuncCall.args);
  }
  // Subqueries and references to other columns cannot be a fast default; treat them as rewriting.
  if (node.SubLink) return true;
  return Object.values(node).some(isVolatile);
}

function addConstraint(table: string, constraint: AstNode): LockPart[] {
  const validated = !constraint.skip_validation;
  switch (constraint.contype) {
    case 'CONSTR_FOREIGN': {
      const extra = { scan: validated, saferAlternative: validated ? SAFER.notValid : undefined };
      return [
        { relation: table, mode: 'SHARE ROW EXCLUSIVE', ...extra },
        { relation: rel(constraint.pktable), mode: 'SHARE ROW EXCLUSIVE' },
      ];
    }
    case 'CONSTR_CHECK':
    case 'CONSTR_NOTNULL':
      return [{ relation: table, mode: 'ACCESS EXCLUSIVE', scan: validated, saferAlternative: validated ? SAFER.notValid : undefined }];
    case 'CONSTR_UNIQUE':
    case 'CONSTR_PRIMARY':
      // USING INDEX adopts an index already built; otherwise the index is built under ACCESS EXCLUSIVE.
      return constraint.indexname
        ? [{ relation: table, mode: 'ACCESS EXCLUSIVE' }]
        : [{ relation: table, mode: 'ACCESS EXCLUSIVE', scan: true, saferAlternative: SAFER.uniqueUsingIndex }];
    case 'CONSTR_EXCLUSION':
      return [{ relation: table, mode: 'ACCESS EXCLUSIVE', scan: true }];
    default:
      return [{ relation: table, mode: 'ACCESS EXCLUSIVE' }];
  }
}

function dottedName(object: AstNode): string[] {
  const items: AstNode[] = object?.List?.items ?? (object?.String ? [object] : []);
  return items.map((i) => i?.String?.sval).filter((s): s is string => typeof s === 'string');
}

function drop(stmt: AstNode): LockPart[] {
  const objects: string[][] = (stmt.objects ?? []).map(dottedName).filter((n: string[]) => n.length > 0);
  switch (stmt.removeType) {
    case 'OBJECT_TABLE':
    case 'OBJECT_VIEW':
    case 'OBJECT_MATVIEW':
    case 'OBJECT_SEQUENCE':
    case 'OBJECT_FOREIGN_TABLE':
      return objects.map((n) => ({ relation: n.join('.'), mode: 'ACCESS EXCLUSIVE' }));
    case 'OBJECT_INDEX':
      return objects.map((n) =>
        stmt.concurrent
          ? { relation: n.join('.'), mode: 'SHARE UPDATE EXCLUSIVE' }
          : { relation: n.join('.'), mode: 'ACCESS EXCLUSIVE', saferAlternative: SAFER.concurrentDropIndex },
      );
    case 'OBJECT_TRIGGER':
    case 'OBJECT_POLICY':
    case 'OBJECT_RULE':
      // `name ON table`: the table is everything but the last name.
      return objects.filter((n) => n.length > 1).map((n) => ({ relation: n.slice(0, -1).join('.'), mode: 'ACCESS EXCLUSIVE' }));
    default:
      return [];
  }
}

function vacuum(stmt: AstNode): LockPart[] {
  const full = stmt.is_vacuumcmd && optionEnabled(stmt.options, 'full');
  const targets: string[] = (stmt.rels ?? []).map((r: AstNode) => rel(r?.VacuumRelation?.relation)).filter(Boolean);
  const names = targets.length ? targets : ['(every table in the database)'];
  return names.map((relation) =>
    full ? { relation, mode: 'ACCESS EXCLUSIVE', rewrite: true, saferAlternative: SAFER.repack } : { relation, mode: 'SHARE UPDATE EXCLUSIVE', scan: true },
  );
}

function reindex(stmt: AstNode): LockPart[] {
  const concurrent = optionEnabled(stmt.params, 'concurrently');
  const target = stmt.relation ? rel(stmt.relation) : stmt.name ? `(every table in ${stmt.name})` : '(every table in the database)';
  if (concurrent) return [{ relation: target, mode: 'SHARE UPDATE EXCLUSIVE', scan: true }];
  // A plain REINDEX holds SHARE on the table (writes wait) and ACCESS EXCLUSIVE on each index it
  // rebuilds (reads that would use it wait).
  return stmt.kind === 'REINDEX_OBJECT_INDEX'
    ? [{ relation: target, mode: 'ACCESS EXCLUSIVE', scan: true, saferAlternative: SAFER.concurrentReindex }]
    : [{ relation: target, mode: 'SHARE', scan: true, saferAlternative: SAFER.concurrentReindex }];
}

function createTable(stmt: AstNode): LockPart[] {
  const effects: LockPart[] = [];
  const parents = relations(stmt.inhRelations);
  if (stmt.partbound) for (const parent of parents) effects.push({ relation: parent, mode: 'ACCESS EXCLUSIVE', saferAlternative: SAFER.partitionOf });
  else for (const parent of parents) effects.push({ relation: parent, mode: 'SHARE UPDATE EXCLUSIVE' });
  const foreignKeys = (stmt.tableElts ?? []).flatMap((elt: AstNode) =>
    elt?.Constraint ? [elt.Constraint] : (elt?.ColumnDef?.constraints ?? []).map((c: AstNode) => c?.Constraint ?? {}),
  );
  for (const c of foreignKeys) if (c?.contype === 'CONSTR_FOREIGN' && c.pktable) effects.push({ relation: rel(c.pktable), mode: 'SHARE ROW EXCLUSIVE' });
  return effects;
}

function rename(stmt: AstNode): LockPart[] {
  if (!stmt.relation) return [];
  // Renaming an index needs only SHARE UPDATE EXCLUSIVE since PostgreSQL 12.
  const mode: LockMode = stmt.renameType === 'OBJECT_INDEX' ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
  return [{ relation: rel(stmt.relation), mode }];
}

function comment(stmt: AstNode): LockPart[] {
  const names = dottedName(stmt.object ?? {});
  if (stmt.objtype === 'OBJECT_TABLE' || stmt.objtype === 'OBJECT_INDEX' || stmt.objtype === 'OBJECT_VIEW' || stmt.objtype === 'OBJECT_MATVIEW') {
    return names.length ? [{ relation: names.join('.'), mode: 'SHARE UPDATE EXCLUSIVE' }] : [];
  }
  if (stmt.objtype === 'OBJECT_COLUMN' && names.length > 1) return [{ relation: names.slice(0, -1).join('.'), mode: 'SHARE UPDATE EXCLUSIVE' }];
  return [];
}

/** One effect per relation: the strongest mode any part asks for (PostgreSQL takes the strongest once). */
function merge(parts: LockPart[]): LockEffect[] {
  const byRelation = new Map<string, LockEffect>();
  for (const part of parts) {
    if (!part.relation) continue;
    const existing = byRelation.get(part.relation);
    if (!existing) {
      byRelation.set(part.relation, {
        relation: part.relation,
        mode: part.mode,
        blocks: blockedOperations(part.mode),
        rewrite: Boolean(part.rewrite),
        scan: Boolean(part.scan),
        ...(part.saferAlternative ? { saferAlternative: part.saferAlternative } : {}),
      });
      continue;
    }
    if (lockStrength(part.mode) > lockStrength(existing.mode)) {
      existing.mode = part.mode;
      existing.blocks = blockedOperations(part.mode);
    }
    existing.rewrite ||= Boolean(part.rewrite);
    existing.scan ||= Boolean(part.scan);
    if (part.saferAlternative && !existing.saferAlternative?.includes(part.saferAlternative)) {
      existing.saferAlternative = existing.saferAlternative ? `${existing.saferAlternative} ${part.saferAlternative}` : part.saferAlternative;
    }
  }
  return [...byRelation.values()].sort((a, b) => lockStrength(b.mode) - lockStrength(a.mode));
}
