/**
 * What main.ts must know about `tidemark lint` before it loads the lint bundle: its flags, where
 * --cache keeps its files, and the run record of an invocation (lint-cache/run-record.ts). A
 * re-run that the record answers prints it and exits without compiling dist/cli-lint.js; so this
 * module imports nothing but the record store and Node's path.
 */
import { join, resolve } from 'node:path';
import { parseArgs, type FlagSpec, type ParsedArgs } from './args';
import { replayRecordedRun, runRecordKey, type RecordedRun, type RunRecordKey } from '../lint-cache/run-record';

export const LINT_FLAGS: FlagSpec = { cache: 'switch', 'cache-location': 'value', replay: 'switch' };

/** Where --cache keeps its files without --cache-location, relative to --cwd. */
export const DEFAULT_CACHE_LOCATION = join('.tidemark', 'cache');

/** The cache folder of a `lint --cache` invocation. */
export function lintCacheDir(args: ParsedArgs): string {
  const location = args.flags.get('cache-location');
  return resolve(args.common.cwd, typeof location === 'string' ? location : DEFAULT_CACHE_LOCATION);
}

/**
 * The run record key of an invocation, or undefined when it is not recorded: without --cache,
 * and with --replay, whose shadow database is not a file the record could watch.
 */
export function lintRunKey(args: ParsedArgs): RunRecordKey | undefined {
  if (!args.flags.get('cache') || args.flags.get('replay')) return undefined;
  // Not localeCompare: its first call loads ICU collation, 6 ms of a 25 ms replayed run.
  const flags = [...args.flags].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return runRecordKey({ command: 'lint', positionals: args.positionals, flags, cwd: resolve(args.common.cwd) });
}

/** The recorded output of `argv` (a `lint` command line) when nothing it read has changed. */
export function recordedLintRun(argv: string[]): RecordedRun | undefined {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv, () => LINT_FLAGS);
  } catch {
    // The lint command reports the usage error.
    return undefined;
  }
  const key = args.command === 'lint' && !args.flags.get('help') ? lintRunKey(args) : undefined;
  return key === undefined ? undefined : replayRecordedRun(lintCacheDir(args), key);
}
