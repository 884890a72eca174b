/**
 * Generic options of the parse tree (`DefElem` lists) such as `VACUUM (FULL false)` or
 * `REINDEX (CONCURRENTLY)`: a bare name means on; a value may be a boolean, a word or a number.
 */
import type { AstNode } from './ast';

const OFF_WORDS = /^(false|off|no|0)$/i;

/** True when `name` is listed in `options` and not switched off (`FULL false`, `CONCURRENTLY off`). */
export function optionEnabled(options: unknown, name: string): boolean {
  if (!Array.isArray(options)) return false;
  const option = options.find((o: AstNode) => o?.DefElem?.defname === name)?.DefElem as AstNode | undefined;
  if (!option) return false;
  const arg = option.arg;
  if (!arg) return true;
  if (arg.Boolean) return arg.Boolean.boolval === true;
  if (arg.String) return !OFF_WORDS.test(arg.String.sval ?? '');
  if (arg.Integer) return (arg.Integer.ival ?? 0) !== 0;
  return true;
}
