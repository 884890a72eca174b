/**
 * The command table (id → handler, as rust-analyzer keeps it) and the one wrapper every command
 * runs through: workspace-trust check, errors turned into a clear notification, logging.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { WorkDoneProgress, type LanguageClient, type ProtocolRequestType } from 'vscode-languageclient/node';
import { toolLabel, versionRange } from '../../server/src/database/foreign-history/description';
import {
  AdoptRequest,
  ApplyRequest,
  ApproveRequest,
  ReplayMigrationRequest,
  HistoryRequest,
  MarkRequest,
  NewMigrationRequest,
  PasswordChangedNotification,
  PlanRequest,
  RollbackRequest,
  VerifyRequest,
  type AdoptParams,
  type EnvironmentStatus,
  type RunParams,
  type RunReport,
} from '../../server/src/protocol';
import { CommandId, trustedOnlyCommands, appliedSqlScheme } from './command-ids';
import type { PasswordStore } from './passwords';
import { renderHistory, renderPlanReport } from './reports';
import type { StatusStore } from './status-store';
import { StatusMatrixPanel } from './status-matrix';
import { pendingCount, summarize } from './tree-model';
import type { TidemarkNode } from './tree-view';

export interface CommandContext {
  client: LanguageClient;
  store: StatusStore;
  passwords: PasswordStore;
  log: vscode.LogOutputChannel;
}

/** What a command acts on: from a tree node, a code lens, or picked when run from the palette. */
export interface CommandScope {
  root: string;
  environment: string;
  version?: string;
}

type Handler = (ctx: CommandContext, ...args: unknown[]) => Promise<unknown>;

// Typed by CommandId: the compiler insists on exactly one handler per id in command-ids.ts.
const table: Record<CommandId, Handler> = {
  [CommandId.applyAll]: async (ctx, arg) => run(ctx, 'apply', await resolveScope(ctx, arg, false)),
  [CommandId.applyTo]: async (ctx, arg) => run(ctx, 'apply', await resolveScope(ctx, arg, true)),
  [CommandId.verify]: async (ctx, arg) => run(ctx, 'verify', await resolveScope(ctx, arg, false)),
  [CommandId.rollbackLast]: async (ctx, arg) => run(ctx, 'rollback', { ...(await resolveScope(ctx, arg, false)), version: undefined }),
  [CommandId.rollbackTo]: async (ctx, arg) => run(ctx, 'rollback', await resolveScope(ctx, arg, true)),
  [CommandId.plan]: async (ctx, arg) => run(ctx, 'plan', await resolveScope(ctx, arg, false)),
  [CommandId.showDiff]: showDiff,
  [CommandId.openUp]: async (ctx, arg) => openSection(ctx, arg, 'up'),
  [CommandId.openDown]: async (ctx, arg) => openSection(ctx, arg, 'down'),
  [CommandId.openVerify]: async (ctx, arg) => openSection(ctx, arg, 'verify'),
  [CommandId.newMigration]: newMigration,
  [CommandId.setPassword]: async (ctx, arg) => {
    const { environment, status } = await resolveEnvironment(ctx, arg);
    const stored = await ctx.passwords.ask(environment, status.environment.target);
    if (stored !== undefined) {
      await ctx.client.sendNotification(PasswordChangedNotification.type, { environment });
      void vscode.window.showInformationMessage(`Tidemark: the password for ${environment} is stored in VS Code's secret storage.`);
      await ctx.store.refresh();
    }
  },
  [CommandId.forgetPassword]: async (ctx, arg) => {
    const { environment } = await resolveEnvironment(ctx, arg);
    const had = await ctx.passwords.forget(environment);
    await ctx.client.sendNotification(PasswordChangedNotification.type, { environment });
    void vscode.window.showInformationMessage(had ? `Tidemark: forgot the password for ${environment}.` : `Tidemark: no password was stored for ${environment}.`);
  },
  [CommandId.showHistory]: async (ctx, arg) => {
    const scope = await resolveScope(ctx, arg, false);
    const events = await withProgress(`Reading the history of ${scope.environment}`, (token) =>
      ctx.client.sendRequest(HistoryRequest.type, { root: scope.root, environment: scope.environment, limit: 500 }, token),
    );
    await openMarkdown(renderHistory(scope.environment, events));
  },
  [CommandId.refresh]: async (ctx) => ctx.store.refresh(),
  [CommandId.selectEnvironment]: selectEnvironment,
  [CommandId.showLog]: async (ctx) => ctx.log.show(),
  [CommandId.adopt]: adopt,
  [CommandId.markApplied]: async (ctx, arg) => mark(ctx, arg, 'applied'),
  [CommandId.markPending]: async (ctx, arg) => mark(ctx, arg, 'pending'),
  [CommandId.approve]: approve,
  [CommandId.checkMigration]: checkMigration,
  [CommandId.showStatusMatrix]: async (ctx) => StatusMatrixPanel.show(ctx.store),
};

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return (Object.entries(table) as Array<[CommandId, Handler]>).map(([id, handler]) =>
    vscode.commands.registerCommand(id, (...args: unknown[]) => runSafely(ctx, id, () => handler(ctx, ...args))),
  );
}

/** Marks a failure already shown to the user (with its own actions); the wrapper only logs it. */
class ReportedError extends Error {}
/** The user cancelled a prompt: nothing to report. */
class Cancelled extends Error {}

async function runSafely(ctx: CommandContext, id: CommandId, body: () => Promise<unknown>): Promise<unknown> {
  if (trustedOnlyCommands.has(id) && !vscode.workspace.isTrusted) {
    const manage = 'Manage Workspace Trust';
    const choice = await vscode.window.showWarningMessage(
      "Tidemark connects to databases and runs SQL only in trusted workspaces: this folder's tidemark.json and migrations could target any server. Linting keeps working.",
      manage,
    );
    if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
    return undefined;
  }
  ctx.log.info(`${id}: started`);
  try {
    const result = await body();
    ctx.log.info(`${id}: done`);
    return result;
  } catch (err) {
    if (err instanceof Cancelled) {
      ctx.log.info(`${id}: cancelled`);
      return undefined;
    }
    const message = err instanceof Error ? err.message : String(err);
    ctx.log.error(`${id}: ${message}`);
    if (!(err instanceof ReportedError)) {
      void vscode.window.showErrorMessage(`Tidemark: ${message}`, 'Show Log').then((c) => c && ctx.log.show());
    }
    // Reported once, here: rethrowing would make the workbench show its own "Command ... resulted
    // in an error" box on top of this notification.
    return undefined;
  } finally {
    // Every command may have moved a tidemark or changed files: refresh after each one.
    if (id !== CommandId.refresh && id !== CommandId.showLog) void ctx.store.refresh();
  }
}

type RunKind = 'apply' | 'verify' | 'rollback' | 'plan';
const runRequests: Record<RunKind, ProtocolRequestType<RunParams, RunReport, never, void, void>> = {
  apply: ApplyRequest.type as unknown as ProtocolRequestType<RunParams, RunReport, never, void, void>,
  verify: VerifyRequest.type as unknown as ProtocolRequestType<RunParams, RunReport, never, void, void>,
  rollback: RollbackRequest.type,
  plan: PlanRequest.type,
};
const runTitles: Record<RunKind, string> = { apply: 'Applying migrations to', verify: 'Verifying', rollback: 'Rolling back', plan: 'Planning (dry run) on' };

async function run(ctx: CommandContext, kind: RunKind, scope: CommandScope): Promise<RunReport> {
  const status = statusOf(ctx, scope);
  let confirm: string | undefined;
  if (status?.environment.protected && kind !== 'plan' && kind !== 'verify') confirm = await confirmProtected(kind === 'rollback' ? 'Roll back' : 'Apply migrations to', scope);

  const params: RunParams & { version?: string } = { root: scope.root, environment: scope.environment, confirm };
  if (kind === 'verify') params.version = scope.version;
  else if (scope.version !== undefined) params.toVersion = scope.version;

  const what = `${runTitles[kind]} ${scope.environment}${scope.version ? ` (${kind === 'rollback' ? 'down to' : 'up to'} ${scope.version})` : ''}`;
  ctx.log.info(`${what}: ${JSON.stringify({ root: scope.root, environment: scope.environment, toVersion: params.toVersion, version: params.version })}`);
  const report = await withProgress(what, async (token, progress) => {
    const workDoneToken = randomUUID();
    const listening = ctx.client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
      if (value.kind !== 'end' && value.message) {
        progress.report({ message: value.message });
        ctx.log.info(`${scope.environment}: ${value.message}`);
      }
    });
    try {
      return await ctx.client.sendRequest(runRequests[kind], { ...params, workDoneToken }, token);
    } finally {
      listening.dispose();
    }
  });
  for (const step of report.steps) {
    ctx.log.info(`${step.action} ${step.version} ${step.name}: ${step.outcome} in ${step.durationMs} ms${step.message ? ` — ${step.message}` : ''}`);
  }
  if (kind === 'plan') await openMarkdown(renderPlanReport(report));
  if (report.failure) {
    const f = report.failure;
    const statement = f.statement.replace(/\s+/g, ' ').trim();
    const short = statement.length > 80 ? `${statement.slice(0, 77)}...` : statement;
    ctx.log.error(`${report.summary} ${f.file}:${f.line + 1}:${f.character + 1} ${f.message}`);
    const choice = await vscode.window.showErrorMessage(
      `Tidemark: ${f.version} failed in ${scope.environment} at \`${short}\` (${path.basename(f.file)}:${f.line + 1}): ${f.message}`,
      'Open',
      'Show Log',
    );
    if (choice === 'Open') {
      const position = new vscode.Position(f.line, f.character);
      await vscode.window.showTextDocument(vscode.Uri.file(f.file), { selection: new vscode.Range(position, position) });
    } else if (choice === 'Show Log') ctx.log.show();
    throw new ReportedError(`${f.version} failed: ${f.message}`);
  }
  ctx.log.info(report.summary);
  if (report.backup) {
    const restore = report.backup.restoreCommand;
    ctx.log.info(`backup of ${scope.environment}: ${report.backup.file}; restore with: ${restore}`);
    void vscode.window.showInformationMessage(`Tidemark: ${report.summary}`, 'Copy Restore Command').then((choice) => choice && vscode.env.clipboard.writeText(restore));
  } else void vscode.window.showInformationMessage(`Tidemark: ${report.summary}`);
  return report;
}

/** Protected environments need the user to type the environment's name, which the server checks. */
async function confirmProtected(verb: string, scope: CommandScope): Promise<string> {
  const proceed = 'Continue…';
  const choice = await vscode.window.showWarningMessage(
    `${verb} the protected environment "${scope.environment}"${scope.version ? ` (to ${scope.version})` : ''}?`,
    { modal: true, detail: 'You will be asked to type its name to confirm.' },
    proceed,
  );
  if (choice !== proceed) throw new Cancelled();
  const typed = await vscode.window.showInputBox({
    title: `Confirm: ${verb.toLowerCase()} ${scope.environment}`,
    prompt: `Type "${scope.environment}" to confirm.`,
    ignoreFocusOut: true,
    validateInput: (value) => (value === scope.environment ? undefined : `Type the environment's name exactly: ${scope.environment}`),
  });
  if (typed !== scope.environment) throw new Cancelled();
  return typed;
}

function withProgress<T>(title: string, task: (token: vscode.CancellationToken, progress: vscode.Progress<{ message?: string }>) => Thenable<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Tidemark: ${title}`, cancellable: true }, (progress, token) => task(token, progress));
}

async function openMarkdown(content: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
  await vscode.window.showTextDocument(doc, { preview: false });
}

function isCommandScope(arg: unknown): arg is CommandScope {
  return typeof arg === 'object' && arg !== null && typeof (arg as CommandScope).root === 'string' && typeof (arg as CommandScope).environment === 'string';
}

function statusOf(ctx: CommandContext, scope: CommandScope): EnvironmentStatus | undefined {
  return ctx.store.environmentsOf(scope.root).find((s) => s.environment.name === scope.environment);
}

/**
 * The target of a command: a tree node or code-lens argument, else the active environment
 * (tidemark.activeEnvironment), else one picked by the user.
 */
async function resolveScope(ctx: CommandContext, arg: unknown, needsVersion: boolean): Promise<CommandScope> {
  let target: CommandScope | undefined;
  if (isCommandScope(arg)) {
    const node = arg as Partial<Extract<TidemarkNode, { kind: 'migration' }>> & CommandScope;
    target = { root: arg.root, environment: arg.environment, version: node.migration?.version ?? arg.version };
  } else {
    if (ctx.store.all.length === 0) await ctx.store.refresh();
    target = await pickEnvironment(ctx);
  }
  if (needsVersion && !target.version) {
    const status = statusOf(ctx, target);
    const picked = await vscode.window.showQuickPick(
      (status?.migrations ?? []).map((m) => ({ label: `${m.version} ${m.name}`, description: m.state, version: m.version })),
      { title: `Which migration in ${target.environment}?` },
    );
    if (!picked) throw new Cancelled();
    target.version = picked.version;
  }
  return target;
}

async function resolveEnvironment(ctx: CommandContext, arg: unknown): Promise<{ environment: string; status: EnvironmentStatus }> {
  const scope = await resolveScope(ctx, arg, false);
  const status = statusOf(ctx, scope);
  if (!status) throw new Error(`no environment named "${scope.environment}" in ${scope.root}`);
  return { environment: scope.environment, status };
}

async function pickEnvironment(ctx: CommandContext): Promise<CommandScope> {
  const all = ctx.store.all.flatMap((p) => p.environments.map((s) => ({ root: p.root, status: s })));
  if (all.length === 0) {
    const problem = ctx.store.all.find((p) => p.error);
    throw new Error(problem ? `no environments in ${problem.root}: ${problem.error}` : 'no Tidemark project in this workspace (no tidemark.json and no migrations folder)');
  }
  const active = vscode.workspace.getConfiguration('tidemark').get<string>('activeEnvironment');
  const preferred = all.filter((e) => e.status.environment.name === active);
  if (preferred.length === 1) return { root: preferred[0].root, environment: active! };
  if (all.length === 1) return { root: all[0].root, environment: all[0].status.environment.name };
  const multipleRoots = ctx.store.all.length > 1;
  const picked = await vscode.window.showQuickPick(
    all.map((e) => ({
      label: e.status.environment.name,
      description: `${e.status.environment.protected ? '$(lock) ' : ''}${summarize(e.status)}`,
      detail: multipleRoots ? e.root : undefined,
      target: { root: e.root, environment: e.status.environment.name },
    })),
    { title: 'Tidemark environment' },
  );
  if (!picked) throw new Cancelled();
  return picked.target;
}

async function selectEnvironment(ctx: CommandContext): Promise<void> {
  if (ctx.store.all.length === 0) await ctx.store.refresh();
  const all = ctx.store.allEnvironments();
  const picked = await vscode.window.showQuickPick(
    all.map((s) => ({ label: s.environment.name, description: `${pendingCount(s)} pending · ${summarize(s)}` })),
    { title: 'Active Tidemark environment (used by commands run from the palette)' },
  );
  if (!picked) return;
  await vscode.workspace.getConfiguration('tidemark').update('activeEnvironment', picked.label, vscode.ConfigurationTarget.Workspace);
}

async function openSection(ctx: CommandContext, arg: unknown, part: 'up' | 'down' | 'verify'): Promise<void> {
  const node = arg as Extract<TidemarkNode, { kind: 'migration' }> | undefined;
  const files = node?.migration?.files;
  if (!files) throw new Error('choose a migration in the Tidemark view to open its files');
  const file = files[part];
  if (!file) throw new Error(`${node.migration.version} ${node.migration.name} has no ${part} part`);
  // A section in a single file opens at its marker; paired files open at the top.
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const marker = part === 'up' ? undefined : new RegExp(`^--\\s*migrate:${part}\\b`, 'm').exec(doc.getText());
  const position = marker ? doc.positionAt(marker.index) : new vscode.Position(0, 0);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(position, position) });
  ctx.log.info(`opened ${part} of ${node.migration.version}: ${file}`);
}

async function showDiff(_ctx: CommandContext, arg: unknown): Promise<void> {
  const node = arg as Extract<TidemarkNode, { kind: 'migration' }> | undefined;
  if (!node?.migration?.files) throw new Error('choose a drifted migration in the Tidemark view to compare it with the applied SQL');
  const m = node.migration;
  const applied = vscode.Uri.from({
    scheme: appliedSqlScheme,
    path: `/${node.environment}/${m.version}_${m.name}.sql`,
    query: new URLSearchParams({ root: node.root, environment: node.environment, version: m.version }).toString(),
  });
  await vscode.commands.executeCommand('vscode.diff', applied, vscode.Uri.file(m.files!.up), `${m.version} ${m.name}: applied in ${node.environment} ↔ file`);
}

async function newMigration(ctx: CommandContext, arg: unknown): Promise<void> {
  if (ctx.store.all.length === 0) await ctx.store.refresh();
  let root = isCommandScope(arg) ? arg.root : (arg as { root?: string } | undefined)?.root;
  if (!root) {
    const roots = ctx.store.all.map((p) => p.root);
    if (roots.length === 0) {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder) throw new Error('open a folder first: new migrations are created in its migrations/ folder');
      root = folder.uri.fsPath;
    } else if (roots.length === 1) root = roots[0];
    else {
      root = await vscode.window.showQuickPick(roots, { title: 'New migration in which project?' });
      if (!root) throw new Cancelled();
    }
  }
  const name = await vscode.window.showInputBox({
    title: 'New migration',
    prompt: 'Name of the migration, e.g. add_users_email',
    validateInput: (value) => (/^[A-Za-z0-9][\w-]*$/.test(value.trim()) ? undefined : 'Use letters, digits, "_" and "-" (no spaces or slashes)'),
  });
  if (!name) throw new Cancelled();
  const { files } = await ctx.client.sendRequest(NewMigrationRequest.type, { root, name: name.trim() });
  ctx.log.info(`created ${files.join(', ')}`);
  if (files[0]) await vscode.window.showTextDocument(vscode.Uri.file(files[0]));
}

/**
 * Adopt…: start tracking a database migrated before Tidemark. The user picks what to import (the
 * other tool's history table found, or a baseline up to a version), sees the rows a dry run would
 * record, and confirms; nothing runs but the bookkeeping.
 */
async function adopt(ctx: CommandContext, arg: unknown): Promise<void> {
  const scope = await resolveScope(ctx, arg, false);
  const status = statusOf(ctx, scope);
  if (!status) throw new Error(`no environment named "${scope.environment}" in ${scope.root}`);
  const foreign = status.tracking?.foreign;
  type Source = vscode.QuickPickItem & { params: Pick<AdoptParams, 'from' | 'to'> | 'baseline' };
  const sources: Source[] = [];
  if (foreign) {
    const dot = foreign.table.indexOf('.');
    sources.push({
      label: `$(history) Import ${toolLabel({ tool: foreign.tool, schema: foreign.table.slice(0, dot), table: foreign.table.slice(dot + 1) })}`,
      description: `lists ${versionRange(foreign.versions, status.migrations)}`,
      detail: 'Records exactly the versions that table lists, with their applied times where it keeps them.',
      params: { from: foreign.tool === 'table' ? `table:${foreign.table}` : foreign.tool },
    });
  }
  sources.push({
    label: '$(milestone) Baseline up to a version…',
    detail: 'Records every migration up to the one you pick as applied (the database already has them).',
    params: 'baseline',
  });
  const source = sources.length === 1 && !foreign ? sources[0] : await vscode.window.showQuickPick(sources, { title: `Adopt ${scope.environment}: what does it already have?` });
  if (!source) throw new Cancelled();
  let params: Pick<AdoptParams, 'from' | 'to'>;
  if (source.params === 'baseline') {
    const picked = await vscode.window.showQuickPick(
      [...status.migrations].reverse().map((m) => ({ label: `${m.version} ${m.name}`, version: m.version })),
      { title: `Adopt ${scope.environment}: the newest migration it already has` },
    );
    if (!picked) throw new Cancelled();
    params = { to: picked.version };
  } else params = source.params;

  const request = { root: scope.root, environment: scope.environment, ...params };
  const preview = await withProgress(`Reading what adopting ${scope.environment} would record`, (token) =>
    ctx.client.sendRequest(AdoptRequest.type, { ...request, dryRun: true }, token),
  );
  if (preview.recorded.length === 0) {
    void vscode.window.showInformationMessage(
      `Tidemark: nothing to record in ${scope.environment}: ${preview.skipped.map((s) => `${s.version} ${s.reason}`).join('; ') || 'no versions'}.`,
    );
    return;
  }
  const record = `$(check) Record ${preview.recorded.length} migration${preview.recorded.length === 1 ? '' : 's'} as applied`;
  const rows: Array<vscode.QuickPickItem & { record?: boolean }> = [
    { label: record, detail: `From ${preview.source}, without running them.`, record: true },
    { label: 'Rows', kind: vscode.QuickPickItemKind.Separator },
    ...preview.recorded.map((r) => ({ label: `${r.version} ${r.name}`, description: r.appliedAt ? `applied ${r.appliedAt}` : 'applied date unknown' })),
    ...preview.skipped.map((s) => ({ label: `$(circle-slash) ${s.version}`, description: `left out: ${s.reason}` })),
  ];
  const choice = await vscode.window.showQuickPick(rows, { title: `Adopt ${scope.environment}: preview`, placeHolder: 'Pick the first entry to record these rows' });
  if (!choice?.record) throw new Cancelled();
  const confirm = status.environment.protected ? await confirmProtected('Adopt', scope) : undefined;
  const report = await withProgress(`Adopting ${scope.environment}`, (token) => ctx.client.sendRequest(AdoptRequest.type, { ...request, confirm }, token));
  ctx.log.info(report.summary);
  void vscode.window.showInformationMessage(`Tidemark: ${report.summary}`);
}

/** Mark as Applied / Mark as Not Applied: a history row recorded or removed by hand, with the reason. */
async function mark(ctx: CommandContext, arg: unknown, as: 'applied' | 'pending'): Promise<void> {
  const scope = await resolveScope(ctx, arg, true);
  const status = statusOf(ctx, scope);
  const what = as === 'applied' ? 'as applied' : 'as not applied';
  const reason = await vscode.window.showInputBox({
    title: `Mark ${scope.version} ${what} in ${scope.environment} (no SQL runs)`,
    prompt: 'Why? Kept with the event in the history.',
    placeHolder: as === 'applied' ? 'e.g. applied by hand during the incident of 2026-12-01' : 'e.g. the operator dropped the half-built index',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'Say why: the reason is kept in the history'),
  });
  if (reason === undefined) throw new Cancelled();
  const confirm = status?.environment.protected ? await confirmProtected(`Mark ${scope.version} ${what} in`, scope) : undefined;
  const report = await ctx.client.sendRequest(MarkRequest.type, {
    root: scope.root,
    environment: scope.environment,
    mark: as,
    versions: [scope.version!],
    reason: reason.trim(),
    confirm,
  });
  const change = report.changes[0];
  ctx.log.info(`${report.summary} ${change ? `${change.version}: was ${change.before}; now ${change.after}` : ''}`);
  void vscode.window.showInformationMessage(`Tidemark: ${report.summary}${change ? ` ${change.version} was ${change.before}.` : ''}`);
}

/**
 * Approve…: records in the environment's history that a named person approved applying this
 * migration there (tidemark approve), asking who and why.
 */
async function approve(ctx: CommandContext, arg: unknown): Promise<void> {
  const scope = await resolveScope(ctx, arg, true);
  const approvers = statusOf(ctx, scope)?.environment.approvers;
  const by = approvers?.length
    ? await vscode.window.showQuickPick(approvers, { title: `Approve ${scope.version} for ${scope.environment}: who approves?`, ignoreFocusOut: true })
    : await vscode.window.showInputBox({
        title: `Approve ${scope.version} for ${scope.environment}`,
        prompt: 'Who approves? Kept with the approval in the history.',
        ignoreFocusOut: true,
        validateInput: (value) => (value.trim() ? undefined : 'Name who approves'),
      });
  if (by === undefined) throw new Cancelled();
  const reason = await vscode.window.showInputBox({
    title: `Approve ${scope.version} for ${scope.environment} as ${by}`,
    prompt: 'Why may it be applied? Kept with the approval in the history.',
    placeHolder: 'e.g. backup taken, tests passing, soak clean',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'Say why: the reason is kept in the history'),
  });
  if (reason === undefined) throw new Cancelled();
  const report = await ctx.client.sendRequest(ApproveRequest.type, {
    root: scope.root,
    environment: scope.environment,
    version: scope.version!,
    by: by.trim(),
    reason: reason.trim(),
  });
  ctx.log.info(report.summary);
  void vscode.window.showInformationMessage(`Tidemark: ${report.summary}`);
}

/**
 * Check Migration: the replay check of one file now (from the tree, a code lens, the Explorer or
 * the editor); its findings land in the Problems panel like those the check finds on save.
 */
async function checkMigration(ctx: CommandContext, arg: unknown): Promise<void> {
  const node = arg as Partial<Extract<TidemarkNode, { kind: 'migration' }>> | undefined;
  const file = arg instanceof vscode.Uri ? arg : node?.migration?.files?.up ? vscode.Uri.file(node.migration.files.up) : vscode.window.activeTextEditor?.document.uri;
  if (!file) throw new Error('open a migration file, or choose one in the Tidemark view, to check it');
  const document = await vscode.workspace.openTextDocument(file);
  await vscode.window.showTextDocument(document, { preview: false });
  const name = path.basename(file.fsPath);
  const result = await withProgress(`Replaying ${name} on a shadow database`, (token) =>
    ctx.client.sendRequest(ReplayMigrationRequest.type, { uri: ctx.client.code2ProtocolConverter.asUri(file) }, token),
  );
  if (result.state === 'failed') throw new Error(`cannot check ${name}: ${result.message ?? 'the replay check failed'}`);
  if (result.state === 'cancelled') throw new Cancelled();
  if (result.state === 'untrusted') throw new Error(`cannot check ${name}: ${result.message ?? 'the workspace is not trusted'}`);
  const took = result.durationMs !== undefined ? ` (${(result.durationMs / 1000).toFixed(1)} s)` : '';
  ctx.log.info(`replay check of ${file.fsPath}: ${result.findings ?? 0} finding(s)${took}`);
  if (!result.findings)
    void vscode.window.showInformationMessage(`Tidemark: ${name} passes the replay check: every statement ran, the rollback restored the schema, it ran twice${took}.`);
  else {
    const choice = await vscode.window.showWarningMessage(
      `Tidemark: the replay check of ${name} found ${result.findings} problem${result.findings === 1 ? '' : 's'}${took}.`,
      'Show Problems',
    );
    if (choice) await vscode.commands.executeCommand('workbench.actions.view.problems');
  }
}
