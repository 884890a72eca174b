/**
 * File ranges of token spans inside a statement — also inside an EXECUTE'd string, where the
 * statement's text and the file differ by doubled quotes — and parenthesis matching, for rules
 * that underline or edit a clause the parse tree only gives a start location for.
 */
import { statementTokens } from './clauses';
import { fileOffsetOf } from './embedded';
import { ByteOffsets } from './parse';
import type { Statement } from './statements';
import { tokenAt, type Token } from './tokens';

export interface TokenSpan {
  tokens: Token[];
  /** Index of the token at the AST location. */
  index: number;
}

/** The statement's tokens and the index of the one an AST `location` (UTF-8 bytes) points at. */
export function tokensAtLocation(statement: Statement, location: number | undefined): TokenSpan | undefined {
  if (location === undefined || location < 0) return undefined;
  const tokens = statementTokens(statement);
  const local = new ByteOffsets(statement.text).toOffset(location);
  const index = tokenAt(tokens, local);
  return index < tokens.length && tokens[index].start === local ? { tokens, index } : undefined;
}

/** Absolute file range from token `first` to token `last` (inclusive). */
export function fileRange(statement: Statement, tokens: readonly Token[], first: number, last: number): { start: number; end: number } {
  return { start: fileOffsetOf(statement, tokens[first].start), end: fileOffsetOf(statement, tokens[last].end) };
}

/** Index of the `)` closing the `(` at `open`, or -1. */
export function matchingParen(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (tokens[k].kind !== 'punct') continue;
    if (tokens[k].value === '(') depth++;
    else if (tokens[k].value === ')' && --depth === 0) return k;
  }
  return -1;
}
