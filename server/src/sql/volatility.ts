/**
 * Whether a column DEFAULT is evaluated once (a constant, or a stable/immutable expression
 * PostgreSQL stores as the "fast default" of ADD COLUMN) or once per row (a volatile function:
 * ADD COLUMN then rewrites the whole table under ACCESS EXCLUSIVE).
 */
import type { Node } from '@pgsql/types';
import { stringList } from './names';
import { builtinVolatility, type Volatility } from './builtin-functions';
import type { AstNode } from './ast';

/** How a routine defined in the migrations was declared: `v` (the default), `s` or `i`. */
export type DeclaredVolatility = (name: string) => Volatility | undefined;

export interface DefaultVolatility {
  /** `volatile`: evaluated per row. `unknown`: calls a function that is neither a known builtin nor defined in the migrations. */
  verdict: 'volatile' | 'unknown';
  /** The function that decides it, as written. */
  call: string;
}

/** Undefined when the expression is evaluated once; else why it may be evaluated per row. */
export function defaultVolatility(expr: unknown, declared: DeclaredVolatility): DefaultVolatility | undefined {
  let unknown: DefaultVolatility | undefined;
  const visit = (node: unknown): DefaultVolatility | undefined => {
    if (Array.isArray(node)) {
      for (const item of node) {
        const found = visit(item);
        if (found) return found;
      }
      return undefined;
    }
    if (!node || typeof node !== 'object') return undefined;
    const call = (node as AstNode).FuncCall;
    if (call) {
      const names = stringList(call.funcname);
      const name = names[names.length - 1]?.toLowerCase() ?? '';
      const written = `${names.join('.')}()`;
      const volatility = declared(name) ?? builtinVolatility(name);
      if (volatility === 'v') return { verdict: 'volatile', call: written };
      if (volatility === undefined && !(names.length > 1 && names[0] === 'pg_catalog')) unknown ??= { verdict: 'unknown', call: written };
      return visit(call.args);
    }
    for (const value of Object.values(node)) {
      const found = visit(value);
      if (found) return found;
    }
    return undefined;
  };
  return visit(expr) ?? unknown;
}

/** The volatility a CREATE FUNCTION declares (`v` when it says nothing), or undefined for another statement. */
export function declaredVolatility(node: Node | undefined): { name: string; volatility: 'v' | 's' | 'i' } | undefined {
  const create = (node as AstNode | undefined)?.CreateFunctionStmt;
  if (!create || create.is_procedure) return undefined;
  const names = stringList(create.funcname);
  const option = (create.options ?? []).map((o: AstNode) => o?.DefElem).find((d: AstNode | undefined) => d?.defname === 'volatility');
  const value: string = option?.arg?.String?.sval ?? 'volatile';
  return { name: names[names.length - 1].toLowerCase(), volatility: value === 'immutable' ? 'i' : value === 'stable' ? 's' : 'v' };
}
