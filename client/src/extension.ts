/**
 * Entry point of the extension (dist/extension.js): starts the Tidemark language server, which
 * lints migrations and runs them, and wires the views and commands that show and move each
 * environment's tidemark.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  PasswordRejectedNotification,
  PasswordRequest,
  SERVER_NODE_FLAGS,
  StatusChangedNotification,
  ReplayStatusNotification,
  WorkspaceTrustNotification,
} from '../../server/src/protocol';
import { appliedSqlScheme, treeViewId } from './command-ids';
import { registerCommands } from './commands';
import { ActiveEnvironmentStatusBar, AppliedSqlProvider, MigrationCodeLenses, MigrationFileBadges, ReplayStatusBar } from './editor-decorations';
import { PasswordStore } from './passwords';
import { findProjectRoots } from './project-roots';
import { StatusStore } from './status-store';
import { TidemarkTreeProvider, type TidemarkNode } from './tree-view';

/** What activate() returns: used by other extensions and the in-editor test suite. */
export interface TidemarkApi {
  /** Resolves once the language server runs and the first status is loaded. */
  ready: Promise<void>;
  refresh(): Promise<void>;
  /** The tree as shown: labels, descriptions and context values, environments with their rows. */
  treeRows(): TreeRow[];
  activationMs?: number;
}

export interface TreeRow {
  label: string;
  description?: string;
  contextValue?: string;
  /** A migration row's up file. */
  file?: string;
  children: TreeRow[];
}

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): TidemarkApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Tidemark', { log: true });
  context.subscriptions.push(log);

  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS] } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS, '--nolazy', '--inspect=6019'] } },
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/{tidemark.json,*.sql}');
  context.subscriptions.push(watcher);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'sql' },
      { scheme: 'untitled', language: 'sql' },
      { scheme: 'file', pattern: '**/tidemark.json' },
    ],
    synchronize: { configurationSection: 'tidemark', fileEvents: watcher },
    outputChannel: log,
    initializationOptions: { workspaceTrusted: vscode.workspace.isTrusted },
  };
  // The id "tidemark" makes the client honour the `tidemark.trace.server` setting.
  client = new LanguageClient('tidemark', 'Tidemark', serverOptions, clientOptions);
  const languageClient = client;

  const passwords = new PasswordStore(context.secrets, log);
  // The layouts' marker files, as the manifest lists them for activation (one list, checked against the readers by the manifest test).
  const markerGlobs = ((context.extension.packageJSON as { activationEvents?: string[] }).activationEvents ?? [])
    .filter((e) => e.startsWith('workspaceContains:') && !e.endsWith('tidemark.json'))
    .map((e) => e.slice('workspaceContains:'.length));
  const store = new StatusStore(languageClient, () => findProjectRoots(markerGlobs), log);
  const tree = new TidemarkTreeProvider(store);
  const statusBar = new ActiveEnvironmentStatusBar(store);
  const replayStatusBar = new ReplayStatusBar();
  context.subscriptions.push(
    store,
    statusBar,
    replayStatusBar,
    vscode.window.createTreeView(treeViewId, { treeDataProvider: tree, showCollapseAll: true }),
    vscode.languages.registerCodeLensProvider({ scheme: 'file', language: 'sql' }, new MigrationCodeLenses(store)),
    vscode.window.registerFileDecorationProvider(new MigrationFileBadges(store)),
    vscode.workspace.registerTextDocumentContentProvider(appliedSqlScheme, new AppliedSqlProvider(languageClient)),
    ...registerCommands({ client: languageClient, store, passwords, log }),
  );

  store.onDidChange(() => {
    const projects = store.all;
    const state = projects.length === 0 ? 'none' : projects.some((p) => p.error) ? 'error' : projects.every((p) => p.environments.length === 0) ? 'noEnvironment' : 'ready';
    void vscode.commands.executeCommand('setContext', 'tidemark.projectState', state);
    void vscode.commands.executeCommand('setContext', 'tidemark.configError', projects.find((p) => p.error)?.error ?? '');
  });
  let refreshTimer: NodeJS.Timeout | undefined;
  const refreshSoon = () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void store.refresh(), 300);
  };
  context.subscriptions.push(
    watcher.onDidCreate(refreshSoon),
    watcher.onDidChange(refreshSoon),
    watcher.onDidDelete(refreshSoon),
    vscode.workspace.onDidChangeWorkspaceFolders(refreshSoon),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      void languageClient.sendNotification(WorkspaceTrustNotification.type, { trusted: true });
      void store.refresh();
    }),
    { dispose: () => clearTimeout(refreshTimer) },
  );

  const api: TidemarkApi = {
    ready: Promise.resolve(),
    refresh: () => store.refresh(),
    treeRows: () => rowsOf(tree, undefined),
  };
  api.ready = (async () => {
    languageClient.onRequest(PasswordRequest.type, async ({ environment, target }) =>
      // Database commands are refused in untrusted workspaces; never hand a secret to one either.
      ({ password: vscode.workspace.isTrusted ? await passwords.passwordFor(environment, target) : undefined }),
    );
    languageClient.onNotification(ReplayStatusNotification.type, (status) => replayStatusBar.update(status));
    languageClient.onNotification(PasswordRejectedNotification.type, ({ environment }) => {
      void passwords.forget(environment);
      void vscode.window.showWarningMessage(`Tidemark: the password for ${environment} was rejected and has been forgotten; you will be asked again.`);
    });
    languageClient.onNotification(StatusChangedNotification.type, () => refreshSoon());
    await languageClient.start();
    log.info(`language server started ${Math.round(performance.now() - started)} ms after activation began`);
    await store.refresh();
    api.activationMs = Math.round(performance.now() - started);
    log.info(`every environment's status loaded ${api.activationMs} ms after activation began`);
  })();
  api.ready.catch((err) => {
    void vscode.commands.executeCommand('setContext', 'tidemark.projectState', 'serverFailed');
    log.error(`Tidemark failed to start: ${err instanceof Error ? err.message : String(err)}`);
    void vscode.window
      .showErrorMessage(`Tidemark: the language server failed to start: ${err instanceof Error ? err.message : String(err)}`, 'Show Log')
      .then((c) => c && log.show());
  });
  log.info(`activate() returned in ${Math.round(performance.now() - started)} ms`);
  return api;
}

function rowsOf(tree: TidemarkTreeProvider, node: TidemarkNode | undefined): TreeRow[] {
  return tree.getChildren(node).map((child) => {
    const item = tree.getTreeItem(child);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    return {
      label,
      description: typeof item.description === 'string' ? item.description : undefined,
      contextValue: item.contextValue,
      file: child.kind === 'migration' ? child.migration.files?.up : undefined,
      children: rowsOf(tree, child),
    };
  });
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
