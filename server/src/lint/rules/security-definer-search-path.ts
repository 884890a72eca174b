import type { Rule } from '../types';
import type { Statement } from '../../sql/statements';
import { quoteIdentifier, stringList } from '../../sql/names';
import { hasExactPositions } from '../../sql/embedded';
import { fileRange, tokensAtLocation } from '../../sql/token-ranges';

import type { AstNode } from '../../sql/ast';

/**
 * Where the pinned path points: pg_catalog first (built-ins cannot be shadowed), then the
 * function's own schema (public when unqualified) for the objects it uses, then pg_temp last —
 * left out, pg_temp is searched first and any caller's temporary table would win.
 */
export function pinnedSearchPath(functionSchema: string | undefined): string {
  return `pg_catalog, ${quoteIdentifier(functionSchema ?? 'public')}, pg_temp`;
}

function securityDefiner(options: AstNode[] | undefined): AstNode | undefined {
  return (options ?? []).find((o) => o?.DefElem?.defname === 'security' && o.DefElem.arg?.Boolean?.boolval === true)?.DefElem;
}

function setsSearchPath(options: AstNode[] | undefined): boolean {
  return (options ?? []).some((o) => o?.DefElem?.defname === 'set' && o.DefElem.arg?.VariableSetStmt?.name === 'search_path');
}

/** `SECURITY DEFINER` (or `EXTERNAL SECURITY DEFINER`) as written, from the option's location. */
function definerClause(statement: Statement, option: AstNode): { start: number; end: number } | undefined {
  if (!hasExactPositions(statement)) return undefined;
  const at = tokensAtLocation(statement, option.location);
  if (!at) return undefined;
  const last = at.tokens.findIndex((t, k) => k >= at.index && t.kind === 'word' && t.value === 'definer');
  return last >= 0 && last - at.index <= 2 ? fileRange(statement, at.tokens, at.index, last) : undefined;
}

/**
 * A SECURITY DEFINER function runs with its owner's privileges but looks names up through the
 * caller's search_path, so a caller who can create objects in a schema on that path (or just a
 * temporary table: pg_temp comes first) decides what the owner's privileges are used on.
 */
const rule: Rule = {
  id: 'security-definer-search-path',
  defaultSeverity: 'warning',
  summary: 'SECURITY DEFINER function without SET search_path: callers can hijack the names it uses.',
  lint(unit, report) {
    const section = unit.up;
    if (!section) return;
    for (const statement of section.statementsWithEmbedded) {
      const node = statement.node as AstNode | undefined;
      const create = node?.CreateFunctionStmt;
      const alter = node?.AlterFunctionStmt;
      const options: AstNode[] | undefined = create?.options ?? alter?.actions;
      const definer = securityDefiner(options);
      if (!definer || setsSearchPath(options)) continue;
      const name = create ? stringList(create.funcname) : stringList(alter?.func?.ObjectWithArgs?.objname ?? alter?.func?.objname);
      const schema = name.length > 1 ? name[name.length - 2] : undefined;
      const path = pinnedSearchPath(schema);
      const clause = definerClause(statement, definer);
      const kind = create?.is_procedure || alter?.objtype === 'OBJECT_PROCEDURE' ? 'procedure' : 'function';
      report({
        section,
        statement,
        ...(clause ?? {}),
        message: `SECURITY DEFINER ${kind} ${name.join('.')} runs with its owner's privileges but resolves unqualified names through the caller's search_path: a caller who can create a table, function or operator in a schema on that path — or just a temporary table, since pg_temp is searched first — makes it act on theirs. Add SET search_path = ${path}.`,
        fixes: clause ? [{ title: `Add SET search_path = ${path}`, edits: [{ start: clause.end, end: clause.end, newText: ` SET search_path = ${path}` }], preferred: true }] : [],
      });
    }
  },
};
export default rule;
