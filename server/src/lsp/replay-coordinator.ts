/**
 * The replay check for open documents: after a document's static lint is published, on save, on
 * request, or (with `tidemark.check.onType`) after a pause in typing, runs the check on the worker
 * thread; a newer request for the same file cancels the running one. Findings go to each open
 * file of the migration whose text is still the one checked.
 */
import type { Connection } from 'vscode-languageserver';
import { DEFAULT_REPLAY_TIMEOUT_MS, EditorReplay } from '../replay/editor-check';
import { durationMs } from '../migrations/config';
import { shadowSetupOf } from '../replay/project';
import { ReplayStatusNotification, type ReplayMigrationResult, type ReplayStatus } from '../protocol';
import type { DocumentStates } from './document-state';
import { isSqlDocument, type LintScheduler, type Log } from './lint-scheduler';
import { uriToPath, type OpenDocuments } from './open-documents';
import { isInside } from '../migrations/config';
import type { WorkspaceConfigs } from './workspace-config';

/** With `tidemark.check.onType`, the pause after the last keystroke before the replay check runs. */
const REPLAY_TYPING_PAUSE_MS = 700;

export class ReplayCoordinator {
  /** `tidemark.check.onType`: replay after a pause in typing, not only on save. */
  checkOnType = false;
  /**
   * The client's workspace trust. The replay runs the workspace's migrations and check.setup, so an
   * untrusted workspace gets none; a client that says nothing (not VS Code) is trusted.
   */
  workspaceTrusted = true;
  private readonly replay: EditorReplay;

  constructor(
    private readonly connection: Connection,
    private readonly docs: OpenDocuments,
    private readonly configs: WorkspaceConfigs,
    private readonly states: DocumentStates,
    private readonly lint: LintScheduler,
    bundleDir: string,
    private readonly docsBase: string,
    private readonly log: Log,
  ) {
    this.replay = new EditorReplay(bundleDir, (message) => log(message));
  }

  /** The static lint now (unless current), then the replay. */
  lintThenReplay(uri: string): Promise<ReplayMigrationResult> {
    return this.lint.ready.then(
      () => {
        if (!this.lint.isCurrent(uri)) this.lint.lintNow(uri);
        return this.run(uri);
      },
      (error) => {
        this.log('the SQL parser failed to load', error);
        return { uri, state: 'failed' as const, message: 'the SQL parser failed to load' };
      },
    );
  }

  /** The text changed: the replay's findings were for the old text, and a running check is stale. */
  textChanged(uri: string, opened: boolean): void {
    const state = this.states.of(uri);
    this.replay.cancel(uriToPath(uri));
    state.replay = undefined;
    if (!this.checkOnType || opened) return;
    state.cancelReplayTimer();
    state.replayTimer = setTimeout(() => void this.lintThenReplay(uri), this.lint.delayMs + REPLAY_TYPING_PAUSE_MS);
  }

  /** The document closed: its check, if running, is of no use any more. */
  closed(uri: string): void {
    this.replay.cancel(uriToPath(uri));
  }

  dispose(): void {
    this.replay.dispose();
  }

  private async run(uri: string): Promise<ReplayMigrationResult> {
    this.states.peek(uri)?.cancelReplayTimer();
    if (!this.workspaceTrusted) {
      this.notify({ uri, state: 'untrusted' });
      return { uri, state: 'untrusted', message: 'the replay check runs only in a trusted workspace: it runs the migrations and check.setup of this folder' };
    }
    const doc = this.docs.documents.get(uri);
    if (!doc || !isSqlDocument(doc) || !uri.startsWith('file:')) return { uri, state: 'failed', message: 'the file is not an open SQL file' };
    const path = uriToPath(uri);
    const config = this.configs.forFile(path);
    if (!isInside(config.migrationsDir, path)) return { uri, state: 'failed', message: `not a migration: it is outside ${config.migrationsDir}` };
    let setup;
    try {
      setup = shadowSetupOf(config);
    } catch (error) {
      this.log('the replay check cannot start', error);
      return { uri, state: 'failed', message: `the replay check cannot start: ${error instanceof Error ? error.message : String(error)}` };
    }
    const versions = new Map<string, number>();
    const unsaved: Record<string, string> = {};
    for (const open of this.docs.all()) {
      const openPath = uriToPath(open.uri);
      if (!isInside(config.migrationsDir, openPath)) continue;
      versions.set(open.uri, open.version);
      unsaved[openPath] = open.getText();
    }
    this.notify({ uri, state: 'started' });
    let outcome;
    try {
      outcome = await this.replay.check(
        { path, migrationsDir: config.migrationsDir, setup, unsaved, severities: config.severities, policy: config.config.lint, docsBase: this.docsBase },
        durationMs(config.config.check?.timeout) ?? DEFAULT_REPLAY_TIMEOUT_MS,
      );
    } catch (error) {
      this.log(`the replay check of ${path} failed`, error);
      this.notify({ uri, state: 'failed' });
      return { uri, state: 'failed', message: error instanceof Error ? error.message : String(error) };
    }
    if (outcome.kind === 'cancelled') {
      this.notify({ uri, state: 'cancelled' });
      return { uri, state: 'cancelled' };
    }
    const checked = outcome.result;
    for (const file of checked?.files ?? []) {
      const fileUri = this.docs.uriOf(file);
      const current = this.docs.documents.get(fileUri);
      // A file edited since the check started gets the next run's findings, not these.
      if (!current || versions.get(fileUri) !== current.version) continue;
      this.states.of(fileUri).replay = {
        version: current.version,
        findings: checked!.findings.filter((f) => f.path === file),
        observedLocks: file === checked!.upPath ? checked!.observedLocks : undefined,
        completed: checked!.completed,
      };
      this.lint.republish(fileUri);
    }
    const finished = { uri, state: 'finished' as const, findings: checked?.findings.length ?? 0, durationMs: checked?.durationMs };
    this.notify(finished);
    return finished;
  }

  private notify(status: ReplayStatus): void {
    void this.connection.sendNotification(ReplayStatusNotification.type, status);
  }
}
