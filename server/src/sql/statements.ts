/**
 * A piece of SQL turned into statements: each with its exact range, its parse tree or its syntax
 * error, and the comments just before it (where suppressions and `-- expect:` live).
 */
import type { Node } from '@pgsql/types';
import { splitStatements, type StatementSpan } from './split';
import { parseSpans, ByteOffsets } from './parse';

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
  let offsets: ByteOffsets | undefined;
  return {
    index,
    start,
    end: start + text.length,
    text,
    leadingComments: extras.leadingComments ?? [],
    node: extras.node,
    embedding: extras.embedding,
    offsetOf(location) {
      if (location === undefined || location < 0) return start;
      offsets ??= new ByteOffsets(text);
      return start + offsets.toOffset(location);
    },
  };
}

/**
 * Splits and parses `text`, which starts at `baseOffset` in its file. `breaks` are offsets in
 * `text` where a statement ends whatever the SQL says (a tool's own statement boundaries, such as
 * goose's StatementEnd): the text between two breaks is split on its own.
 */
export function parseStatements(text: string, baseOffset = 0, breaks?: readonly number[]): Statement[] {
  const spans = breaks?.length ? splitAtBreaks(text, breaks) : splitStatements(text);
  const outcomes = parseSpans(text, spans);
  return spans.map((span, index) => {
    const stmtText = text.slice(span.start, span.end);
    const statement = makeStatement(index, stmtText, span.start + baseOffset, {
      leadingComments: leadingCommentsOf(text.slice(span.gapStart, span.start)),
    });
    const outcome = outcomes[index];
    if (outcome.ok) statement.node = outcome.node;
    else if (outcome.kind) statement.notAnalysed = { message: outcome.message, reason: outcome.kind };
    else statement.syntaxError = { message: outcome.message, offset: statement.start + outcome.offset };
    return statement;
  });
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
  return node ? Object.keys(node)[0] : undefined;
}
