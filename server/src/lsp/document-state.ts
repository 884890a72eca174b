/**
 * What the server keeps for one open document: its pending lint, last lint result, pending replay
 * and last replay result. One object per document, so closing a document forgets all of it in one
 * call instead of clearing a map per concern by hand.
 */
import type { LintResult } from './diagnostics';
import type { DocumentReplay } from './replay-diagnostics';

export class DocumentState {
  /** The last lint result published, for the version it was linted at. */
  lint?: LintResult;
  /** The replay's findings for the version it checked; dropped when the text changes. */
  replay?: DocumentReplay;
  /** A lint is scheduled (the user is typing). */
  lintTimer?: NodeJS.Timeout;
  /** With `tidemark.check.onType`: the replay waiting for a pause in typing. */
  replayTimer?: NodeJS.Timeout;
  /** Whether the first content change (the open) was seen: that one is linted without a pause. */
  opened = false;

  cancelLint(): void {
    clearTimeout(this.lintTimer);
    this.lintTimer = undefined;
  }

  cancelReplayTimer(): void {
    clearTimeout(this.replayTimer);
    this.replayTimer = undefined;
  }

  dispose(): void {
    this.cancelLint();
    this.cancelReplayTimer();
  }
}

/** The states of the open documents, by URI. */
export class DocumentStates {
  private readonly byUri = new Map<string, DocumentState>();

  /** The document's state, created on first use. */
  of(uri: string): DocumentState {
    let state = this.byUri.get(uri);
    if (!state) this.byUri.set(uri, (state = new DocumentState()));
    return state;
  }

  /** The state if the document has one, without creating it. */
  peek(uri: string): DocumentState | undefined {
    return this.byUri.get(uri);
  }

  close(uri: string): void {
    this.byUri.get(uri)?.dispose();
    this.byUri.delete(uri);
  }
}
