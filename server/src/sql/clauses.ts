/**
 * Exact ranges of the parts of a statement the parse tree gives no location for: each command of
 * an ALTER TABLE, the relation name as written, the statement without its semicolon. Rules use
 * them to underline the clause at fault and to compute fixes that edit just that clause.
 */
import type { RangeVar } from '@pgsql/types';
import type { Statement } from './statements';
import { cachedTokens, tokenAt, type Token } from './tokens';

/** A range of absolute offsets in the statement's file. */
export interface TextRange {
  start: number;
  end: number;
}

// Rules ask for the same statement's tokens many times: by identity first, which is cheaper than
// looking the text up (hashing and comparing it) each time.
const tokensByStatement = new WeakMap<Statement, Token[]>();

/** The statement's tokens (offsets relative to `statement.text`); callers must not modify them. */
export function statementTokens(statement: Statement): Token[] {
  let tokens = tokensByStatement.get(statement);
  if (!tokens) {
    tokens = cachedTokens(statement.text);
    tokensByStatement.set(statement, tokens);
  }
  return tokens;
}

/** The statement's range without its terminating semicolon. */
export function bodyRange(statement: Statement): TextRange {
  const tokens = statementTokens(statement);
  let last = tokens.length - 1;
  while (last >= 0 && tokens[last].value === ';' && tokens[last].kind === 'punct') last--;
  if (last < 0) return { start: statement.start, end: statement.end };
  return { start: statement.start + tokens[0].start, end: statement.start + tokens[last].end };
}

/** True when the statement text ends with its own semicolon. */
export function hasSemicolon(statement: Statement): boolean {
  const tokens = statementTokens(statement);
  const last = tokens[tokens.length - 1];
  return last?.kind === 'punct' && last.value === ';';
}

/** Index just past a possibly qualified name (`a`, `"A".b`, `a.b.c`) starting at token `k`. */
function skipQualifiedName(tokens: readonly Token[], k: number): number {
  if (k >= tokens.length || (tokens[k].kind !== 'word' && tokens[k].kind !== 'quoted')) return k;
  k++;
  while (k + 1 < tokens.length && tokens[k].value === '.' && (tokens[k + 1].kind === 'word' || tokens[k + 1].kind === 'quoted')) k += 2;
  return k;
}

/** The relation's name as written in the statement (e.g. `public."Orders"`), with its range. */
export function relationRange(statement: Statement, relation: RangeVar): TextRange | undefined {
  if (relation.location === undefined) return undefined;
  const tokens = statementTokens(statement);
  const local = statement.offsetOf(relation.location) - statement.start;
  const k = tokenAt(tokens, local);
  const end = skipQualifiedName(tokens, k);
  if (end === k) return undefined;
  return { start: statement.start + tokens[k].start, end: statement.start + tokens[end - 1].end };
}

/**
 * The range of each command of an ALTER TABLE statement (`ADD COLUMN ...`, `ALTER COLUMN ...`),
 * in the order of the tree's `cmds`; undefined when the text cannot be matched to the tree (then
 * callers fall back to the whole statement).
 */
export function alterTableCommandRanges(statement: Statement, relation: RangeVar | undefined, commandCount: number): TextRange[] | undefined {
  if (!relation) return undefined;
  const tokens = statementTokens(statement);
  const name = relationRange(statement, relation);
  if (!name) return undefined;
  let k = tokenAt(tokens, name.end - statement.start);
  if (tokens[k]?.value === '*') k++;
  const ranges: TextRange[] = [];
  let depth = 0;
  let pieceStart = k;
  const close = (endToken: number) => {
    if (endToken > pieceStart) ranges.push({ start: statement.start + tokens[pieceStart].start, end: statement.start + tokens[endToken - 1].end });
  };
  for (; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind !== 'punct') continue;
    if (t.value === '(' || t.value === '[') depth++;
    else if (t.value === ')' || t.value === ']') depth--;
    else if (t.value === ',' && depth === 0) {
      close(k);
      pieceStart = k + 1;
    } else if (t.value === ';' && depth === 0) break;
  }
  close(k);
  return ranges.length === commandCount ? ranges : undefined;
}

/**
 * The range that removes command `index` of an ALTER TABLE together with one separating comma,
 * leaving the other commands a valid list. Undefined when it is the only command.
 */
export function commandRemovalRange(ranges: readonly TextRange[], index: number): TextRange | undefined {
  if (ranges.length < 2) return undefined;
  // Remove from the end of the previous command (its comma included); the first command takes the comma after it.
  if (index > 0) return { start: ranges[index - 1].end, end: ranges[index].end };
  return { start: ranges[0].start, end: ranges[1].start };
}

/**
 * The range of each name in a `DROP kind [IF EXISTS] a, b.c [CASCADE | RESTRICT]` statement, in
 * order; undefined when the count does not match the tree's object list.
 */
export function dropObjectRanges(statement: Statement, objectCount: number): TextRange[] | undefined {
  const tokens = statementTokens(statement);
  let end = tokens.length;
  while (end > 0 && tokens[end - 1].kind === 'punct' && tokens[end - 1].value === ';') end--;
  if (end > 0 && tokens[end - 1].kind === 'word' && (tokens[end - 1].value === 'cascade' || tokens[end - 1].value === 'restrict')) end--;
  const ranges: TextRange[] = [];
  // Walk back over `name, name, ...`: each name is word/quoted tokens joined by dots.
  let k = end - 1;
  for (;;) {
    const last = k;
    if (k < 0 || (tokens[k].kind !== 'word' && tokens[k].kind !== 'quoted')) return undefined;
    while (k >= 2 && tokens[k - 1].value === '.' && tokens[k - 1].kind === 'punct' && (tokens[k - 2].kind === 'word' || tokens[k - 2].kind === 'quoted')) k -= 2;
    ranges.unshift({ start: statement.start + tokens[k].start, end: statement.start + tokens[last].end });
    if (ranges.length === objectCount) return ranges;
    k--;
    if (k < 0 || tokens[k].kind !== 'punct' || tokens[k].value !== ',') return undefined;
    k--;
  }
}
