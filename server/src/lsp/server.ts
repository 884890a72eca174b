/**
 * The language server's wiring: documents in, diagnostics out, and the editor features that read
 * the last lint result of a document. Each feature lives in its own module.
 */
import { basename, dirname } from 'node:path';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { ensureParser, unavailableParseCount } from '../sql/parse';
import { CONFIG_FILE_NAME, SeveritySetting } from '../migrations/config';
import { registerRunnerHandlers } from './runner-handlers';
import { OpenDocuments, uriToPath } from './open-documents';
import { WorkspaceConfigs } from './workspace-config';
import { configDiagnostics, lintDocument, localDocsBase, type LintResult } from './diagnostics';
import { GENERATE_ROLLBACK_KIND, generateRollbackAction, quickFixes, type CodeActionContext } from './code-actions';
import { hoverAt } from './hover';
import { documentSymbols, foldingRanges } from './symbols';
import type { DiagnosticData } from './diagnostics';
import { EditorReplay } from '../replay/editor-check';
import { shadowSetupOf } from '../replay/project';
import { CheckMigrationRequest, ReplayStatusNotification, type CheckMigrationResult } from '../protocol';
import { mergedDiagnostics, replayFindings, type DocumentReplay } from './replay-diagnostics';
import { isInside } from './workspace-config';

export interface ServerOptions {
  /** Folder of the bundle (dist/): the docs pages ship next to it. */
  bundleDir: string;
}

/** Pause after a keystroke before re-linting; clients may lower it (benchmarks use 0). */
const DEFAULT_LINT_DELAY_MS = 150;

/** With `tidemark.check.onType`, the pause after the last keystroke before the replay check runs. */
const REPLAY_TYPING_PAUSE_MS = 700;

function isSqlDocument(doc: TextDocument): boolean {
  return doc.languageId === 'sql' || doc.languageId === 'pgsql' || doc.languageId === 'postgres' || /\.sql$/i.test(doc.uri);
}

function isConfigPath(path: string): boolean {
  return basename(path) === CONFIG_FILE_NAME;
}

export function startServer(connection: Connection, options: ServerOptions): void {
  const docs = new OpenDocuments();
  const configs = new WorkspaceConfigs(docs);
  const results = new Map<string, LintResult>();
  const timers = new Map<string, NodeJS.Timeout>();
  const publishedConfigUris = new Set<string>();
  const docsBase = localDocsBase(options.bundleDir);
  const replay = new EditorReplay(options.bundleDir, (message) => log(message));
  const replays = new Map<string, DocumentReplay>();
  const replayTimers = new Map<string, NodeJS.Timeout>();
  let checkOnType = false;
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
  let lintDelayMs = DEFAULT_LINT_DELAY_MS;
  let capabilities: ClientCapabilities = {};

  const log = (message: string, error?: unknown) =>
    connection.console.error(`${message}${error ? `: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` : ''}`);

  /** Lints one open document now and publishes its diagnostics. Never throws. */
  const lintNow = (uri: string): LintResult | undefined => {
    clearTimeout(timers.get(uri));
    timers.delete(uri);
    const doc = docs.documents.get(uri);
    if (!doc || !isSqlDocument(doc)) return undefined;
    try {
      const path = uriToPath(uri);
      const missedParses = unavailableParseCount();
      const result = lintDocument({ uri, version: doc.version, path, text: doc.getText() }, docs, configs.forFile(path), docsBase, (rule, error) =>
        log(`rule ${rule} failed on ${path}`, error),
      );
      results.set(uri, result);
      publish(uri, result);
      // A statement was parsed while the parser was being replaced after a trap: lint again once it is back.
      if (unavailableParseCount() !== missedParses) void ensureParser().then(() => schedule(uri, 0), (error) => log('the SQL parser failed to load', error));
      return result;
    } catch (error) {
      log(`linting ${uri} failed`, error);
      return undefined;
    }
  };

  /** The static diagnostics of a document merged with the replay's for the same version. */
  const publish = (uri: string, result: LintResult) => {
    const diagnostics = mergedDiagnostics(result.diagnostics, result.findings, replays.get(uri), result.file, result.version);
    void connection.sendDiagnostics({ uri, version: result.version, diagnostics });
  };

  /**
   * Runs the replay check of the migration holding an open document, after its static lint was
   * published, on the worker thread; a newer request for the same file cancels this one.
   */
  const runReplay = async (uri: string): Promise<CheckMigrationResult> => {
    clearTimeout(replayTimers.get(uri));
    replayTimers.delete(uri);
    const doc = docs.documents.get(uri);
    if (!doc || !isSqlDocument(doc) || !uri.startsWith('file:')) return { uri, state: 'failed', message: 'the file is not an open SQL file' };
    const path = uriToPath(uri);
    const config = configs.forFile(path);
    if (!isInside(config.migrationsDir, path)) return { uri, state: 'failed', message: `not a migration: it is outside ${config.migrationsDir}` };
    let setup;
    try {
      setup = shadowSetupOf(config);
    } catch (error) {
      log('the replay check cannot start', error);
      return { uri, state: 'failed', message: `the replay check cannot start: ${error instanceof Error ? error.message : String(error)}` };
    }
    const versions = new Map<string, number>();
    const unsaved: Record<string, string> = {};
    for (const open of docs.all()) {
      const openPath = uriToPath(open.uri);
      if (!isInside(config.migrationsDir, openPath)) continue;
      versions.set(open.uri, open.version);
      unsaved[openPath] = open.getText();
    }
    void connection.sendNotification(ReplayStatusNotification.type, { uri, state: 'started' });
    let outcome;
    try {
      outcome = await replay.check({ path, migrationsDir: config.migrationsDir, setup, unsaved, severities: config.severities, docsBase });
    } catch (error) {
      log(`the replay check of ${path} failed`, error);
      void connection.sendNotification(ReplayStatusNotification.type, { uri, state: 'failed' });
      return { uri, state: 'failed', message: error instanceof Error ? error.message : String(error) };
    }
    if (outcome.kind === 'cancelled') {
      void connection.sendNotification(ReplayStatusNotification.type, { uri, state: 'cancelled' });
      return { uri, state: 'cancelled' };
    }
    const checked = outcome.result;
    for (const file of checked?.files ?? []) {
      const fileUri = docs.uriOf(file);
      const current = docs.documents.get(fileUri);
      // A file edited since the check started gets the next run's findings, not these.
      if (!current || versions.get(fileUri) !== current.version) continue;
      replays.set(fileUri, {
        version: current.version,
        findings: checked!.findings.filter((f) => f.path === file),
        observedLocks: file === checked!.upPath ? checked!.observedLocks : undefined,
        completed: checked!.completed,
      });
      const result = results.get(fileUri);
      if (result && result.version === current.version) publish(fileUri, result);
    }
    const finished = { uri, state: 'finished' as const, findings: checked?.findings.length ?? 0, durationMs: checked?.durationMs };
    void connection.sendNotification(ReplayStatusNotification.type, finished);
    return finished;
  };

  /** The static lint now (unless current), then the replay. */
  const lintThenReplay = (uri: string): Promise<CheckMigrationResult> =>
    ready.then(
      () => {
        const doc = docs.documents.get(uri);
        const result = results.get(uri);
        if (!doc || !result || result.version !== doc.version || timers.has(uri)) lintNow(uri);
        return runReplay(uri);
      },
      (error) => {
        log('the SQL parser failed to load', error);
        return { uri, state: 'failed' as const, message: 'the SQL parser failed to load' };
      },
    );
  connection.onRequest(CheckMigrationRequest.type, ({ uri }) => lintThenReplay(uri));

  const schedule = (uri: string, delay = lintDelayMs) => {
    clearTimeout(timers.get(uri));
    timers.set(
      uri,
      setTimeout(() => {
        ready.then(() => lintNow(uri), (error) => log('the SQL parser failed to load', error));
      }, delay),
    );
  };

  /** The current lint result of a document, linting it first when it changed since. */
  const freshResult = async (uri: string): Promise<LintResult | undefined> => {
    await ready;
    const doc = docs.documents.get(uri);
    if (!doc) return undefined;
    const result = results.get(uri);
    return result && result.version === doc.version && !timers.has(uri) ? result : lintNow(uri);
  };

  /** Open documents whose diagnostics may change when `path` changes: parts of the same migration folder. */
  const relintNeighbours = (path: string) => {
    const folder = dirname(path);
    for (const doc of docs.all()) {
      const other = uriToPath(doc.uri);
      if (other === path || !isSqlDocument(doc)) continue;
      const otherFolder = dirname(other);
      const unit = results.get(doc.uri)?.unit;
      const uses = [unit?.up, unit?.down, unit?.verify, unit?.check].some((s) => s?.file.path === path) || unit?.problems.some((p) => p.relatedPath === path);
      if (uses || otherFolder === folder || otherFolder === dirname(folder) || dirname(otherFolder) === folder) schedule(doc.uri);
    }
  };

  const publishConfigDiagnostics = () => {
    const current = new Set<string>();
    for (const config of configs.knownConfigs()) {
      const text = docs.read(config.path!);
      if (text === undefined) continue;
      const uri = docs.uriOf(config.path!);
      current.add(uri);
      void connection.sendDiagnostics({ uri, diagnostics: configDiagnostics(config.allProblems, text, config.path!) });
    }
    for (const uri of publishedConfigUris) if (!current.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
    publishedConfigUris.clear();
    for (const uri of current) publishedConfigUris.add(uri);
  };

  const configChanged = () => {
    configs.invalidate();
    for (const doc of docs.all()) if (isSqlDocument(doc)) schedule(doc.uri, 0);
    // After the re-lint has loaded the configs the open documents use.
    setTimeout(() => ready.then(publishConfigDiagnostics, () => undefined), 0);
  };

  const loadEditorSettings = async (pushed?: unknown) => {
    let rules: unknown;
    let onType: unknown;
    if (capabilities.workspace?.configuration) {
      try {
        [rules, onType] = await connection.workspace.getConfiguration([{ section: 'tidemark.lint.rules' }, { section: 'tidemark.check.onType' }]);
      } catch (error) {
        log('reading the tidemark.lint.rules setting failed', error);
      }
    } else {
      const settings = (pushed as { tidemark?: { lint?: { rules?: unknown }; check?: { onType?: unknown } } } | undefined)?.tidemark;
      rules = settings?.lint?.rules;
      onType = settings?.check?.onType;
    }
    checkOnType = onType === true;
    const valid: Record<string, SeveritySetting> = {};
    if (rules && typeof rules === 'object') {
      for (const [id, value] of Object.entries(rules)) {
        const parsed = SeveritySetting.safeParse(value);
        if (parsed.success) valid[id] = parsed.data;
        else log(`tidemark.lint.rules: "${id}" has an invalid severity ${JSON.stringify(value)}; expected off, error, warning, info or hint`);
      }
    }
    configs.setEditorRules(valid);
  };

  connection.onInitialize((params): InitializeResult => {
    capabilities = params.capabilities;
    const requested = (params.initializationOptions as { lintDelayMs?: unknown } | undefined)?.lintDelayMs;
    if (typeof requested === 'number' && requested >= 0) lintDelayMs = requested;
    const folders = params.workspaceFolders?.map((f) => uriToPath(f.uri)) ?? (params.rootUri ? [uriToPath(params.rootUri)] : []);
    configs.setWorkspaceFolders(folders);
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
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: `**/${CONFIG_FILE_NAME}` }, { globPattern: '**/*.sql' }],
      });
    }
    if (capabilities.workspace?.workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders(async () => {
        const folders = (await connection.workspace.getWorkspaceFolders()) ?? [];
        configs.setWorkspaceFolders(folders.map((f) => uriToPath(f.uri)));
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

  connection.onDidChangeWatchedFiles(({ changes }) => {
    let config = false;
    for (const change of changes) {
      const path = uriToPath(change.uri);
      if (isConfigPath(path)) config = true;
      // An open document's editor text already wins over the disk; only other files matter.
      else if (/\.sql$/i.test(path) && (change.type !== FileChangeType.Changed || !docs.byPath(path))) relintNeighbours(path);
    }
    if (config) configChanged();
  });

  // TextDocuments reports an opened document as a content change too: lint it at once the first
  // time, and after a pause while the user types.
  const seen = new Set<string>();
  docs.documents.onDidChangeContent(({ document }) => {
    const first = !seen.has(document.uri);
    seen.add(document.uri);
    const path = uriToPath(document.uri);
    if (isConfigPath(path)) return configChanged();
    if (!isSqlDocument(document)) return;
    // The replay's findings were for the old text; the next run replaces them.
    replay.cancel(path);
    replays.delete(document.uri);
    schedule(document.uri, first ? 0 : lintDelayMs);
    relintNeighbours(path);
    if (checkOnType && !first) {
      clearTimeout(replayTimers.get(document.uri));
      replayTimers.set(document.uri, setTimeout(() => lintThenReplay(document.uri), lintDelayMs + REPLAY_TYPING_PAUSE_MS));
    }
  });

  docs.documents.onDidSave(({ document }) => {
    if (isSqlDocument(document) && !isConfigPath(uriToPath(document.uri))) lintThenReplay(document.uri);
  });

  docs.documents.onDidClose(({ document }) => {
    const path = uriToPath(document.uri);
    clearTimeout(timers.get(document.uri));
    timers.delete(document.uri);
    results.delete(document.uri);
    clearTimeout(replayTimers.get(document.uri));
    replayTimers.delete(document.uri);
    replay.cancel(path);
    replays.delete(document.uri);
    seen.delete(document.uri);
    if (isConfigPath(path)) return configChanged();
    // A closed file's problems are shown only while it is open; the disk copy is now what counts.
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
    relintNeighbours(path);
  });

  connection.onCodeAction(async (params) => {
    const result = await freshResult(params.textDocument.uri);
    if (!result) return [];
    const ctx: CodeActionContext = {
      file: result.file,
      version: result.version,
      unit: result.unit,
      findings: result.findings,
      only: params.context.only,
      target: { uriOf: (p) => docs.uriOf(p), versionOf: (p) => docs.byPath(p)?.version ?? null, read: (p) => docs.read(p) },
    };
    // Diagnostics from before the last edit carry stale offsets: use the fresh ones in the range.
    const stale = params.context.diagnostics.some((d) => (d.data as DiagnosticData | undefined)?.version !== result.version);
    const inRange = stale
      ? result.diagnostics.filter((d) => !(comparePositions(d.range.end, params.range.start) < 0 || comparePositions(d.range.start, params.range.end) > 0))
      : params.context.diagnostics;
    try {
      const actions = quickFixes(inRange, ctx);
      const rollback = generateRollbackAction(ctx);
      return rollback ? [...actions, rollback] : actions;
    } catch (error) {
      log('computing code actions failed', error);
      return [];
    }
  });

  connection.onHover(async (params) => {
    const result = await freshResult(params.textDocument.uri);
    if (!result) return null;
    const replayed = replays.get(params.textDocument.uri);
    const current = replayed?.version === result.version ? replayed : undefined;
    const findings = current ? [...result.findings, ...replayFindings(current)] : result.findings;
    return hoverAt(result.unit, result.file, findings, result.file.offsetAt(params.position), current?.observedLocks);
  });

  connection.onDocumentSymbol(async (params) => {
    const result = await freshResult(params.textDocument.uri);
    return result ? documentSymbols(result.unit, result.file) : [];
  });

  connection.onFoldingRanges(async (params) => {
    const result = await freshResult(params.textDocument.uri);
    return result ? foldingRanges(result.unit, result.file) : [];
  });

  connection.onShutdown(() => replay.dispose());

  registerRunnerHandlers(connection);
  docs.documents.listen(connection);
}

function comparePositions(a: { line: number; character: number }, b: { line: number; character: number }): number {
  return a.line - b.line || a.character - b.character;
}

