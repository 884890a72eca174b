/**
 * Splits SQL text into statements with exact ranges without parsing it, so that one statement
 * with a syntax error (or an unterminated quote) never hides the statements around it.
 * The tokenizer already knows what can hide a semicolon (strings, quoted names, dollar quotes,
 * comments); this adds BEGIN ATOMIC ... END bodies, whose semicolons do not end the statement.
 */
import { rememberTokens, remembersTokens, scanTokens, tokenOf, type Token } from './tokens';

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
  // The tokens, kept for the statements' rules when the tokens cache keeps any (an editor): a run
  // over a repository only looks at the few that can end a statement.
  const tokens: Token[] | undefined = remembersTokens() ? [] : undefined;
  let first = 0;
  scanTokens(text, (kind, tokenStart, tokenEnd, upper) => {
    tokens?.push(tokenOf(text, kind, tokenStart, tokenEnd, upper));
    if (start < 0) {
      start = tokenStart;
      first = tokens ? tokens.length - 1 : 0;
    }
    lastTokenEnd = tokenEnd;
    if (kind === 'punct' && tokenEnd === tokenStart + 1 && text.charCodeAt(tokenStart) === 59 /* ; */ && atomicDepth === 0) {
      spans.push({ start: start + baseOffset, end: tokenEnd + baseOffset, gapStart: gapStart + baseOffset, terminated: true });
      if (tokens) keepStatementTokens(text, tokens, first, tokens.length);
      start = -1;
      gapStart = tokenEnd;
      previousWord = '';
      return;
    }
    if (kind !== 'word') {
      previousWord = '';
      return;
    }
    // Only the words BEGIN, ATOMIC, CASE and END matter here: longer ones need no lower-casing.
    const word = tokenEnd - tokenStart > 6 ? '' : upper ? text.slice(tokenStart, tokenEnd).toLowerCase() : text.slice(tokenStart, tokenEnd);
    if (word === 'atomic' && previousWord === 'begin') atomicDepth++;
    else if (atomicDepth > 0 && word === 'case') atomicDepth++;
    else if (atomicDepth > 0 && word === 'end') atomicDepth--;
    previousWord = word;
  });
  if (start >= 0) {
    spans.push({ start: start + baseOffset, end: lastTokenEnd + baseOffset, gapStart: gapStart + baseOffset, terminated: false });
    if (tokens) keepStatementTokens(text, tokens, first, tokens.length);
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
