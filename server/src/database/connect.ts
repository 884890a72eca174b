/** Opens the database of an environment through the adapter that fits it. */
import type { DatabaseAdapter } from './adapter';
import { RunnerInputError, type Environment } from './environments';
import { openPglite } from './pglite-adapter';
import { connectPostgres, type PasswordSource } from './postgres-adapter';

export async function openDatabase(env: Environment, askPassword?: PasswordSource, progress?: (message: string) => void): Promise<DatabaseAdapter> {
  if (env.unusable) throw new RunnerInputError(env.unusable);
  return env.sandboxPath !== undefined ? openPglite(env.sandboxPath, env.lockWaitTimeoutMs, env.sandboxSetup?.(), progress) : connectPostgres(env, askPassword);
}
