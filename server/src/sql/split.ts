/**
 * Splits SQL text into statements with exact ranges without parsing it, so that one statement
 * with a syntax error (or an unterminated quote) never hides the statements around it.
 * The tokenizer already knows what can hide a semicolon (strings, quoted names, dollar quotes,
 * comments); this adds BEGIN ATOMIC ... END bodies, whose semicolons do not end the statement.
 */
import { rememberTokens, sqlTokens, type Token } from './tokens';

export interface StatementSpan {
  /** Offset of the statement's first character (after whitespace and comments). */
  start: number;
  /** Offset just past the statement: after its semicolon, or after its last token. */
  end: number;
  /** Offset where the gap before the statement begins (end of the previous statement). */
  gapStart: number;
  /** False when the text ran out before the statement was closed by a semicolon. */
  terminated: boolean;
}

export function splitStatements(text: string, baseOffset = 0): StatementSpan[] {
  const spans: StatementSpan[] = [];
  let gapStart = 0;
  let start = -1;
  let lastTokenEnd = -1;
  // Depth of BEGIN ATOMIC bodies; CASE ... END nests inside them.
  let atomicDepth = 0;
  let previousWord = '';
  const tokens = sqlTokens(text);
  let first = 0;
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k];
    if (start < 0) {
      start = token.start;
      first = k;
    }
    lastTokenEnd = token.end;
    if (token.kind === 'punct' && token.value === ';' && atomicDepth === 0) {
      spans.push({ start: start + baseOffset, end: token.end + baseOffset, gapStart: gapStart + baseOffset, terminated: true });
      start = -1;
      gapStart = token.end;
      keepStatementTokens(text, tokens, first, k + 1);
      previousWord = '';
      continue;
    }
    if (token.kind !== 'word') {
      previousWord = '';
      continue;
    }
    if (token.value === 'atomic' && previousWord === 'begin') atomicDepth++;
    else if (atomicDepth > 0 && token.value === 'case') atomicDepth++;
    else if (atomicDepth > 0 && token.value === 'end') atomicDepth--;
    previousWord = token.value;
  }
  if (start >= 0) {
    spans.push({ start: start + baseOffset, end: lastTokenEnd + baseOffset, gapStart: gapStart + baseOffset, terminated: false });
    keepStatementTokens(text, tokens, first, tokens.length);
  }
  return spans;
}

/**
 * Tokens [from, to) are one statement's: a statement's text tokenizes the same on its own as in
 * its file (a token never depends on what precedes the statement), so they are kept for it,
 * moved to offsets relative to its text. They are this call's own objects, moved in place.
 */
function keepStatementTokens(text: string, tokens: Token[], from: number, to: number): void {
  const start = tokens[from].start;
  const statementText = text.slice(start, tokens[to - 1].end);
  const own = tokens.slice(from, to);
  for (const token of own) {
    token.start -= start;
    token.end -= start;
  }
  rememberTokens(statementText, own);
}
