/**
 * The language server's wiring: documents in, diagnostics out, and the editor features that read
 * the last lint result of a document. The per-document state (document-state.ts), when documents
 * are linted (lint-scheduler.ts), the replay check (replay-coordinator.ts) and each feature live
 * in their own modules; this file only connects them to the protocol.
 */
import { basename } from 'node:path';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  TextDocumentSyncKind,
  WatchKind,
  type ClientCapabilities,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver';
import { ensureParser } from '../sql/parse';
import { CONFIG_FILE_NAME, isInside } from '../migrations/config';
import { ReplayMigrationRequest, WorkspaceTrustNotification } from '../protocol';
import { registerRunnerHandlers } from './runner-handlers';
import { expandContractActions, registerExpandContractHandler } from './expand-contract';
import { OpenDocuments, uriToPath } from './open-documents';
import { WorkspaceConfigs } from './workspace-config';
import { configDiagnostics, localDocsBase, type DiagnosticData } from './diagnostics';
import { GENERATE_ROLLBACK_KIND, generateRollbackAction, quickFixes, type CodeActionContext } from './code-actions';
import { hoverAt } from './hover';
import { documentSymbols, foldingRanges } from './symbols';
import { replayFindings } from './replay-diagnostics';
import { DocumentStates } from './document-state';
import { isSqlDocument, LintScheduler } from './lint-scheduler';
import { ReplayCoordinator } from './replay-coordinator';
import { readEditorSettings } from './editor-settings';
import { WorkspaceLinter } from './workspace-lint';
import { DiskFacts } from './disk-facts';

export interface ServerOptions {
  /** Folder of the bundle (dist/): the docs pages ship next to it. */
  bundleDir: string;
}

/**
 * What the client reports changes of: tidemark.json, SQL files, the files that order migrations
 * where their names do not (sqitch.plan, atlas.sum, a Drizzle journal), and folders coming and
 * going (a diesel or Prisma migration is a folder). Any of these drops what was read from disk.
 */
const FILE_WATCHERS = [
  { globPattern: `**/${CONFIG_FILE_NAME}` },
  { globPattern: '**/*.sql' },
  { globPattern: '**/{sqitch.plan,atlas.sum,_journal.json}' },
  { globPattern: '**/*', kind: WatchKind.Create | WatchKind.Delete },
];

function isMigrationPath(path: string): boolean {
  return /\.sql$/i.test(path) || /^(sqitch\.plan|atlas\.sum|_journal\.json)$/.test(basename(path));
}

/** Pause in typing in tidemark.json after which the project is re-read and re-linted with it. */
const CONFIG_EDIT_DELAY_MS = 300;

function isConfigPath(path: string): boolean {
  return basename(path) === CONFIG_FILE_NAME;
}

export function startServer(connection: Connection, options: ServerOptions): void {
  const log = (message: string, error?: unknown) =>
    connection.console.error(`${message}${error ? `: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` : ''}`);
  const docs = new OpenDocuments();
  const configs = new WorkspaceConfigs(docs);
  const states = new DocumentStates();
  const docsBase = localDocsBase(options.bundleDir);
  let settingsLoaded!: () => void;
  // The first lint waits for the parser and for the editor's settings, so it is not redone at once
  // with other severities (a client that never sends `initialized` only delays it by a second).
  const ready = Promise.all([
    ensureParser(),
    new Promise<void>((resolve) => {
      settingsLoaded = resolve;
      setTimeout(resolve, 1000).unref();
    }),
  ]);
  const disk = new DiskFacts();
  const lint = new LintScheduler(connection, docs, configs, states, disk, docsBase, ready, log);
  const workspace = new WorkspaceLinter(connection, docs, configs, lint, disk, docsBase, log, () => configProblems.publish(), options.bundleDir);
  const replay = new ReplayCoordinator(connection, docs, configs, states, lint, options.bundleDir, docsBase, log);
  const configProblems = new ConfigProblemsPublisher(connection, docs, configs, (path) => workspace.folderStop(path));
  let capabilities: ClientCapabilities = {};

  let configTimer: NodeJS.Timeout | undefined;
  const configChanged = () => {
    clearTimeout(configTimer);
    configTimer = undefined;
    configs.invalidate();
    lint.scheduleAll(0);
    workspace.refresh();
    // After the re-lint has loaded the configs the open documents use.
    setTimeout(
      () =>
        ready.then(
          () => configProblems.publish(),
          () => undefined,
        ),
      0,
    );
  };

  // tidemark.json typed in the editor: each keystroke changes what every migration is linted with,
  // and re-reading the project per keystroke kept the server busy re-linting all of it. It is
  // re-read after a pause in typing instead; opening, saving and closing it apply at once.
  const configEdited = () => {
    clearTimeout(configTimer);
    configTimer = setTimeout(configChanged, CONFIG_EDIT_DELAY_MS);
  };

  const loadEditorSettings = async (pushed?: unknown) => {
    const settings = await readEditorSettings(connection, capabilities, pushed, log);
    replay.checkOnType = settings.checkOnType;
    configs.setEditorRules(settings.rules);
    workspace.setScope(settings.scope);
  };

  connection.onRequest(ReplayMigrationRequest.type, ({ uri }) => replay.lintThenReplay(uri));
  connection.onNotification(WorkspaceTrustNotification.type, ({ trusted }) => {
    replay.workspaceTrusted = trusted;
  });

  connection.onInitialize((params): InitializeResult => {
    capabilities = params.capabilities;
    const initOptions = params.initializationOptions as { lintDelayMs?: unknown; workspaceTrusted?: unknown } | undefined;
    if (initOptions?.workspaceTrusted === false) replay.workspaceTrusted = false;
    const requested = initOptions?.lintDelayMs;
    if (typeof requested === 'number' && requested >= 0) lint.delayMs = requested;
    const folders = params.workspaceFolders?.map((f) => uriToPath(f.uri)) ?? (params.rootUri ? [uriToPath(params.rootUri)] : []);
    configs.setWorkspaceFolders(folders);
    disk.folders = folders;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, GENERATE_ROLLBACK_KIND] },
        hoverProvider: true,
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'tidemark' },
    };
  });

  connection.onInitialized(async () => {
    if (capabilities.workspace?.didChangeConfiguration?.dynamicRegistration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'tidemark' });
    }
    if (capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: FILE_WATCHERS }).then(
        () => {
          disk.watched = true;
        },
        (error) => log('registering the file watchers failed: open files re-check the disk themselves', error),
      );
    }
    if (capabilities.workspace?.workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders(async () => {
        const folders = (await connection.workspace.getWorkspaceFolders()) ?? [];
        configs.setWorkspaceFolders(folders.map((f) => uriToPath(f.uri)));
        disk.folders = folders.map((f) => uriToPath(f.uri));
        configChanged();
      });
    }
    await loadEditorSettings();
    settingsLoaded();
    configChanged();
  });

  connection.onDidChangeConfiguration(async (change) => {
    await loadEditorSettings(change.settings);
    configChanged();
  });

  const CHANGE_KIND = { [FileChangeType.Created]: 'created', [FileChangeType.Changed]: 'changed', [FileChangeType.Deleted]: 'deleted' } as const;
  connection.onDidChangeWatchedFiles(({ changes }) => {
    let config = false;
    const relevant = changes.map((c) => uriToPath(c.uri)).filter((path) => isConfigPath(path) || isMigrationPath(path) || isInside(configs.forFile(path).migrationsDir, path));
    // What was read from disk may be stale now: read again by the next lint, not a second later.
    if (relevant.length) disk.changed();
    for (const change of changes) {
      const path = uriToPath(change.uri);
      if (isConfigPath(path)) config = true;
      else if (/\.sql$/i.test(path)) {
        // The migrations after it read it from disk even while it is open (a save).
        if (!config) workspace.fileChanged(path, CHANGE_KIND[change.type]);
        // An open document's editor text already wins over the disk; only other files matter.
        if (change.type !== FileChangeType.Changed || !docs.byPath(path)) lint.relintNeighbours(path);
      } else if (relevant.includes(path)) {
        // A migration folder came or went, or a file that orders the migrations changed.
        if (!config) workspace.folderChanged(path);
        lint.relintNeighbours(path);
      }
    }
    if (config) configChanged();
  });

  // TextDocuments reports an opened document as a content change too: lint it at once the first
  // time, and after a pause while the user types.
  docs.documents.onDidChangeContent(({ document }) => {
    const state = states.of(document.uri);
    const opened = !state.opened;
    state.opened = true;
    const path = uriToPath(document.uri);
    if (isConfigPath(path)) return opened ? configChanged() : configEdited();
    if (!isSqlDocument(document)) return;
    replay.textChanged(document.uri, opened);
    lint.schedule(document.uri, opened ? 0 : lint.delayMs);
    lint.relintNeighbours(path);
  });

  docs.documents.onDidSave(({ document }) => {
    if (isSqlDocument(document) && !isConfigPath(uriToPath(document.uri))) void replay.lintThenReplay(document.uri);
  });

  docs.documents.onDidClose(({ document }) => {
    const path = uriToPath(document.uri);
    states.close(document.uri);
    replay.closed(document.uri);
    if (isConfigPath(path)) return configChanged();
    // The disk copy is now what counts: in workspace scope its problems stay listed (linted from
    // disk), else a closed file's problems are shown only while it is open.
    if (workspace.covers(path)) workspace.closed(path);
    else void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
    lint.relintNeighbours(path);
  });

  connection.onCodeAction(async (params) => {
    const result = await lint.freshResult(params.textDocument.uri);
    if (!result) return [];
    const ctx: CodeActionContext = {
      file: result.file,
      version: result.version,
      unit: result.unit,
      findings: result.findings,
      only: params.context.only,
      documents: { uriOf: (p) => docs.uriOf(p), versionOf: (p) => docs.byPath(p)?.version ?? null, read: (p) => docs.read(p) },
    };
    // Diagnostics from before the last edit carry stale offsets: use the fresh ones in the range.
    const stale = params.context.diagnostics.some((d) => (d.data as DiagnosticData | undefined)?.version !== result.version);
    const inRange = stale
      ? result.diagnostics.filter((d) => !(comparePositions(d.range.end, params.range.start) < 0 || comparePositions(d.range.start, params.range.end) > 0))
      : params.context.diagnostics;
    try {
      const actions = [...quickFixes(inRange, ctx), ...expandContractActions(inRange, ctx)];
      const rollback = generateRollbackAction(ctx);
      return rollback ? [...actions, rollback] : actions;
    } catch (error) {
      log('computing code actions failed', error);
      return [];
    }
  });

  connection.onHover(async (params) => {
    const result = await lint.freshResult(params.textDocument.uri);
    if (!result) return null;
    const replayed = states.peek(params.textDocument.uri)?.replay;
    const current = replayed?.version === result.version ? replayed : undefined;
    const findings = current ? [...result.findings, ...replayFindings(current)] : result.findings;
    return hoverAt(result.unit, result.file, findings, result.file.offsetAt(params.position), current?.observedLocks);
  });

  connection.onDocumentSymbol(async (params) => {
    const result = await lint.freshResult(params.textDocument.uri);
    return result ? documentSymbols(result.unit, result.file) : [];
  });

  connection.onFoldingRanges(async (params) => {
    const result = await lint.freshResult(params.textDocument.uri);
    return result ? foldingRanges(result.unit, result.file) : [];
  });

  connection.onShutdown(() => {
    clearTimeout(configTimer);
    workspace.dispose();
    replay.dispose();
  });

  registerRunnerHandlers(connection);
  registerExpandContractHandler(connection, docs, configs);
  docs.documents.listen(connection);
}

/** tidemark.json's problems as diagnostics in each known config file; cleared from files no longer known. */
class ConfigProblemsPublisher {
  private published = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly docs: OpenDocuments,
    private readonly configs: WorkspaceConfigs,
    /** Why the migrations folder a config names cannot be read (the workspace lint found). */
    private readonly folderStop: (configPath: string) => string | undefined,
  ) {}

  publish(): void {
    const current = new Set<string>();
    for (const config of this.configs.knownConfigs()) {
      const text = this.docs.read(config.path!);
      if (text === undefined) continue;
      const uri = this.docs.uriOf(config.path!);
      current.add(uri);
      const stop = this.folderStop(config.path!);
      // On the migrationsDir value, which names the folder.
      const at = Math.max(text.indexOf('"migrationsDir"'), 0);
      const problems = stop
        ? [...config.allProblems, { field: 'migrationsDir', message: stop, start: at, end: at + '"migrationsDir"'.length, severity: 'error' as const }]
        : config.allProblems;
      void this.connection.sendDiagnostics({ uri, diagnostics: configDiagnostics(problems, text, config.path!) });
    }
    for (const uri of this.published) if (!current.has(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    this.published = current;
  }
}

function comparePositions(a: { line: number; character: number }, b: { line: number; character: number }): number {
  return a.line - b.line || a.character - b.character;
}
