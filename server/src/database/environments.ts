/**
 * Environments: what tidemark.json declares (or the embedded `sandbox` when it declares none),
 * resolved into connection settings with `${env:VAR}` substituted, and every problem reported
 * with the field and its line in the config file.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { findNodeAtLocation } from 'jsonc-parser';
import { configTree, DEFAULT_ENVIRONMENT, durationMs, loadConfig, type EnvironmentConfig, type LoadedConfig } from '../migrations/config';
import type { LayoutId } from '../migrations/types';
import type { EnvironmentInfo } from '../protocol';
import { SourceFile } from '../sql/source';
import { sandboxSetup, type EmbeddedSetup } from './embedded-setup';
import { presetOf } from './presets';

export const SANDBOX = DEFAULT_ENVIRONMENT;
export const DEFAULT_HISTORY_SCHEMA = 'tidemark';
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_LOCK_WAIT_MS = 30_000;

/** A problem the user fixes in their config or command line: one clear line, exit code 2. */
export class RunnerInputError extends Error {}

export interface PostgresTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  /** Only when it came from `${env:VAR}` in the URL; otherwise PGPASSWORD/.pgpass/the caller. */
  password?: string;
  ssl?: boolean | { rejectUnauthorized: boolean };
}

export interface Environment {
  name: string;
  info: EnvironmentInfo;
  postgres?: PostgresTarget;
  /** Why this environment cannot be opened (e.g. an unset ${env:VAR}); reported when it is used. */
  unusable?: string;
  /** PGlite data folder, for the sandbox kind. */
  sandboxPath?: string;
  /** Schemas the project's platform owns (the preset's: Supabase's auth, storage...): not the user's objects. */
  platformSchemas?: readonly string[];
  /** For the sandbox kind: what it is opened with (its migrations' extensions, the project's preset). */
  sandboxSetup?: () => EmbeddedSetup;
  historySchema: string;
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  connectTimeoutMs: number;
  lockWaitTimeoutMs: number;
  /** Back up before apply or rollback changes this environment (`backup` in tidemark.json). */
  backup?: BackupSettings;
}

export interface BackupSettings {
  /** The pg_dump to run: an absolute path, or a name looked up on PATH. */
  command: string;
  /** Absolute folder the backups are written to. */
  dir: string;
  /** How long pg_dump may run in all (`backup.timeout`, default 10 min). */
  timeoutMs: number;
  /** How long pg_dump waits for each table lock (the environment's lockTimeout, default 30 s). */
  lockWaitMs: number;
}

const DEFAULT_BACKUP_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_BACKUP_LOCK_WAIT_MS = 30_000;

export interface Project {
  root: string;
  configPath?: string;
  migrationsDir: string;
  /** The layout tidemark.json sets; detected from the folder otherwise. */
  layout?: LayoutId;
  verifyAfterApply: boolean;
  environments: Environment[];
}

/** Reads tidemark.json (if any) under `root` and resolves its environments. Throws RunnerInputError. */
export function loadProject(root: string, configPath?: string, env: NodeJS.ProcessEnv = process.env): Project {
  const loaded = loadConfig(resolve(root), configPath);
  if (loaded.problems.length) {
    const p = loaded.problems[0];
    const where = loaded.path ? `${displayPath(loaded.path)}:${lineOf(loaded.path, p.start)}` : 'tidemark.json';
    const more = loaded.problems.length > 1 ? ` (and ${loaded.problems.length - 1} more problem${loaded.problems.length > 2 ? 's' : ''})` : '';
    throw new RunnerInputError(`invalid config ${where}: ${p.field ? `${p.field}: ` : ''}${p.message}${more}`);
  }
  return resolveProject(loaded, env);
}

export function resolveProject(loaded: LoadedConfig, env: NodeJS.ProcessEnv = process.env): Project {
  const { config } = loaded;
  const lockWaitTimeoutMs = durationMs(config.lockWaitTimeout) ?? DEFAULT_LOCK_WAIT_MS;
  const declared = Object.entries(config.environments ?? {});
  const environments: Environment[] = [];
  const fieldWhere = (field: (string | number)[]) => (loaded.path ? `${displayPath(loaded.path)}:${fieldLine(loaded.path, field)}` : 'tidemark.json');
  const preset = presetOf(loaded.root, config.preset);
  const setup = () => sandboxSetup(loaded, (message) => new RunnerInputError(`invalid config: ${message}`));
  if (declared.length === 0) {
    environments.push(sandboxEnvironment(SANDBOX, join(loaded.root, '.tidemark', 'sandbox'), config.historySchema, lockWaitTimeoutMs, {}, loaded.root, setup));
  }
  for (const [name, ec] of declared) {
    const schema = ec.historySchema ?? config.historySchema;
    if (ec.sandbox) {
      const path = ec.path ? resolve(loaded.root, ec.path) : join(loaded.root, '.tidemark', name === SANDBOX ? 'sandbox' : `sandbox-${name}`);
      environments.push(sandboxEnvironment(name, path, schema, lockWaitTimeoutMs, ec, loaded.root, setup));
      continue;
    }
    let target: PostgresTarget | undefined;
    let unusable: string | undefined;
    try {
      target = postgresTarget(name, ec, env, fieldWhere);
    } catch (error) {
      // Only this environment is unusable; the others (and lint) keep working.
      if (!(error instanceof RunnerInputError)) throw error;
      unusable = error.message;
    }
    environments.push({
      name,
      info: {
        name,
        kind: 'postgres',
        target: target ? describeTarget(target) : scrubUrl(ec.url ?? ec.host ?? '?'),
        protected: ec.protected ?? false,
        after: ec.after,
        ...(ec.approvers ? { approvers: ec.approvers } : {}),
      },
      postgres: target,
      unusable,
      historySchema: schema ?? DEFAULT_HISTORY_SCHEMA,
      lockTimeoutMs: durationMs(ec.lockTimeout),
      statementTimeoutMs: durationMs(ec.statementTimeout),
      connectTimeoutMs: durationMs(ec.connectTimeout) ?? DEFAULT_CONNECT_TIMEOUT_MS,
      lockWaitTimeoutMs,
      backup: backupSettings(loaded.root, ec.backup, ec.lockTimeout),
    });
  }
  for (const e of environments) {
    if (preset) e.platformSchemas = preset.schemas;
    if (e.info.after !== undefined && !environments.some((o) => o.name === e.info.after)) {
      throw new RunnerInputError(
        `invalid config ${fieldWhere(['environments', e.name, 'after'])}: environments.${e.name}.after names "${e.info.after}", which is not an environment (known: ${environments.map((o) => o.name).join(', ')})`,
      );
    }
  }
  return {
    root: loaded.root,
    configPath: loaded.path,
    migrationsDir: loaded.migrationsDir,
    layout: loaded.config.layout,
    verifyAfterApply: config.verifyAfterApply ?? true,
    environments,
  };
}

function sandboxEnvironment(
  name: string,
  path: string,
  schema: string | undefined,
  lockWaitTimeoutMs: number,
  ec: Partial<EnvironmentConfig>,
  root: string,
  setup: () => EmbeddedSetup,
): Environment {
  return {
    name,
    info: { name, kind: 'pglite', target: `PGlite ${path}`, protected: ec.protected ?? false, after: ec.after, ...(ec.approvers ? { approvers: ec.approvers } : {}) },
    sandboxPath: path,
    sandboxSetup: setup,
    historySchema: schema ?? DEFAULT_HISTORY_SCHEMA,
    lockTimeoutMs: durationMs(ec.lockTimeout),
    statementTimeoutMs: durationMs(ec.statementTimeout),
    connectTimeoutMs: durationMs(ec.connectTimeout) ?? DEFAULT_CONNECT_TIMEOUT_MS,
    lockWaitTimeoutMs,
    backup: backupSettings(root, ec.backup, ec.lockTimeout),
  };
}

function backupSettings(root: string, backup: EnvironmentConfig['backup'], lockTimeout: EnvironmentConfig['lockTimeout']): BackupSettings | undefined {
  if (!backup) return undefined;
  const { command = 'pg_dump', dir = join('.tidemark', 'backups'), timeout } = backup === true ? {} : backup;
  // A bare name is looked up on PATH, as a shell would; anything with a slash is a path.
  const resolvedCommand = /[\\/]/.test(command) ? resolve(root, command) : command;
  return {
    command: resolvedCommand,
    dir: resolve(root, dir),
    timeoutMs: durationMs(timeout) ?? DEFAULT_BACKUP_TIMEOUT_MS,
    lockWaitMs: durationMs(lockTimeout) || DEFAULT_BACKUP_LOCK_WAIT_MS,
  };
}

/** Finds an environment by name, or fails naming the known ones. */
export function findEnvironment(project: Project, name: string | undefined): Environment {
  if (name === undefined) {
    if (project.environments.length === 1) return project.environments[0];
    throw new RunnerInputError(`several environments are configured; choose one with --env (known: ${project.environments.map((e) => e.name).join(', ')})`);
  }
  const found = project.environments.find((e) => e.name === name);
  if (!found) throw new RunnerInputError(`unknown environment "${name}" (known: ${project.environments.map((e) => e.name).join(', ')})`);
  return found;
}

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

function substitute(value: string, env: NodeJS.ProcessEnv, where: string, field: string): string {
  return value.replace(ENV_REF, (_, variable: string) => {
    const v = env[variable];
    if (v === undefined || v === '') throw new RunnerInputError(`${where}: ${field} uses \${env:${variable}}, but the environment variable ${variable} is not set`);
    return v;
  });
}

function postgresTarget(name: string, ec: EnvironmentConfig, env: NodeJS.ProcessEnv, fieldWhere: (f: (string | number)[]) => string): PostgresTarget {
  const sub = (field: keyof EnvironmentConfig, v: string) => substitute(v, env, fieldWhere(['environments', name, field]), `environments.${name}.${field}`);
  let host = ec.host !== undefined ? sub('host', ec.host) : undefined;
  let port = ec.port;
  let database = ec.database !== undefined ? sub('database', ec.database) : undefined;
  let user = ec.user !== undefined ? sub('user', ec.user) : undefined;
  let password: string | undefined;
  let ssl: PostgresTarget['ssl'] = sslOption(ec.ssl);
  if (ec.url !== undefined) {
    const raw = sub('url', ec.url);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new RunnerInputError(
        `${fieldWhere(['environments', name, 'url'])}: environments.${name}.url is not a valid URL: "${scrubUrl(raw)}" (expected postgres://user@host:port/database)`,
      );
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new RunnerInputError(`${fieldWhere(['environments', name, 'url'])}: environments.${name}.url must start with postgres:// or postgresql://, not "${url.protocol}//"`);
    }
    host ??= decodeURIComponent(url.hostname).replace(/^\[|\]$/g, '') || undefined;
    if (port === undefined && url.port) port = Number(url.port);
    database ??= decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined;
    user ??= decodeURIComponent(url.username) || undefined;
    password = url.password ? decodeURIComponent(url.password) : undefined;
    const sslmode = url.searchParams.get('sslmode');
    if (ec.ssl === undefined && sslmode) ssl = sslOption(sslmode as EnvironmentConfig['ssl']);
  }
  return {
    host: host ?? env.PGHOST ?? 'localhost',
    port: port ?? (env.PGPORT ? Number(env.PGPORT) : 5432),
    database: database ?? env.PGDATABASE ?? user ?? env.PGUSER ?? 'postgres',
    user: user ?? env.PGUSER ?? 'postgres',
    password,
    ssl,
  };
}

function sslOption(ssl: EnvironmentConfig['ssl'] | string | undefined): PostgresTarget['ssl'] {
  if (ssl === true || ssl === 'verify-full' || ssl === 'verify-ca') return { rejectUnauthorized: true };
  if (ssl === 'require' || ssl === 'no-verify') return { rejectUnauthorized: false };
  return undefined;
}

export function describeTarget(t: PostgresTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.user}@${host}:${t.port}/${t.database}`;
}

/** Removes the password from a postgres:// URL inside any text. */
export function scrubUrl(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi, '$1:***@');
}

/** Removes every known secret and URL password from a message before anyone sees it. */
export function scrubSecrets(text: string, secrets: Array<string | undefined>): string {
  let out = scrubUrl(text);
  for (const s of secrets) if (s && s.length >= 1) out = out.split(s).join('***');
  return out;
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function lineOf(path: string, offset: number): number {
  try {
    return new SourceFile(path, readFileSync(path, 'utf8')).positionAt(offset).line + 1;
  } catch {
    return 1;
  }
}

function fieldLine(path: string, field: (string | number)[]): number {
  try {
    const text = readFileSync(path, 'utf8');
    const tree = configTree(text);
    const node = tree && findNodeAtLocation(tree, field);
    return new SourceFile(path, text).positionAt(node?.offset ?? 0).line + 1;
  } catch {
    return 1;
  }
}
