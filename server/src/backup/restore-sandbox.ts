/**
 * `tidemark restore`: puts a sandbox back as a backup left it. The backup is loaded into a new
 * folder first and opened, so a damaged file changes nothing; then, holding the sandbox's lock, the
 * current folder is moved aside (kept, and named in the answer) and the restored one takes its
 * place. A server is restored with pg_restore, which the backup step already printed: Tidemark
 * does not overwrite a server's database itself.
 */
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { findEnvironment, RunnerInputError, type Project } from '../database/environments';
import { History } from '../database/history';
import { PgliteAdapter, withSandboxLock } from '../database/pglite-adapter';
import { startPgliteEngine } from '../database/pglite-engine';
import { fileStamp } from './backup';

export interface RestoreReport {
  environment: string;
  /** Where the data the restore replaced was moved; absent when the sandbox did not exist. */
  replacedKeptAt?: string;
  /** Migrations the restored history holds as applied. */
  applied: number;
  summary: string;
}

export async function restoreSandbox(project: Project, environment: string | undefined, backupFile: string): Promise<RestoreReport> {
  const env = findEnvironment(project, environment);
  const file = resolve(project.root, backupFile);
  if (env.sandboxPath === undefined) {
    throw new RunnerInputError(
      `${env.name} is a server: restore its backup with the pg_restore command printed when it was taken (tidemark history --env ${env.name} lists the backups)`,
    );
  }
  if (!existsSync(file)) throw new RunnerInputError(`no backup at ${backupFile}`);
  const path = env.sandboxPath;
  const stamp = fileStamp(new Date());
  const staging = `${path}.restoring-${stamp}`;
  let applied: number;
  try {
    applied = await loadInto(staging, file, env.historySchema);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new RunnerInputError(`${backupFile} is not a sandbox backup Tidemark can load (${(error as Error).message}); ${env.name} was not changed`);
  }
  const kept = `${path}.before-restore-${stamp}`;
  const replaced = await withSandboxLock(path, env.lockWaitTimeoutMs, async () => {
    const existed = existsSync(path);
    if (existed) renameSync(path, kept);
    renameSync(staging, path);
    return existed;
  });
  const shown = (p: string) => relative(project.root, p) || p;
  return {
    environment: env.name,
    replacedKeptAt: replaced ? kept : undefined,
    applied,
    summary: `Restored ${env.name} from ${shown(file)}: ${applied} migration${applied === 1 ? '' : 's'} applied there.${replaced ? ` The data it replaced is kept in ${shown(kept)}; delete it when you no longer need it.` : ''}`,
  };
}

/** Loads the tarball into a new data folder and reads its history, proving it opens. */
async function loadInto(dataDir: string, file: string, historySchema: string): Promise<number> {
  const pglite = await startPgliteEngine(dataDir, { loadDataDir: new Blob([readFileSync(file)]) });
  const db = new PgliteAdapter(pglite, () => undefined);
  try {
    const history = new History(db, historySchema);
    return (await history.exists()) ? (await history.rows()).filter((r) => r.state === 'applied').length : 0;
  } finally {
    await db.close();
  }
}
