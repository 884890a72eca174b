/**
 * The tokens of one statement's text with their exact ranges, comments and whitespace skipped.
 * The parse tree gives locations for some nodes only (an ALTER TABLE command has none); rules
 * that underline a clause or insert a keyword find it among these tokens.
 */
import { TextCache } from './text-cache';

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'punct';

export interface Token {
  kind: TokenKind;
  /** Offsets in the text that was tokenized. */
  start: number;
  end: number;
  /** Lower-cased for words (keywords and unquoted identifiers), the raw text otherwise. */
  value: string;
}

const isIdentChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127;
const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;

/** Tokenizes SQL; never throws (an unterminated quote runs to the end of the text). */
export function sqlTokens(text: string): Token[] {
  const tokens: Token[] = [];
  scanTokens(text, (kind, start, end, upper) => tokens.push(tokenOf(text, kind, start, end, upper)));
  return tokens;
}

/** The token scanTokens found at `start`..`end` of `text`, as sqlTokens gives it. */
export function tokenOf(text: string, kind: TokenKind, start: number, end: number, upper: boolean): Token {
  let value: string;
  if (kind === 'word') value = upper ? text.slice(start, end).toLowerCase() : text.slice(start, end);
  else if (kind === 'quoted') value = text.slice(start + 1, Math.max(start + 1, end - 1)).replace(/""/g, '"');
  else value = text.slice(start, end);
  return { kind, start, end, value };
}

/**
 * Calls `visit` with each token of `text` as sqlTokens finds it, without making it an object:
 * its kind, its range, and for a word whether it has characters to lower-case (an upper-case
 * letter or any beyond ASCII). For callers that look at few tokens (splitStatements): tokens
 * made and dropped were a tenth of what a run over a repository allocated.
 */
export function scanTokens(text: string, visit: (kind: TokenKind, start: number, end: number, upper: boolean) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 45 && text.charCodeAt(i + 1) === 45) {
      // PostgreSQL ends a line comment at \n or \r: a file with lone-CR line ends has SQL after it.
      let end = i + 2;
      while (end < n && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
      i = end < n ? end + 1 : n;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text.charCodeAt(i) === 47 && text.charCodeAt(i + 1) === 42) {
          depth++;
          i += 2;
        } else if (text.charCodeAt(i) === 42 && text.charCodeAt(i + 1) === 47) {
          depth--;
          i += 2;
        } else i++;
      }
      continue;
    }
    const start = i;
    if (c === 39 /* ' */) {
      i = closeQuote(text, i + 1, 39, false);
      visit('string', start, i, false);
      continue;
    }
    if (c === 34 /* " */) {
      i = closeQuote(text, i + 1, 34, false);
      visit('quoted', start, i, false);
      continue;
    }
    if (c === 36 /* $ */) {
      let j = i + 1;
      if (j < n && isIdentStart(text.charCodeAt(j))) while (j < n && isIdentChar(text.charCodeAt(j)) && text.charCodeAt(j) !== 36) j++;
      if (text.charCodeAt(j) === 36) {
        const tag = text.slice(i, j + 1);
        const closing = text.indexOf(tag, j + 1);
        i = closing < 0 ? n : closing + tag.length;
        visit('string', start, i, false);
        continue;
      }
      // $1: a parameter.
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      i = Math.max(j, i + 1);
      visit('punct', start, i, false);
      continue;
    }
    if (isIdentStart(c)) {
      let j = i;
      // Lower-casing allocates a second string; most words in hand-written SQL are lower case already.
      let upper = false;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (!isIdentChar(d)) break;
        upper ||= (d >= 65 && d <= 90) || d > 127;
      }
      i = j;
      if (j === start + 1 && (c === 101 || c === 69) && text.charCodeAt(j) === 39) {
        // E'...' is one string token with its prefix, in which backslashes escape.
        i = closeQuote(text, j + 1, 39, true);
        visit('string', start, i, false);
        continue;
      }
      visit('word', start, i, upper);
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      let j = i + 1;
      while (j < n && (isIdentChar(text.charCodeAt(j)) || text.charCodeAt(j) === 46)) j++;
      i = j;
      visit('number', start, i, false);
      continue;
    }
    i++;
    visit('punct', start, i, false);
  }
}

function closeQuote(text: string, i: number, quote: number, backslashEscapes: boolean): number {
  const n = text.length;
  while (i < n) {
    const d = text.charCodeAt(i);
    if (backslashEscapes && d === 92) {
      i += 2;
      continue;
    }
    if (d === quote) {
      if (text.charCodeAt(i + 1) === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return n;
}

/** Index of the first token at or after `from` that is the word `word` (lower case). */
export function findWord(tokens: readonly Token[], word: string, from = 0): number {
  for (let k = from; k < tokens.length; k++) if (tokens[k].kind === 'word' && tokens[k].value === word) return k;
  return -1;
}

/** Index of the first token that starts at or after `offset` (tokens are in text order). */
export function tokenAt(tokens: readonly Token[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].start >= offset) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// By text rather than by statement: the server builds new Statement objects on every keystroke.
const tokensByText = new TextCache<Token[]>(20_000, 64 * 1024, 512 * 1024);

/**
 * Keeps at most `maxTotalChars` of statement text in the tokens cache. A run over a folder asks for
 * a statement's tokens only while its own migration is linted, and the statement keeps the tokens
 * it was asked for (clauses.ts): cached by text as well they outlived a few garbage collections each
 * and were copied into the old generation, for no later use.
 */
export function limitTokenCache(maxTotalChars: number): void {
  tokensByText.limit(maxTotalChars);
}

/** The tokens of one statement's text, cached; callers must not modify them. */
export function cachedTokens(text: string): Token[] {
  return tokensByText.get(text, sqlTokens);
}

/** The cached tokens of a statement's text, without tokenizing it when there are none. */
export function knownTokens(text: string): Token[] | undefined {
  return tokensByText.has(text) ? tokensByText.get(text, sqlTokens) : undefined;
}

/**
 * Keeps tokens the splitter already produced for a statement's text (offsets relative to that
 * text), so rules asking for them later do not tokenize the statement a second time.
 */
export function rememberTokens(text: string, tokens: Token[]): void {
  tokensByText.set(text, tokens);
}

/** Whether rememberTokens keeps anything (not in a run that limited the cache to nothing). */
export function remembersTokens(): boolean {
  return tokensByText.keepsText();
}
