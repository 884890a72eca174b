/**
 * Splits SQL text into statements with exact ranges without parsing it, so that one statement
 * with a syntax error (or an unterminated quote) never hides the statements around it.
 * Understands the lexical rules that can hide a semicolon: '...' and E'...' strings, "quoted"
 * identifiers, $tag$ dollar quotes, -- and nested /* comments, and BEGIN ATOMIC ... END bodies.
 */

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

const isIdentChar = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127;
const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;

export function splitStatements(text: string, baseOffset = 0): StatementSpan[] {
  const spans: StatementSpan[] = [];
  const n = text.length;
  let i = 0;
  let gapStart = 0;
  let start = -1; // first significant character of the current statement
  let lastTokenEnd = -1;
  // BEGIN ATOMIC bodies contain semicolons; CASE ... END nests inside them.
  let atomicDepth = 0;
  let prevWord = '';

  const close = (end: number, terminated: boolean) => {
    spans.push({ start: start + baseOffset, end: end + baseOffset, gapStart: gapStart + baseOffset, terminated });
    start = -1;
    gapStart = end;
    atomicDepth = 0;
    prevWord = '';
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    // -- line comment
    if (c === 45 && text.charCodeAt(i + 1) === 45) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    // /* block comment */, nested as in PostgreSQL
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
      if (start >= 0) lastTokenEnd = i;
      continue;
    }
    if (start < 0) start = i;
    if (c === 59 /* ; */) {
      if (atomicDepth > 0) {
        i++;
        lastTokenEnd = i;
        continue;
      }
      close(i + 1, true);
      i++;
      continue;
    }
    if (c === 39 /* ' */) {
      // E'...' allows backslash escapes; the E is the previous character of the same token.
      const prev = i > 0 ? text.charCodeAt(i - 1) : 0;
      const escapes = (prev === 69 || prev === 101) && (i < 2 || !isIdentChar(text.charCodeAt(i - 2)));
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (escapes && d === 92) {
          i += 2;
          continue;
        }
        if (d === 39) {
          if (text.charCodeAt(i + 1) === 39) {
            i += 2;
            continue;
          }
          i++;
          break;
        }
        i++;
      }
      lastTokenEnd = Math.min(i, n);
      prevWord = '';
      continue;
    }
    if (c === 34 /* " */) {
      i++;
      while (i < n) {
        if (text.charCodeAt(i) === 34) {
          if (text.charCodeAt(i + 1) === 34) {
            i += 2;
            continue;
          }
          i++;
          break;
        }
        i++;
      }
      lastTokenEnd = Math.min(i, n);
      prevWord = '';
      continue;
    }
    if (c === 36 /* $ */) {
      // $tag$ ... $tag$ — but $1 is a parameter and a$b an identifier (handled by the word branch).
      let j = i + 1;
      if (j < n && isIdentStart(text.charCodeAt(j))) {
        while (j < n && isIdentChar(text.charCodeAt(j)) && text.charCodeAt(j) !== 36) j++;
      }
      if (text.charCodeAt(j) === 36) {
        const tag = text.slice(i, j + 1);
        const closing = text.indexOf(tag, j + 1);
        i = closing < 0 ? n : closing + tag.length;
        lastTokenEnd = i;
        prevWord = '';
        continue;
      }
      i++;
      lastTokenEnd = i;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(text.charCodeAt(j))) j++;
      const word = text.slice(i, j).toUpperCase();
      if (word === 'ATOMIC' && prevWord === 'BEGIN') atomicDepth++;
      else if (atomicDepth > 0 && word === 'CASE') atomicDepth++;
      else if (atomicDepth > 0 && word === 'END') atomicDepth--;
      prevWord = word;
      i = j;
      lastTokenEnd = i;
      continue;
    }
    prevWord = '';
    i++;
    lastTokenEnd = i;
  }
  if (start >= 0) close(Math.max(lastTokenEnd, start + 1), false);
  return spans;
}
