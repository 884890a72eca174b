/**
 * The replay check's results as they show in the editor: its findings as diagnostics after the
 * static ones, and the static non-idempotent-ddl guess dropped where the replay ran the section a
 * second time without a failure (it proved the statement re-runnable).
 */
import type { Diagnostic } from 'vscode-languageserver';
import type { Finding } from '../lint/types';
import type { SourceFile } from '../sql/source';
import type { ObservedLocks } from '../replay/check';
import type { EditorReplayFinding } from '../replay/editor-check';
import { toDiagnostic } from './diagnostics';

/** The replay's part of one open document, for the document version it was checked at. */
export interface DocumentReplay {
  version: number;
  findings: EditorReplayFinding[];
  /** Set on the up file: the locks each statement took in the shadow. */
  observedLocks?: ObservedLocks[];
  /** Every step ran: statements without a replay-not-idempotent finding re-ran fine. */
  completed: boolean;
}

const STATIC_IDEMPOTENCE_RULE = 'non-idempotent-ddl';

export function replayFindings(replay: DocumentReplay): Finding[] {
  return replay.findings.map(({ path: _path, ...finding }) => ({ ...finding, fixes: [] }));
}

/** The static diagnostics merged with the replay's (which carry no `data`: they have no fixes). */
export function mergedDiagnostics(
  staticDiagnostics: Diagnostic[],
  staticFindings: readonly Finding[],
  replay: DocumentReplay | undefined,
  file: SourceFile,
  version: number,
): Diagnostic[] {
  if (!replay || replay.version !== version) return staticDiagnostics;
  const notIdempotent = replay.findings.filter((f) => f.rule === 'replay-not-idempotent');
  const provedFine = (d: Diagnostic, index: number) => {
    if (!replay.completed || d.code !== STATIC_IDEMPOTENCE_RULE) return false;
    const finding = staticFindings[index];
    return !!finding && !notIdempotent.some((f) => f.start <= finding.end && finding.start <= f.end);
  };
  const kept = staticDiagnostics.filter((d, index) => !provedFine(d, index));
  const replayed = replayFindings(replay).map((finding) => {
    const { data: _data, ...diagnostic } = toDiagnostic(finding, -1, file, version);
    return diagnostic;
  });
  return [...kept, ...replayed];
}
