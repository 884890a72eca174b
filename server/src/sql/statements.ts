/**
 * A piece of SQL turned into statements: each with its exact range, its parse tree or its syntax
 * error, and the comments just before it (where suppressions and `-- expect:` live).
 */
import type { Node } from '@pgsql/types';
import { splitStatements, type StatementSpan } from './split';
import { parseSpans, ByteOffsets } from './parse';
import { nodeTypeName } from './ast';

export interface Statement {
  /** 0-based position among the statements of its section. */
  index: number;
  /** Absolute offsets in the file's text. */
  start: number;
  end: number;
  text: string;
  /** Comment lines between the previous statement and this one, as written. */
  leadingComments: string[];
  /** The parse tree's statement node, e.g. `{ AlterTableStmt: {...} }`. */
  node?: Node;
  /** The syntax error that stopped the parser, at an absolute offset in the file. */
  syntaxError?: { message: string; offset: number };
  /**
   * Valid or not, the parser could not analyse it: nested deeper than its stack allows
   * (`too-complex`, e.g. 20,000 terms of `+`), or no parser was available at that moment.
   */
  notAnalysed?: { message: string; reason: 'too-complex' | 'unavailable' };
  /** Set for a statement found inside a DO block or function body. */
  embedding?: {
    parent: Statement;
    /** True when it runs only under an IF / exception guard (an existence check). */
    guarded: boolean;
    /**
     * The text could not be found in the file (e.g. an E'...' string with escapes): start/end are
     * the parent's range and locations map to its start, so no fix may be computed from them.
     */
    inexact?: boolean;
  };
  /** Converts an AST `location` (a byte offset into `text`) to an absolute file offset. */
  offsetOf(location: number | undefined): number;
}

const COMMENT_LINE = /--[^\r\n]*/g;

function leadingCommentsOf(gap: string): string[] {
  return gap.match(COMMENT_LINE)?.map((c) => c.trim()) ?? [];
}

export function makeStatement(index: number, text: string, start: number, extras: { leadingComments?: string[]; node?: Node; embedding?: Statement['embedding'] } = {}): Statement {
  return new SqlStatement(index, text, start, extras.leadingComments ?? [], extras.node, extras.embedding);
}

/**
 * A statement with `offsetOf` on its prototype: an edit makes a new object for every statement
 * after it (moved), and a closure per statement doubled what each of them cost to make and to
 * collect.
 */
class SqlStatement implements Statement {
  // Own properties in the order the object literal this replaces had them.
  index: number;
  start: number;
  end: number;
  text: string;
  leadingComments: string[];
  node: Node | undefined;
  embedding: Statement['embedding'];
  declare syntaxError?: Statement['syntaxError'];
  declare notAnalysed?: Statement['notAnalysed'];
  #offsets: ByteOffsets | undefined;

  constructor(index: number, text: string, start: number, leadingComments: string[], node: Node | undefined, embedding: Statement['embedding']) {
    this.index = index;
    this.start = start;
    this.end = start + text.length;
    this.text = text;
    this.leadingComments = leadingComments;
    this.node = node;
    this.embedding = embedding;
  }

  offsetOf(location: number | undefined): number {
    if (location === undefined || location < 0) return this.start;
    this.#offsets ??= new ByteOffsets(this.text);
    return this.start + this.#offsets.toOffset(location);
  }
}

/**
 * Splits and parses `text`, which starts at `baseOffset` in its file. `breaks` are offsets in
 * `text` where a statement ends whatever the SQL says (a tool's own statement boundaries, such as
 * goose's StatementEnd): the text between two breaks is split on its own.
 */
export function parseStatements(text: string, baseOffset = 0, breaks?: readonly number[]): Statement[] {
  const spans = breaks?.length ? splitAtBreaks(text, breaks) : splitStatements(text);
  return statementsOfSpans(text, spans, baseOffset);
}

/** The statements at `spans` of `text` (offsets in `text`), parsed; the first one numbered `firstIndex`. */
function statementsOfSpans(text: string, spans: StatementSpan[], baseOffset: number, firstIndex = 0): Statement[] {
  const outcomes = parseSpans(text, spans);
  return spans.map((span, i) => {
    const index = firstIndex + i;
    const stmtText = text.slice(span.start, span.end);
    const statement = makeStatement(index, stmtText, span.start + baseOffset, {
      leadingComments: leadingCommentsOf(text.slice(span.gapStart, span.start)),
    });
    const outcome = outcomes[i];
    if (outcome.ok) statement.node = outcome.node;
    else if (outcome.kind) statement.notAnalysed = { message: outcome.message, reason: outcome.kind };
    else statement.syntaxError = { message: outcome.message, offset: statement.start + outcome.offset };
    return statement;
  });
}

/**
 * The statements of `text` (starting at `baseOffset`), as parseStatements gives them, from those of
 * `previous`, the same section before an edit: an editor re-lints a 1,000-statement file on every
 * keystroke, and splitting and looking up all of it again cost a quarter of that. The statements
 * before the edit are kept (the same objects), those after it are moved by the edit's length
 * change, and only the text between is split and parsed. Undefined when that cannot be done
 * exactly — the edit reaches a statement boundary the rest of the text depends on (an opened quote
 * or comment, a BEGIN ATOMIC body) — and the whole text is to be parsed instead.
 */
export function parseStatementsAfterEdit(previous: { text: string; statements: readonly Statement[] }, text: string, baseOffset = 0): Statement[] | undefined {
  const before = previous.text;
  if (before === text) return undefined;
  const shortest = Math.min(before.length, text.length);
  const prefix = commonPrefixLength(before, text, shortest);
  const suffix = commonSuffixLength(before, text, shortest - prefix);
  const delta = text.length - before.length;
  const old = previous.statements;
  // Kept: statements ending before the first changed character, each at a semicolon that ended it
  // (every statement but the last did: the last may have run to the end of the text).
  let kept = 0;
  while (kept < old.length - 1 && old[kept].end - baseOffset <= prefix) kept++;
  const from = kept ? old[kept - 1].end - baseOffset : 0;
  // Moved: statements after the first statement end in the unchanged end of the text; none when
  // the edit is in the last statement, and the text is split from `from` to its end.
  const unchangedFrom = before.length - suffix;
  let boundary = kept;
  while (boundary < old.length && old[boundary].end - baseOffset < unchangedFrom) boundary++;
  const to = boundary < old.length ? old[boundary].end - baseOffset + delta : text.length;
  // The text between, split on its own: it must end with a statement closed at that same boundary,
  // so the scanner is where it was there before the edit, and the rest splits as it did.
  const region = text.slice(from, to);
  const spans = splitStatements(region);
  const last = spans[spans.length - 1];
  if (boundary < old.length && (!last?.terminated || last.end !== region.length)) return undefined;
  const statements = old.slice(0, kept);
  for (const statement of statementsOfSpans(region, spans, baseOffset + from, kept)) statements.push(statement);
  for (let i = boundary + 1; i < old.length; i++) statements.push(movedStatement(old[i], statements.length, delta));
  return statements;
}

/**
 * Texts are compared a block at a time (slices compared as strings: a memory comparison) and then
 * character by character within the first block that differs: a character loop over a 100 KB file
 * on each keystroke cost a millisecond.
 */
const BLOCK = 1024;

/** How many leading characters `a` and `b` share, at most `limit`. */
function commonPrefixLength(a: string, b: string, limit: number): number {
  let n = 0;
  while (n + BLOCK <= limit && a.slice(n, n + BLOCK) === b.slice(n, n + BLOCK)) n += BLOCK;
  while (n < limit && a.charCodeAt(n) === b.charCodeAt(n)) n++;
  return n;
}

/** How many trailing characters `a` and `b` share, at most `limit`. */
function commonSuffixLength(a: string, b: string, limit: number): number {
  let n = 0;
  while (n + BLOCK <= limit && a.slice(a.length - n - BLOCK, a.length - n) === b.slice(b.length - n - BLOCK, b.length - n)) n += BLOCK;
  while (n < limit && a.charCodeAt(a.length - 1 - n) === b.charCodeAt(b.length - 1 - n)) n++;
  return n;
}

function movedStatement(statement: Statement, index: number, delta: number): Statement {
  const moved = makeStatement(index, statement.text, statement.start + delta, { leadingComments: statement.leadingComments, node: statement.node });
  if (statement.syntaxError) moved.syntaxError = { message: statement.syntaxError.message, offset: statement.syntaxError.offset + delta };
  if (statement.notAnalysed) moved.notAnalysed = statement.notAnalysed;
  return moved;
}

function splitAtBreaks(text: string, breaks: readonly number[]): StatementSpan[] {
  const spans: StatementSpan[] = [];
  let from = 0;
  for (const at of [...breaks, text.length].filter((b) => b >= 0 && b <= text.length).sort((a, b) => a - b)) {
    if (at < from) continue;
    for (const span of splitStatements(text.slice(from, at), from)) spans.push(span);
    from = at;
  }
  return spans;
}

/** The node type name of a statement (`CreateStmt`, `IndexStmt`...). */
export function nodeType(node: Node | undefined): string | undefined {
  return nodeTypeName(node);
}
