/**
 * When open documents are linted: at once when opened, after a pause while the user types, again
 * when a companion file or the config changes, and on demand for a code action or a hover that
 * needs the current text's result. Publishes each result merged with the replay's findings.
 */
import { dirname } from 'node:path';
import type { Connection } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { lintDocument, type LintResult } from './diagnostics';
import { ensureParser, unavailableParseCount } from '../sql/parse';
import type { DocumentStates } from './document-state';
import { uriToPath, type OpenDocuments } from './open-documents';
import { mergedDiagnostics } from './replay-diagnostics';
import type { WorkspaceConfigs } from './workspace-config';
import type { DiskFacts } from './disk-facts';

/** Pause after a keystroke before re-linting; clients may lower it (benchmarks use 0). */
export const DEFAULT_LINT_DELAY_MS = 150;

export function isSqlDocument(doc: TextDocument): boolean {
  return doc.languageId === 'sql' || doc.languageId === 'pgsql' || doc.languageId === 'postgres' || /\.sql$/i.test(doc.uri);
}

export type Log = (message: string, error?: unknown) => void;

export class LintScheduler {
  delayMs = DEFAULT_LINT_DELAY_MS;

  constructor(
    private readonly connection: Connection,
    private readonly docs: OpenDocuments,
    private readonly configs: WorkspaceConfigs,
    private readonly states: DocumentStates,
    private readonly disk: DiskFacts,
    private readonly docsBase: string,
    /** The parser is loaded and the editor's settings read: the first lint waits for both. */
    readonly ready: Promise<unknown>,
    private readonly log: Log,
  ) {}

  /** Lints one open document now and publishes its diagnostics. Never throws. */
  lintNow(uri: string): LintResult | undefined {
    const state = this.states.peek(uri);
    state?.cancelLint();
    const doc = this.docs.documents.get(uri);
    if (!doc || !isSqlDocument(doc)) return undefined;
    try {
      const path = uriToPath(uri);
      const missedParses = unavailableParseCount();
      const result = this.disk.editor(path, () =>
        lintDocument({ uri, version: doc.version, path, text: doc.getText() }, this.docs, this.configs.forFile(path), this.docsBase, (rule, error) =>
          this.log(`rule ${rule} failed on ${path}`, error),
        ),
      );
      this.states.of(uri).lint = result;
      this.publish(uri, result);
      // A statement was parsed while the parser was being replaced after a trap: lint again once it is back.
      if (unavailableParseCount() !== missedParses)
        void ensureParser().then(
          () => this.schedule(uri, 0),
          (error) => this.log('the SQL parser failed to load', error),
        );
      return result;
    } catch (error) {
      this.log(`linting ${uri} failed`, error);
      return undefined;
    }
  }

  /** Lints after `delay` ms, replacing a lint already scheduled. */
  schedule(uri: string, delay = this.delayMs): void {
    const state = this.states.of(uri);
    state.cancelLint();
    state.lintTimer = setTimeout(() => {
      this.ready.then(
        () => this.lintNow(uri),
        (error) => this.log('the SQL parser failed to load', error),
      );
    }, delay);
  }

  /** Whether the published result is for the document's current text and no lint is pending. */
  isCurrent(uri: string): boolean {
    const doc = this.docs.documents.get(uri);
    const state = this.states.peek(uri);
    return !!doc && !!state?.lint && state.lint.version === doc.version && !state.lintTimer;
  }

  /** The current lint result of a document, linting it first when it changed since. */
  async freshResult(uri: string): Promise<LintResult | undefined> {
    await this.ready;
    if (!this.docs.documents.get(uri)) return undefined;
    return this.isCurrent(uri) ? this.states.peek(uri)!.lint : this.lintNow(uri);
  }

  /** The static diagnostics of a document merged with the replay's for the same version. */
  publish(uri: string, result: LintResult): void {
    const diagnostics = mergedDiagnostics(result.diagnostics, result.findings, this.states.peek(uri)?.replay, result.file, result.version);
    void this.connection.sendDiagnostics({ uri, version: result.version, diagnostics });
  }

  /** Re-publishes a document's last result if it is for its current text (the replay's findings changed). */
  republish(uri: string): void {
    const doc = this.docs.documents.get(uri);
    const result = this.states.peek(uri)?.lint;
    if (doc && result && result.version === doc.version) this.publish(uri, result);
  }

  /** Lints now every open SQL document waiting for its first lint (just opened): before background work. */
  lintUnlinted(): void {
    for (const doc of this.docs.all()) {
      const state = this.states.peek(doc.uri);
      if (state?.lintTimer && !state.lint && isSqlDocument(doc)) this.lintNow(doc.uri);
    }
  }

  /** Every open SQL document, after `delay` ms (a config change). */
  scheduleAll(delay: number): void {
    for (const doc of this.docs.all()) if (isSqlDocument(doc)) this.schedule(doc.uri, delay);
  }

  /** Open documents whose diagnostics may change when `path` changes: parts of the same migration folder. */
  relintNeighbours(path: string): void {
    const folder = dirname(path);
    for (const doc of this.docs.all()) {
      const other = uriToPath(doc.uri);
      if (other === path || !isSqlDocument(doc)) continue;
      const otherFolder = dirname(other);
      const unit = this.states.peek(doc.uri)?.lint?.unit;
      const uses = [unit?.up, unit?.down, unit?.verify, unit?.precheck].some((s) => s?.file.path === path) || unit?.problems.some((p) => p.relatedPath === path);
      if (uses || otherFolder === folder || otherFolder === dirname(folder) || dirname(otherFolder) === folder) this.schedule(doc.uri);
    }
  }
}
