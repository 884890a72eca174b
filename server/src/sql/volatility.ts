/**
 * Whether a column DEFAULT is evaluated once (a constant, or a stable/immutable expression
 * PostgreSQL stores as the "fast default" of ADD COLUMN) or once per row (a volatile function:
 * ADD COLUMN then rewrites the whole table under ACCESS EXCLUSIVE).
 */
import type { Node } from '@pgsql/types';
import { stringList } from './names';

import type { AstNode as AnyNode } from './ast';

/** Volatile functions of PostgreSQL and of the extensions migrations use for defaults (pg_proc provolatile = 'v'). */
const VOLATILE_BUILTINS = new Set([
  'random',
  'random_normal',
  'setseed',
  'gen_random_uuid',
  'uuidv4',
  'uuidv7',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'currval',
  'lastval',
  'setval',
  'array_shuffle',
  'array_sample',
  'set_config',
  'txid_status',
  'current_query',
  // uuid-ossp and pgcrypto
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'gen_random_bytes',
  'gen_salt',
]);

/** Stable or immutable functions seen in defaults: evaluated once, stored as the fast default. */
const NON_VOLATILE_BUILTINS = new Set([
  'now',
  'transaction_timestamp',
  'statement_timestamp',
  'current_setting',
  'timezone',
  'date_trunc',
  'date_part',
  'extract',
  'lower',
  'upper',
  'btrim',
  'trim',
  'ltrim',
  'rtrim',
  'replace',
  'substring',
  'substr',
  'left',
  'right',
  'concat',
  'concat_ws',
  'format',
  'length',
  'md5',
  'to_char',
  'to_timestamp',
  'to_date',
  'to_number',
  'make_interval',
  'make_date',
  'make_timestamp',
  'make_timestamptz',
  'jsonb_build_object',
  'json_build_object',
  'jsonb_build_array',
  'json_build_array',
  'to_jsonb',
  'to_json',
  'array_fill',
  'array_to_string',
  'string_to_array',
  'encode',
  'decode',
  'pg_current_xact_id',
  'txid_current',
  'current_user',
  'session_user',
  'current_database',
  'current_schema',
  'inet',
  'int4',
  'int8',
  'numeric',
  'text',
  'uuid_nil',
  'abs',
  'round',
  'floor',
  'ceil',
  'greatest',
  'least',
  'nullif',
  'coalesce',
  'age',
  'localtimestamp',
  'localtime',
  'current_date',
]);

/** How a routine defined in the migrations was declared: `v` (the default), `s` or `i`. */
export type DeclaredVolatility = (name: string) => 'v' | 's' | 'i' | undefined;

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
    const call = (node as AnyNode).FuncCall;
    if (call) {
      const names = stringList(call.funcname);
      const name = names[names.length - 1]?.toLowerCase() ?? '';
      const written = `${names.join('.')}()`;
      const own = declared(name);
      if (own === 'v' || (own === undefined && VOLATILE_BUILTINS.has(name))) return { verdict: 'volatile', call: written };
      if (own === undefined && !NON_VOLATILE_BUILTINS.has(name) && !(names.length > 1 && names[0] === 'pg_catalog')) unknown ??= { verdict: 'unknown', call: written };
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
  const create = (node as AnyNode | undefined)?.CreateFunctionStmt;
  if (!create || create.is_procedure) return undefined;
  const names = stringList(create.funcname);
  const option = (create.options ?? []).map((o: AnyNode) => o?.DefElem).find((d: AnyNode | undefined) => d?.defname === 'volatility');
  const value: string = option?.arg?.String?.sval ?? 'volatile';
  return { name: names[names.length - 1].toLowerCase(), volatility: value === 'immutable' ? 'i' : value === 'stable' ? 's' : 'v' };
}
