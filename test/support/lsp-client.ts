/**
 * A real LSP client for tests: spawns dist/server.js over stdio and speaks JSON-RPC to it with
 * vscode-languageserver-protocol, as VS Code's client does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  InitializedNotification,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidSaveTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ConfigurationRequest,
  ShutdownRequest,
  ExitNotification,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Diagnostic,
} from 'vscode-languageserver-protocol/node';
import { repoRoot } from './paths';
import { allRules } from '../../server/src/lint/rules';
import { scratchDir } from './test-cleanup';
import { ReplayStatusNotification, SERVER_NODE_FLAGS } from '../../server/src/protocol';

export interface TestClientOptions {
  workspaceFolder: string;
  /** Answer to workspace/configuration for `tidemark.lint.rules`. */
  settings?: Record<string, string>;
  lintDelayMs?: number;
  /** Sent as initializationOptions.workspaceTrusted (VS Code's workspace trust); absent by default. */
  workspaceTrusted?: boolean;
  /** Answer to workspace/configuration for `tidemark.lint.scope`; unset leaves the server's default. */
  scope?: 'workspace' | 'openFiles';
}

export class TestLspClient {
  readonly connection: ProtocolConnection;
  readonly child: ChildProcess;
  /** Every publishDiagnostics seen, newest last. */
  readonly published: PublishDiagnosticsParams[] = [];
  readonly logs: string[] = [];
  /** Every tidemark/replayStatus notification seen, newest last. */
  readonly notifications: Array<{ method: string; params: unknown }> = [];
  private waiters: Array<() => void> = [];
  private versions = new Map<string, number>();
  settings: Record<string, string>;

  constructor(private readonly options: TestClientOptions) {
    this.settings = options.settings ?? {};
    this.child = spawn(process.execPath, [...SERVER_NODE_FLAGS, join(repoRoot, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (d) => this.logs.push(String(d)));
    this.connection = createProtocolConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.published.push(params);
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    });
    this.connection.onNotification('window/logMessage', (params: { message: string }) => {
      this.logs.push(params.message);
    });
    this.connection.onNotification(ReplayStatusNotification.type, (params) => {
      this.notifications.push({ method: ReplayStatusNotification.method, params });
    });
    this.connection.onRequest(RegistrationRequest.type, () => undefined);
    this.connection.onRequest(ConfigurationRequest.type, (params) =>
      params.items.map((item) => (item.section === 'tidemark.lint.rules' ? this.settings : item.section === 'tidemark.lint.scope' ? (this.options.scope ?? null) : null)),
    );
    this.connection.listen();
  }

  async initialize(): Promise<void> {
    await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: uri(this.options.workspaceFolder),
      workspaceFolders: [{ uri: uri(this.options.workspaceFolder), name: 'test' }],
      initializationOptions: { lintDelayMs: this.options.lintDelayMs ?? 0, workspaceTrusted: this.options.workspaceTrusted },
      capabilities: {
        workspace: {
          configuration: true,
          didChangeConfiguration: { dynamicRegistration: true },
          didChangeWatchedFiles: { dynamicRegistration: true },
          workspaceEdit: { documentChanges: true, resourceOperations: ['create'] },
          workspaceFolders: true,
        },
        textDocument: {
          publishDiagnostics: { versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor'] } }, dataSupport: true },
          hover: { contentFormat: ['markdown'] },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        },
      },
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
  }

  open(path: string, text: string): string {
    const u = uri(path);
    this.versions.set(u, 1);
    void this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: u, languageId: path.endsWith('.json') ? 'json' : 'sql', version: 1, text },
    });
    return u;
  }

  /** Replaces the whole text (a full-document change event). */
  change(u: string, text: string): number {
    const version = (this.versions.get(u) ?? 1) + 1;
    this.versions.set(u, version);
    void this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: u, version }, contentChanges: [{ text }] });
    return version;
  }

  /** An incremental change of one range, as an editor sends for a keystroke. */
  edit(u: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): number {
    const version = (this.versions.get(u) ?? 1) + 1;
    this.versions.set(u, version);
    void this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: u, version }, contentChanges: [{ range, text }] });
    return version;
  }

  /** The editor saved the document (the test writes the file first, as the editor does). */
  save(u: string): void {
    void this.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri: u } });
  }

  close(u: string): void {
    void this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: u } });
  }

  /** Files changed on disk, as the editor's file watcher reports them (the test changes them first). */
  filesChanged(changes: Array<{ path: string; type: 'created' | 'changed' | 'deleted' }>): void {
    const type: Record<string, FileChangeType> = { created: FileChangeType.Created, changed: FileChangeType.Changed, deleted: FileChangeType.Deleted };
    void this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: changes.map((c) => ({ uri: uri(c.path), type: type[c.type] })) });
  }

  /** How many publishDiagnostics were seen so far: pass it as `since` to wait for newer ones. */
  mark(): number {
    return this.published.length;
  }

  /** Waits for a publishDiagnostics for `u` (the `since`-th or later) that satisfies `accept`. */
  async diagnostics(u: string, accept: (d: Diagnostic[], p: PublishDiagnosticsParams) => boolean = () => true, since = 0, timeoutMs = 20000): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    let checked = since;
    for (;;) {
      for (; checked < this.published.length; checked++) {
        const p = this.published[checked];
        if (p.uri === u && accept(p.diagnostics, p)) return p.diagnostics;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        const last = [...this.published].reverse().find((p) => p.uri === u);
        throw new Error(`no matching diagnostics for ${u}; last: ${JSON.stringify(last?.diagnostics.map((d) => d.code))}\nserver log:\n${this.logs.join('')}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Diagnostics of `u` for document version `version`. */
  diagnosticsFor(u: string, version: number, timeoutMs?: number): Promise<Diagnostic[]> {
    return this.diagnostics(u, (_d, p) => p.version === version, 0, timeoutMs);
  }

  async dispose(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      // The process may already be gone.
    }
    this.connection.dispose();
    if (this.child.exitCode === null) this.child.kill();
  }
}

export function uri(path: string): string {
  return pathToFileURL(path).href;
}

/** Applies LSP text edits to a text (edits do not overlap; applied from the end). */
export function applyTextEdits(
  text: string,
  edits: Array<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }>,
): string {
  const offsetAt = (p: { line: number; character: number }) => {
    let offset = 0;
    for (let line = 0; line < p.line; line++) {
      const nl = text.indexOf('\n', offset);
      if (nl < 0) return text.length;
      offset = nl + 1;
    }
    return Math.min(offset + p.character, text.length);
  };
  const resolved = edits.map((e) => ({ start: offsetAt(e.range.start), end: offsetAt(e.range.end), newText: e.newText }));
  resolved.sort((a, b) => b.start - a.start);
  return resolved.reduce((t, e) => t.slice(0, e.start) + e.newText + t.slice(e.end), text);
}

/**
 * tidemark.json's `lint.rules` turning every rule off except `ids`, so a test about the server or
 * the CLI sees exactly the findings it is about while the rule set grows.
 */
export function onlyRules(ids: string[]): Record<string, 'off'> {
  return Object.fromEntries(allRules.filter((r) => !ids.includes(r.id)).map((r) => [r.id, 'off' as const]));
}

/** A fresh folder holding `files` (relative path → text); with `rules`, a tidemark.json enabling only those. */
export function tempWorkspace(files: Record<string, string>, rules?: string[]): string {
  const dir = scratchDir('lsp-');
  // non-idempotent-ddl judges only migrations that can run twice: these workspaces re-run files by hand.
  const idempotency = rules?.includes('non-idempotent-ddl') ? { idempotency: 'require' } : {};
  if (rules) files = { 'tidemark.json': JSON.stringify({ lint: { rules: onlyRules(rules), ...idempotency } }), ...files };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

export const codes = (diagnostics: Array<{ code?: string | number }>) => diagnostics.map((d) => d.code);
