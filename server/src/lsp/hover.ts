/**
 * Hover on a statement: the lock it takes, what that lock blocks, whether it rewrites or scans
 * the table, and the safer way; on a diagnostic, the finding's explanation and docs page.
 */
import { MarkupKind, type Hover } from 'vscode-languageserver';
import type { Finding, LintUnit } from '../lint/types';
import { lockEffects, type LockEffect } from '../sql/locks';
import type { SourceFile } from '../sql/source';
import type { Statement } from '../sql/statements';
import { statementLabel } from './symbols';
import type { ObservedLocks } from '../replay/check';

/** The innermost statement at `offset`: a statement inside a DO block beats the DO block. */
export function statementAt(unit: LintUnit, file: SourceFile, offset: number): Statement | undefined {
  let best: Statement | undefined;
  for (const section of [unit.up, unit.down, unit.verify, unit.precheck]) {
    if (!section || section.file.path !== file.path) continue;
    for (const statement of section.statementsWithEmbedded) {
      if (offset < statement.start || offset > statement.end) continue;
      if (!best || statement.end - statement.start < best.end - best.start) best = statement;
    }
  }
  return best;
}

function describeLock(effect: LockEffect): string {
  const lines = [`Takes **${effect.mode}** on \`${effect.relation}\``];
  lines.push(effect.blocks.length ? `- Blocks ${joinWords(effect.blocks)} by other sessions while held` : '- Blocks no reads or writes');
  if (effect.rewrite) lines.push('- Rewrites the whole table and its indexes');
  if (effect.scan) lines.push('- Scans the whole table while holding the lock');
  if (effect.saferAlternative) lines.push(`- Safer: ${effect.saferAlternative}`);
  return lines.join('\n');
}

function joinWords(words: string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** The locks the replay check saw the statement take in the shadow, next to the prediction. */
function describeObserved(observed: ObservedLocks): string {
  if (!observed.locks.length) return 'Observed in the shadow (replay check): no relation lock its transaction did not already hold';
  return `Observed in the shadow (replay check): ${observed.locks.map((l) => `**${l.mode}** on \`${l.relation}\``).join(', ')}`;
}

export function hoverAt(unit: LintUnit, file: SourceFile, findings: Finding[], offset: number, observedLocks?: readonly ObservedLocks[]): Hover | null {
  const parts: string[] = [];
  for (const finding of findings) {
    if (offset < finding.start || offset > finding.end) continue;
    parts.push(`**${finding.rule}** (${finding.severity}): ${finding.message}\n\n[Documentation for ${finding.rule}](${finding.docs})`);
  }
  const statement = statementAt(unit, file, offset);
  if (statement?.node) {
    let effects: LockEffect[] = [];
    try {
      effects = lockEffects(statement.node);
    } catch {
      // A lock table gap must not take the hover down; the findings above are still worth showing.
    }
    const observed = observedLocks?.find((o) => o.start === statement.start && o.end === statement.end);
    const lockParts = [...effects.map(describeLock), ...(observed ? [describeObserved(observed)] : [])];
    if (lockParts.length) parts.unshift(`\`${statementLabel(statement)}\`\n\n${lockParts.join('\n\n')}`);
  }
  if (!parts.length) return null;
  const range = statement && { start: file.positionAt(statement.start), end: file.positionAt(statement.end) };
  return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') }, ...(range ? { range } : {}) };
}
