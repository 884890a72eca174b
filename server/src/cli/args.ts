/**
 * Command-line arguments shared by every `tidemark` command. Unknown flags and missing values
 * are usage errors with one clear line, never ignored.
 */

export class UsageError extends Error {}

export interface CommonOptions {
  cwd: string;
  config?: string;
  env?: string;
  format: 'text' | 'json' | 'sarif' | 'markdown';
}

export interface ParsedArgs {
  command: string | undefined;
  positionals: string[];
  /** Flags after validation; values are strings, booleans for switches. */
  flags: Map<string, string | boolean>;
  common: CommonOptions;
}

/** Flag name → takes a value? Commands declare their own in addition to the common ones. */
export type FlagSpec = Record<string, 'value' | 'switch'>;

export const COMMON_FLAGS: FlagSpec = {
  cwd: 'value',
  config: 'value',
  env: 'value',
  format: 'value',
  help: 'switch',
};

export function parseArgs(argv: string[], commandFlags: (command: string | undefined) => FlagSpec | undefined): ParsedArgs {
  const command = argv[0] && !argv[0].startsWith('-') ? argv[0] : undefined;
  const rest = command ? argv.slice(1) : argv;
  const spec: FlagSpec = { ...COMMON_FLAGS, ...(commandFlags(command) ?? {}) };
  const flags = new Map<string, string | boolean>();
  const positionals: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--') {
      positionals.push(...rest.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg.length > 1) throw new UsageError(`unknown option ${arg}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option --${name}${command ? ` for "tidemark ${command}"` : ''}`);
    if (kind === 'switch') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  const format = (flags.get('format') as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'sarif' && format !== 'markdown') {
    throw new UsageError(`--format must be text, json, sarif or markdown, not "${format}"`);
  }
  return {
    command,
    positionals,
    flags,
    common: {
      cwd: (flags.get('cwd') as string | undefined) ?? process.cwd(),
      config: flags.get('config') as string | undefined,
      env: flags.get('env') as string | undefined,
      format,
    },
  };
}
