/**
 * The runner's custom requests (protocol.ts: status, apply, verify, rollback, plan, history,
 * diff, new migration, environments, adopt, mark), registered on the language server's connection. Long runs
 * report LSP work-done progress and stop between statements and migrations when the client
 * cancels; a password the config and environment do not provide is asked of the client.
 */
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LSPErrorCodes, ResponseError, type CancellationToken, type Connection, type WorkDoneProgressReporter } from 'vscode-languageserver';
import {
  AdoptRequest,
  ApplyRequest,
  DiffRequest,
  HistoryRequest,
  ListEnvironmentsRequest,
  MarkRequest,
  ApproveRequest,
  NewMigrationRequest,
  PasswordChangedNotification,
  PasswordRejectedNotification,
  PasswordRequest,
  PlanRequest,
  RollbackRequest,
  StatusChangedNotification,
  StatusRequest,
  VerifyRequest,
  type RunParams,
  type RunReport,
} from '../protocol';
import { adoptEnvironment } from '../adopt/adopt';
import { markMigrations } from '../adopt/mark';
import { approveMigration } from '../runner/approve';
import { ServerError } from '../database/adapter';
import { applyMigrations } from '../runner/apply';
import { loadProject, RunnerInputError, type Project } from '../database/environments';
import { planMigrations } from '../runner/plan';
import { PasswordRejectedError, type PasswordSource } from '../database/postgres-adapter';
import { rollbackMigrations } from '../runner/rollback';
import { scaffoldMigration } from '../runner/scaffold';
import type { RunOptions } from '../runner/session';
import { prepareBackup } from '../backup/backup';
import { appliedAndCurrent, getStatus, recentEvents } from '../runner/status';
import { verifyMigrations } from '../runner/verify';

/** A workspace folder given as a path or a file:// URI. */
function rootPath(root: string): string {
  if (typeof root !== 'string' || root === '') throw new RunnerInputError('the request needs "root": the workspace folder');
  const path = root.startsWith('file:') ? fileURLToPath(root) : root;
  if (!isAbsolute(path)) throw new RunnerInputError(`"root" must be an absolute path or file URI, not "${root}"`);
  return path;
}

export function registerRunnerHandlers(connection: Connection): void {
  // Passwords the user typed, by environment and then project root, for this server process only:
  // never written anywhere. By environment first because the client keeps them by environment.
  const passwords = new Map<string, Map<string, string>>();
  const asked = new Set<string>();
  const askedKey = (root: string, environment: string) => `${root}\0${environment}`;

  connection.onNotification(PasswordChangedNotification.type, ({ environment }) => {
    passwords.delete(environment);
  });

  const askPassword =
    (root: string): PasswordSource =>
    async ({ environment, target }) => {
      const known = passwords.get(environment)?.get(root);
      if (known) return known;
      const answer = await connection.sendRequest(PasswordRequest.type, { environment, target });
      asked.add(askedKey(root, environment));
      if (answer?.password) {
        if (!passwords.has(environment)) passwords.set(environment, new Map());
        passwords.get(environment)!.set(root, answer.password);
      }
      return answer?.password;
    };

  /** Runs an engine call, turning the user's problems into request errors with one clear message. */
  async function guarded<T>(root: string, environment: string | undefined, work: (project: Project, options: RunOptions) => Promise<T>, extra: RunOptions = {}): Promise<T> {
    let path: string | undefined;
    try {
      path = rootPath(root);
      return await work(loadProject(path), { askPassword: askPassword(path), prepareBackup, ...extra });
    } catch (error) {
      if (error instanceof PasswordRejectedError && path && environment) {
        passwords.get(environment)?.delete(path);
        if (asked.has(askedKey(path, environment))) connection.sendNotification(PasswordRejectedNotification.type, { environment });
      }
      if (error instanceof RunnerInputError || error instanceof ServerError) throw new ResponseError(LSPErrorCodes.RequestFailed, error.message);
      throw error;
    }
  }

  /** Progress and cancellation for a run: the client's token if it sent one, else one the server creates. */
  async function progressFor(params: RunParams, title: string, token: CancellationToken) {
    const reporter: WorkDoneProgressReporter =
      params.workDoneToken !== undefined ? connection.window.attachWorkDoneProgress(params.workDoneToken) : await connection.window.createWorkDoneProgress();
    reporter.begin(title, 0, undefined, true);
    const progressToken = (reporter as { token?: CancellationToken }).token;
    return {
      reporter,
      options: {
        isCancelled: () => token.isCancellationRequested || progressToken?.isCancellationRequested === true,
        progress: (message: string, percentage?: number) => reporter.report(percentage ?? 0, message),
      } satisfies RunOptions,
    };
  }

  const run =
    (title: string, engine: (project: Project, env: string, options: RunOptions & { version?: string }) => Promise<RunReport>, changes: boolean) =>
    async (params: RunParams & { version?: string }, token: CancellationToken): Promise<RunReport> => {
      const { reporter, options } = await progressFor(params, `${title} ${params.environment ?? ''}`.trim(), token);
      try {
        return await guarded(params.root, params.environment, (project, base) => engine(project, params.environment, { ...base, version: params.version }), {
          ...options,
          toVersion: params.toVersion,
          confirm: params.confirm,
        });
      } finally {
        reporter.done();
        if (changes) connection.sendNotification(StatusChangedNotification.type, { root: params.root, environment: params.environment });
      }
    };

  connection.onRequest(StatusRequest.type, (params) => guarded(params.root, params.environment, (project, options) => getStatus(project, params.environment, options)));
  connection.onRequest(ApplyRequest.type, run('Applying migrations to', applyMigrations, true));
  connection.onRequest(VerifyRequest.type, run('Verifying', verifyMigrations, true));
  connection.onRequest(RollbackRequest.type, run('Rolling back', rollbackMigrations, true));
  connection.onRequest(PlanRequest.type, run('Planning migrations for', planMigrations, false));
  connection.onRequest(HistoryRequest.type, (params) =>
    guarded(params.root, params.environment, (project, options) => recentEvents(project, params.environment, params.limit ?? 100, options)),
  );
  connection.onRequest(DiffRequest.type, (params) =>
    guarded(params.root, params.environment, (project, options) => appliedAndCurrent(project, params.environment, params.version, options)),
  );
  connection.onRequest(NewMigrationRequest.type, async (params) => {
    const result = await guarded(params.root, undefined, async (project) => scaffoldMigration(project, params.name));
    connection.sendNotification(StatusChangedNotification.type, { root: params.root });
    return { files: result.files };
  });
  connection.onRequest(AdoptRequest.type, async (params) => {
    const { root, environment, from, to, dryRun, skipFailed, confirm } = params;
    const report = await guarded(root, environment, (project, options) => adoptEnvironment(project, environment, { ...options, from, to, dryRun, skipFailed, confirm }));
    if (!dryRun) connection.sendNotification(StatusChangedNotification.type, { root, environment });
    return report;
  });
  connection.onRequest(MarkRequest.type, async (params) => {
    const { root, environment, mark, versions, reason, confirm } = params;
    if (mark !== 'applied' && mark !== 'pending') throw new ResponseError(LSPErrorCodes.RequestFailed, `"mark" must be "applied" or "pending", not "${String(mark)}"`);
    if (!Array.isArray(versions) || !versions.every((v) => typeof v === 'string')) throw new ResponseError(LSPErrorCodes.RequestFailed, '"versions" must be a list of versions');
    const report = await guarded(root, environment, (project, options) => markMigrations(project, environment, mark, versions, { ...options, reason, confirm }));
    connection.sendNotification(StatusChangedNotification.type, { root, environment });
    return report;
  });
  connection.onRequest(ApproveRequest.type, async (params) => {
    const { root, environment, version, by, reason } = params;
    for (const [name, value] of Object.entries({ version, by, reason })) {
      if (typeof value !== 'string' || !value.trim()) throw new ResponseError(LSPErrorCodes.RequestFailed, `"${name}" must be a non-empty string`);
    }
    const report = await guarded(root, environment, (project, options) => approveMigration(project, environment, version, by, reason, options));
    connection.sendNotification(StatusChangedNotification.type, { root, environment });
    return { summary: report.summary, approval: report.approval };
  });
  connection.onRequest(ListEnvironmentsRequest.type, async (params) => {
    try {
      return { environments: loadProject(rootPath(params.root)).environments.map((e) => e.info) };
    } catch (error) {
      if (error instanceof RunnerInputError) return { environments: [], configError: error.message };
      throw error;
    }
  });
}
