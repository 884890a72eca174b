/**
 * tidemark.json: read, validated with zod, and every problem reported with the field it is about
 * and its position in the file, so the editor can underline it and the CLI can print one clear line.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { lenientDiskReader } from './text-file';
import { findMigrationsFolder } from './layouts';
import { LAYOUT_IDS } from './types';

export const CONFIG_FILE_NAME = 'tidemark.json';

export const SeveritySetting = z.enum(['off', 'error', 'warning', 'info', 'hint']);
export type SeveritySetting = z.infer<typeof SeveritySetting>;

const Duration = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+\s*(ms|s|min)?$/, 'expected a duration such as "5s", "500ms" or 5000')])
  .describe('Milliseconds, or a string with a unit: "500ms", "5s", "2min".');

/** A soak time: "48h", "7d", "30min", "2w"; false for none. */
export const SOAK_DURATION = /^(\d+)\s*(s|min|h|d|w)$/;
const SoakDuration = z.union([z.literal(false), z.string().regex(SOAK_DURATION, 'expected a soak time such as "48h", "7d" or "30min", or false')]);

const ENV_REF = /\$\{env:[A-Za-z_][A-Za-z0-9_]*\}/;

export const EnvironmentConfig = z
  .strictObject({
    url: z
      .string()
      .refine((url) => !/^[a-z]+:\/\/[^/@:]+:([^@/]+)@/i.test(url) || ENV_REF.test(url.split('@')[0]), {
        message: "the URL holds a password: passwords never live in tidemark.json; use ${env:VAR}, PGPASSWORD/.pgpass or the editor's secret storage",
      })
      .optional()
      .describe('postgres:// connection URL; ${env:VAR} is replaced by the environment variable.'),
    host: z.string().optional(),
    port: z.number().int().min(1).max(65535).optional(),
    database: z.string().optional(),
    user: z.string().optional(),
    ssl: z.union([z.boolean(), z.enum(['require', 'prefer', 'disable', 'no-verify'])]).optional(),
    sandbox: z.boolean().optional().describe('An embedded PGlite database instead of a server.'),
    path: z.string().optional().describe('For sandbox environments: where PGlite keeps its files.'),
    protected: z.boolean().optional().describe('Require typing the environment name before changing it.'),
    after: z.string().optional().describe('Only apply versions already applied (and verified) in this environment.'),
    approvers: z
      .array(z.string().min(1))
      .optional()
      .describe('Who may approve migrations for this environment: apply refuses a migration until one of them has approved it here (`tidemark approve`). Empty list: anyone.'),
    lockTimeout: Duration.optional(),
    statementTimeout: Duration.optional(),
    historySchema: z
      .string()
      .regex(/^[a-z_][a-z0-9_$]*$/i, 'expected a plain SQL identifier')
      .optional(),
    connectTimeout: Duration.optional(),
    backup: z
      .union([
        z.boolean(),
        z.strictObject({
          command: z.string().min(1).optional().describe('The pg_dump to run (a path, relative to tidemark.json, or a name on PATH); default pg_dump.'),
          dir: z.string().min(1).optional().describe('Folder for the backups, relative to tidemark.json; default .tidemark/backups.'),
          timeout: Duration.optional().describe(
            'How long pg_dump may run before the backup, and the apply or rollback it guards, stops; default 10min. pg_dump also waits at most lockTimeout (default 30s) for each table lock.',
          ),
        }),
      ])
      .optional()
      .describe('Back the database up before apply or rollback changes it: pg_dump -Fc for a server, a copy of the data directory for a sandbox. true for the defaults.'),
  })
  .describe('One database Tidemark can apply migrations to.');
export type EnvironmentConfig = z.infer<typeof EnvironmentConfig>;

export const TidemarkConfig = z
  .strictObject({
    $schema: z.string().optional(),
    migrationsDir: z.string().optional().describe('Folder of migration files, relative to tidemark.json.'),
    layout: z.enum(LAYOUT_IDS).optional().describe('The migration tool whose layout the folder is read as (docs/layouts.md); detected from marker files and content when not set.'),
    historySchema: z
      .string()
      .regex(/^[a-z_][a-z0-9_$]*$/i, 'expected a plain SQL identifier')
      .optional(),
    preset: z
      .enum(['supabase'])
      .optional()
      .describe(
        'The platform the migrations are written for: its roles, schemas and extension stubs are created in the sandbox and the shadow database before the first migration. A project with supabase/config.toml gets "supabase" without saying so.',
      ),
    verifyAfterApply: z.boolean().optional(),
    lockWaitTimeout: Duration.optional().describe('How long apply waits for another runner to finish.'),
    environments: z.record(z.string().regex(/^[\w.-]+$/, 'environment names use letters, digits, ".", "_" and "-"'), EnvironmentConfig).optional(),
    lint: z
      .strictObject({
        rules: z.record(z.string(), SeveritySetting).optional().describe('Severity per rule id, or "off".'),
        idempotency: z
          .enum(['auto', 'require', 'off'])
          .optional()
          .describe(
            'Where DDL must survive running twice: "auto" (default) where a statement can run twice (a resumed no-transaction migration, a repeatable one); "require" everywhere, for teams that re-run files by hand; "off" nowhere.',
          ),
        rollbacks: z
          .enum(['auto', 'require', 'off'])
          .optional()
          .describe('Where a migration needs a complete rollback: "auto" (default) where the layout has down migrations by design; "require" everywhere; "off" nowhere.'),
      })
      .optional(),
    expandContract: z
      .strictObject({
        soak: z
          .strictObject({
            backfill: SoakDuration.describe('How long the expand phase must have been applied in an environment before its backfill may be (default "48h"; sandboxes never wait).'),
            contract: SoakDuration.describe('How long the backfill must have been applied before the contract, in environments that are not protected (default "48h").'),
            contractProtected: SoakDuration.describe('The same in protected environments (default "7d").'),
          })
          .partial()
          .optional(),
        batchSize: z.number().int().min(1).optional().describe('Rows per batch (and per COMMIT) of the generated backfill (default 1000).'),
        lockTimeout: z
          .string()
          .regex(/^\d+\s*(ms|s|min)$/, 'expected a duration such as "5s"')
          .optional()
          .describe('The lock_timeout each generated phase sets (default "5s").'),
      })
      .optional()
      .describe('`tidemark new --expand-contract`: the soak times it writes as -- tidemark:soak directives, the batch size and lock timeout.'),
    check: z
      .strictObject({
        roles: z.array(z.string().min(1)).optional().describe('Roles the replay check creates in its shadow database before the migrations run (those GRANTs and policies name).'),
        setup: z.string().optional().describe('SQL file, relative to tidemark.json, the replay check runs in its shadow database first: seed rows, objects the platform provides.'),
        stubs: z
          .record(z.string().regex(/^[a-z_][a-z0-9_$-]*$/i, 'expected an extension name'), z.string().min(1))
          .optional()
          .describe(
            "Extensions the shadow database (PGlite) lacks, each with an SQL file (relative to tidemark.json) declaring the functions and types the migrations use: CREATE EXTENSION of that name then runs the file, as the extension's install script.",
          ),
        timeout: Duration.optional().describe('How long the replay of one migration may run before it is stopped and reported as replay-timeout; default 10s.'),
      })
      .optional()
      .describe('The replay check (`tidemark check`): each migration proved on a throwaway shadow database.'),
  })
  .superRefine((config, ctx) => {
    for (const problem of afterChainProblems(config.environments ?? {}))
      ctx.addIssue({ code: 'custom', path: ['environments', problem.environment, 'after'], message: problem.message });
  });
export type TidemarkConfig = z.infer<typeof TidemarkConfig>;

/**
 * `after` must name another environment, and following `after` from any environment must end: a
 * self-reference or a cycle (a → b → a) would make every apply wait for itself.
 */
function afterChainProblems(environments: Record<string, { after?: string }>): Array<{ environment: string; message: string }> {
  const problems: Array<{ environment: string; message: string }> = [];
  const reported = new Set<string>();
  for (const [name, env] of Object.entries(environments)) {
    if (env.after === undefined) continue;
    if (env.after === name) {
      problems.push({ environment: name, message: `environment "${name}" is "after" itself: name the environment it must follow` });
      continue;
    }
    if (!Object.hasOwn(environments, env.after)) {
      problems.push({ environment: name, message: `"after": no environment named "${env.after}" (environments: ${Object.keys(environments).join(', ')})` });
      continue;
    }
    const chain = [name];
    for (let next: string | undefined = env.after; next !== undefined; next = environments[next]?.after) {
      if (next === name) {
        const cycle = [...chain, name];
        const key = [...chain].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          problems.push({ environment: name, message: `"after" forms a cycle: ${cycle.join(' → ')}; each environment must follow one that does not wait for it` });
        }
        break;
      }
      if (chain.includes(next)) break; // a cycle further on, reported from its own members
      chain.push(next);
    }
  }
  return problems;
}

/** The environment a project gets when tidemark.json declares none: an embedded PGlite sandbox. */
export const DEFAULT_ENVIRONMENT = 'sandbox';

/** The names of a project's environments, as the runner resolves them. */
export function environmentNames(config: TidemarkConfig): string[] {
  const declared = Object.keys(config.environments ?? {});
  return declared.length ? declared : [DEFAULT_ENVIRONMENT];
}

export interface ConfigProblem {
  /** Dotted path of the field, e.g. `environments.staging.port`; empty for the whole file. */
  field: string;
  message: string;
  /** Offset range in the config file. */
  start: number;
  end: number;
}

export interface LoadedConfig {
  /** Absent when there is no tidemark.json. */
  path?: string;
  /** The folder the project lives in: where tidemark.json is, or the workspace folder. */
  root: string;
  config: TidemarkConfig;
  migrationsDir: string;
  problems: ConfigProblem[];
}

/** Parses and validates config text. Problems never throw: the result holds what was valid. */
export function parseConfig(text: string): { config: TidemarkConfig; problems: ConfigProblem[] } {
  const tooDeep = tooDeeplyNested(text);
  if (tooDeep) return { config: {}, problems: [tooDeep] };
  const errors: ParseError[] = [];
  const tree = configTree(text, errors);
  const problems: ConfigProblem[] = errors.map((e) => ({
    field: '',
    message: `invalid JSON: ${printParseErrorCode(e.error)}`,
    start: e.offset,
    end: e.offset + Math.max(1, e.length),
  }));
  if (!tree || problems.length) {
    if (!tree && !problems.length) problems.push({ field: '', message: 'the file is empty', start: 0, end: 0 });
    return { config: {}, problems };
  }
  // Re-read the value from the tree so comments (allowed, as in VS Code's settings) do not matter.
  const value = nodeValue(tree);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const found = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return {
      config: {},
      problems: [{ field: '', message: `tidemark.json must hold a JSON object ({ ... }); it holds ${found}`, start: tree.offset, end: tree.offset + tree.length }],
    };
  }
  const result = TidemarkConfig.safeParse(value);
  if (result.success) return { config: result.data, problems };
  for (const issue of result.error.issues) {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    let node = findNodeAtLocation(tree, path as (string | number)[]);
    // For unknown keys zod points at the parent; underline the key itself.
    const keys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : [];
    if (keys.length && node?.type === 'object') {
      const prop = node.children?.find((c) => c.children?.[0]?.value === keys[0]);
      if (prop?.children?.[0]) node = prop.children[0];
    }
    let trimmedPath = path.slice();
    while (!node && trimmedPath.length) {
      trimmedPath = trimmedPath.slice(0, -1);
      node = findNodeAtLocation(tree, trimmedPath as (string | number)[]);
    }
    const field = [...path, ...keys.slice(0, 1)].join('.');
    const message = keys.length ? `unknown field "${keys.join('", "')}"` : issue.message;
    problems.push({ field, message, start: node?.offset ?? 0, end: (node?.offset ?? 0) + (node?.length ?? 0) });
  }
  // Keep the valid parts: drop only top-level sections that failed.
  const failedTop = new Set(result.error.issues.map((i) => String(i.path[0] ?? '')));
  const partial: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (!failedTop.has(k)) partial[k] = v;
  const fallback = TidemarkConfig.safeParse(partial);
  return { config: fallback.success ? fallback.data : {}, problems };
}

/**
 * The JSON tree of tidemark.json text (comments and trailing commas allowed), or undefined when it
 * is empty or nested too deeply to parse (the parser recurses once per level).
 */
export function configTree(text: string, errors: ParseError[] = []): JsonNode | undefined {
  if (tooDeeplyNested(text)) return undefined;
  return parseTree(text, errors, { allowTrailingComma: true });
}

/** Deeper than any tidemark.json needs (it is four levels deep); the JSON parser recurses per level. */
const MAX_CONFIG_DEPTH = 64;

/** A problem when brackets nest deeper than MAX_CONFIG_DEPTH (found by one pass, before parsing). */
function tooDeeplyNested(text: string): ConfigProblem | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_CONFIG_DEPTH) return { field: '', message: `invalid JSON: nested more than ${MAX_CONFIG_DEPTH} levels deep`, start: i, end: i + 1 };
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return undefined;
}

function nodeValue(node: JsonNode): unknown {
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const prop of node.children ?? []) {
        const [key, val] = prop.children ?? [];
        if (key && val) out[String(key.value)] = nodeValue(val);
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

/** Looks for tidemark.json in `root` (or uses `configPath`), and resolves the migrations folder. */
export function loadConfig(root: string, configPath?: string, readText: (p: string) => string | undefined = (p) => lenientDiskReader.read(p)): LoadedConfig {
  const path = configPath ? resolve(root, configPath) : join(root, CONFIG_FILE_NAME);
  const text = readText(path);
  if (text === undefined) {
    if (configPath) {
      return {
        root,
        config: {},
        migrationsDir: defaultMigrationsDir(root),
        problems: [{ field: '', message: `config file not found: ${path}`, start: 0, end: 0 }],
      };
    }
    return { root, config: {}, migrationsDir: defaultMigrationsDir(root), problems: [] };
  }
  const { config, problems } = parseConfig(text);
  const configRoot = dirname(path);
  const migrationsDir = config.migrationsDir ? resolve(configRoot, config.migrationsDir) : defaultMigrationsDir(configRoot);
  return { path, root: configRoot, config, migrationsDir, problems };
}

/**
 * The default place of the tool the repository uses (prisma/migrations, supabase/migrations,
 * drizzle/, db/migrations, migrations/...: layouts/index.ts), else `migrations/` when it exists,
 * else the folder itself (docs/architecture.md "Migration files and layouts").
 */
function defaultMigrationsDir(root: string): string {
  const found = findMigrationsFolder(root);
  if (found) return found;
  const candidate = join(root, 'migrations');
  return existsSync(candidate) ? candidate : root;
}

/** Milliseconds from a config duration. */
export function durationMs(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  const m = /^(\d+)\s*(ms|s|min)?$/.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === 's' ? n * 1000 : m[2] === 'min' ? n * 60000 : n;
}

/** A duration as tidemark.json would write it: "10min", "2s", "500ms". */
export function formatDuration(ms: number): string {
  return ms > 0 && ms % 60_000 === 0 ? `${ms / 60_000}min` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** The JSON Schema contributed for tidemark.json, generated from the zod schema. */
export function configJsonSchema(): object {
  return z.toJSONSchema(TidemarkConfig, { io: 'input' });
}

/**
 * The tidemark.json governing files in `dir`: the nearest one in `dir` or a folder above it, so
 * the editor and `tidemark lint some/path` apply the same project settings.
 */
export function findConfigFile(dir: string, exists: (path: string) => boolean = existsSync): string | undefined {
  return configFileCandidates(dir).find(exists);
}

/** Where findConfigFile looks from `dir`, nearest first: a tidemark.json in it and in every folder above. */
export function configFileCandidates(dir: string): string[] {
  const candidates: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    candidates.push(join(current, CONFIG_FILE_NAME));
    if (dirname(current) === current) return candidates;
  }
}

/**
 * The project a file belongs to — the one rule the CLI (`tidemark lint PATH`) and the editor both
 * follow, so they never apply different settings to the same file. `roots` are where the user
 * opened the project: the editor's workspace folders, the CLI's working folder.
 *
 * 1. A root's tidemark.json whose migrationsDir holds the file (its migrations may live in a
 *    folder that has a tidemark.json of its own, or outside the root).
 * 2. Else the nearest tidemark.json in the file's folder or above it.
 * 3. Else no config: the project is the root holding the file, or the file's own folder.
 */
export function projectOfFile(
  path: string,
  roots: readonly string[],
  read: { exists: (configPath: string) => boolean; migrationsDirOf: (configPath: string) => string },
): { configPath?: string; root: string } {
  for (const root of roots) {
    const configPath = join(root, CONFIG_FILE_NAME);
    if (read.exists(configPath) && isInside(read.migrationsDirOf(configPath), path)) return { configPath, root };
  }
  const nearest = findConfigFile(dirname(path), read.exists);
  if (nearest) return { configPath: nearest, root: dirname(nearest) };
  return { root: roots.find((root) => isInside(root, path)) ?? dirname(path) };
}

/** `path` is `folder` or inside it. */
export function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
