/**
 * The built-in functions (and those of the extensions migrations use for defaults: uuid-ossp,
 * pgcrypto) whose volatility Tidemark knows, as PostgreSQL's catalog records it: pg_proc.provolatile,
 * `i` immutable, `s` stable, `v` volatile. Where a name has overloads of different volatility, the
 * most volatile one (date_trunc has an immutable and a stable overload: `s`).
 *
 * One table for every reader: the lock prediction (sql/locks.ts, whether ADD COLUMN ... DEFAULT
 * rewrites) and the default's volatility (sql/volatility.ts, adding-volatile-default).
 * test/unit/sql/builtin-functions.test.ts compares it with pg_proc of a real PostgreSQL (PGlite),
 * so an entry cannot drift from the catalog.
 *
 * Only calls the parser gives as FuncCall belong here: COALESCE, GREATEST, LEAST, NULLIF,
 * CURRENT_DATE, LOCALTIMESTAMP... are expression nodes of their own, never a function call.
 */

export type Volatility = 'i' | 's' | 'v';

/** pg_proc.provolatile of each function (the most volatile overload). */
export const BUILTIN_FUNCTIONS: Readonly<Record<string, Volatility>> = {
  // volatile: a new value at each call, so a DEFAULT of one is computed for every row
  random: 'v',
  random_normal: 'v',
  setseed: 'v',
  gen_random_uuid: 'v',
  uuidv4: 'v',
  uuidv7: 'v',
  clock_timestamp: 'v',
  timeofday: 'v',
  nextval: 'v',
  currval: 'v',
  lastval: 'v',
  setval: 'v',
  array_shuffle: 'v',
  array_sample: 'v',
  set_config: 'v',
  txid_status: 'v',
  current_query: 'v',
  uuid_generate_v1: 'v', // uuid-ossp
  uuid_generate_v1mc: 'v', // uuid-ossp
  uuid_generate_v4: 'v', // uuid-ossp
  gen_random_bytes: 'v', // pgcrypto
  gen_salt: 'v', // pgcrypto

  // stable: fixed within a statement, so a DEFAULT of one is evaluated once (the "fast default")
  now: 's',
  transaction_timestamp: 's',
  statement_timestamp: 's',
  current_setting: 's',
  timezone: 's',
  date_trunc: 's',
  date_part: 's',
  extract: 's',
  length: 's',
  numeric: 's',
  age: 's',
  to_timestamp: 's',
  to_char: 's',
  to_date: 's',
  to_number: 's',
  make_timestamptz: 's',
  concat: 's',
  concat_ws: 's',
  format: 's',
  array_to_string: 's',
  jsonb_build_object: 's',
  json_build_object: 's',
  jsonb_build_array: 's',
  json_build_array: 's',
  to_jsonb: 's',
  to_json: 's',
  pg_current_xact_id: 's',
  txid_current: 's',
  current_user: 's',
  session_user: 's',
  current_database: 's',
  current_schema: 's',

  // immutable
  lower: 'i',
  upper: 'i',
  btrim: 'i',
  ltrim: 'i',
  rtrim: 'i',
  replace: 'i',
  substring: 'i',
  substr: 'i',
  left: 'i',
  right: 'i',
  md5: 'i',
  make_interval: 'i',
  make_date: 'i',
  make_timestamp: 'i',
  array_fill: 'i',
  string_to_array: 'i',
  encode: 'i',
  decode: 'i',
  int4: 'i',
  int8: 'i',
  text: 'i',
  uuid_nil: 'i', // uuid-ossp
  abs: 'i',
  round: 'i',
  floor: 'i',
  ceil: 'i',
};

/**
 * Calls that are casts: no pg_proc row has the name, and PostgreSQL reads `inet(x)` as `x::inet`,
 * as volatile as the type's input function (pg_type.typinput).
 */
export const FUNCTION_STYLE_CASTS: Readonly<Record<string, Volatility>> = {
  inet: 'i',
};

/** The volatility of a built-in function or function-style cast; undefined for a name not in the tables. */
export function builtinVolatility(name: string): Volatility | undefined {
  return Object.hasOwn(BUILTIN_FUNCTIONS, name) ? BUILTIN_FUNCTIONS[name] : Object.hasOwn(FUNCTION_STYLE_CASTS, name) ? FUNCTION_STYLE_CASTS[name] : undefined;
}
