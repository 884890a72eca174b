/** Opens the database of an environment through the adapter that fits it. */
import type { DatabaseAdapter } from './adapter';
import type { Environment } from './environments';
import { openPglite } from './pglite-adapter';
import { connectPostgres, type PasswordSource } from './postgres-adapter';

export function openDatabase(env: Environment, askPassword?: PasswordSource): Promise<DatabaseAdapter> {
  return env.sandboxPath !== undefined ? openPglite(env.sandboxPath, env.lockWaitTimeoutMs) : connectPostgres(env, askPassword);
}
