/**
 * The row level security policies a statement creates or alters, with their USING and WITH
 * CHECK expressions — what permissive-policy, policy-setting-missing-ok and
 * rls-enabled-without-policy look at.
 */
import type { Node, RangeVar } from '@pgsql/types';
import type { Statement } from '../sql/statements';
import type { AstNode } from '../sql/ast';

export interface PolicyDefinition {
  statement: Statement;
  name: string;
  table: RangeVar;
  /** 'all' | 'select' | 'insert' | 'update' | 'delete'; undefined for ALTER POLICY. */
  command?: string;
  /** False for AS RESTRICTIVE; ALTER POLICY cannot change it, so it is taken as permissive. */
  permissive: boolean;
  roles: string[];
  using?: Node;
  withCheck?: Node;
}

export function policyDefinition(statement: Statement): PolicyDefinition | undefined {
  const node = statement.node as AstNode | undefined;
  const create = node?.CreatePolicyStmt;
  const alter = node?.AlterPolicyStmt;
  const stmt = create ?? alter;
  if (!stmt?.table) return undefined;
  const roles = (stmt.roles ?? []).map((r: AstNode) => {
    const spec = r?.RoleSpec ?? {};
    return (
      spec.rolename ??
      String(spec.roletype ?? '')
        .replace(/^ROLESPEC_/, '')
        .toLowerCase()
    );
  });
  return {
    statement,
    name: stmt.policy_name ?? '',
    table: stmt.table,
    command: create ? (create.cmd_name ?? 'all') : undefined,
    permissive: create ? create.permissive === true : true,
    roles: roles.length ? roles : create ? ['public'] : [],
    using: stmt.qual,
    withCheck: stmt.with_check,
  };
}

/** Calls every node of an expression tree, depth first. */
export function visitNodes(node: unknown, visit: (type: string, body: AstNode) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) visitNodes(item, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  // for...in and a character test: Object.entries and a regex per key allocated a third of a
  // re-lint's garbage in a file of policies.
  for (const key in node) {
    const value = (node as AstNode)[key];
    const first = key.charCodeAt(0);
    if (first >= 65 && first <= 90 && value && typeof value === 'object' && !Array.isArray(value)) visit(key, value as AstNode);
    visitNodes(value, visit);
  }
}
