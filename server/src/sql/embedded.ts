/**
 * SQL statements inside DO blocks and PL/pgSQL function bodies, so that DDL run from PL/pgSQL is
 * linted like top-level DDL.
 *
 * A body is a string literal inside the statement, and a query inside it may itself be a literal
 * (`EXECUTE 'CREATE INDEX ...'`), so positions go through a chain of "offset in the inner text →
 * offset in the outer text" maps down to the file. When a query cannot be found in its body the
 * statement falls back to the parent's range and is marked `inexact` (no fix may rely on it).
 */
import { ByteOffsets, parsePlpgsql, parseStatement } from './parse';
import { splitStatements } from './split';
import { makeStatement, nodeType, type Statement } from './statements';
import type { AstNode } from './ast';

/** Maps an offset in some inner text (a literal's value) to an absolute offset in the file. */
type OffsetMap = (offset: number) => number;

/** Embedded code is rarely nested more than once (EXECUTE inside a DO block); stop well before stack trouble. */
const MAX_DEPTH = 4;

/** An embedded statement found in a top-level statement's text, positioned relative to that text. */
interface Found {
  text: string;
  node: Statement['node'];
  guarded: boolean;
  inexact: boolean;
  start: number;
  end: number;
  /** AST location (bytes into `text`) → offset relative to the top-level statement's start. */
  offsetOf: (location: number | undefined) => number;
}

/**
 * Results by top-level statement text. An editor re-lints the whole file on every keystroke;
 * re-reading every unchanged DO block and function body with the PL/pgSQL parser would cost most
 * of that re-lint (as statements.ts caches parse trees for the same reason).
 */
const foundByText = new Map<string, Found[]>();
const FOUND_CACHE_ENTRIES = 5_000;

/** Statements found in the body of a DO block or CREATE FUNCTION/PROCEDURE, in order. */
export function embeddedStatements(statement: Statement): Statement[] {
  const type = nodeType(statement.node);
  if (type !== 'DoStmt' && type !== 'CreateFunctionStmt') return [];
  let found = foundByText.get(statement.text);
  if (found) {
    foundByText.delete(statement.text);
    foundByText.set(statement.text, found);
  } else {
    found = findEmbedded(statement);
    if (foundByText.size >= FOUND_CACHE_ENTRIES) foundByText.delete(foundByText.keys().next().value!);
    foundByText.set(statement.text, found);
  }
  return found.map((f) => {
    const embeddedStatement = makeStatement(statement.index, f.text, statement.start + f.start, {
      node: f.node,
      embedding: f.inexact ? { parent: statement, guarded: f.guarded, inexact: true } : { parent: statement, guarded: f.guarded },
    });
    embeddedStatement.end = statement.start + f.end;
    embeddedStatement.offsetOf = (location) => statement.start + f.offsetOf(location);
    return embeddedStatement;
  });
}

/** Finds the embedded statements of `statement` as if it started at offset 0 of its file. */
function findEmbedded(statement: Statement): Found[] {
  const top = makeStatement(statement.index, statement.text, 0, { node: statement.node });
  try {
    return collect(top, top, identityMap(top), false, 0).map((s) => ({
      text: s.text,
      node: s.node,
      guarded: s.embedding?.guarded ?? false,
      inexact: s.embedding?.inexact ?? false,
      start: s.start,
      end: s.end,
      // Called on the statement it belongs to (offsetOf may be a method reading `this`).
      offsetOf: (location: number | undefined) => s.offsetOf(location),
    }));
  } catch {
    // Malformed bodies are the syntax-error rule's business; finding nothing here is the safe answer.
    return [];
  }
}

function identityMap(statement: Statement): OffsetMap {
  return (offset) => statement.start + offset;
}

/**
 * `holder` is the statement whose node holds a DO/CREATE FUNCTION; `toFile` maps offsets in its
 * text to the file. `top` is the top-level statement every embedded one reports as its parent
 * (suppression comments and "ignore" fixes live above it).
 */
function collect(top: Statement, holder: Statement, toFile: OffsetMap, guarded: boolean, depth: number): Statement[] {
  if (depth >= MAX_DEPTH || !holder.node) return [];
  const type = nodeType(holder.node);
  const body = (holder.node as AstNode)[type!] as AstNode;
  if (type === 'DoStmt') {
    const language = stringOption(body.args, 'language') ?? 'plpgsql';
    const source = stringOption(body.args, 'as');
    if (language.toLowerCase() !== 'plpgsql' || source === undefined) return [];
    return fromPlpgsql(top, holder, toFile, source, optionLocation(body.args, 'as'), guarded, depth);
  }
  if (type === 'CreateFunctionStmt') {
    const language = (stringOption(body.options, 'language') ?? '').toLowerCase();
    const source = functionSource(body.options);
    if (body.sql_body) return fromSqlBody(top, holder, toFile, body.sql_body, guarded);
    if (source === undefined) return [];
    if (language === 'plpgsql') return fromPlpgsql(top, holder, toFile, source, optionLocation(body.options, 'as'), guarded, depth);
    if (language === 'sql') {
      const literal = locateLiteral(holder.text, source, charOffset(holder, optionLocation(body.options, 'as')));
      return fromSqlText(top, source, literal ? compose(toFile, literal) : undefined, guarded, depth);
    }
  }
  return [];
}

function stringOption(options: AstNode[] | undefined, name: string): string | undefined {
  const option = options?.find((o) => o?.DefElem?.defname === name)?.DefElem;
  return typeof option?.arg?.String?.sval === 'string' ? option.arg.String.sval : undefined;
}

function optionLocation(options: AstNode[] | undefined, name: string): number | undefined {
  return options?.find((o) => o?.DefElem?.defname === name)?.DefElem?.location;
}

/** The body of `AS '...'`; C functions have two strings (file, symbol) and no SQL. */
function functionSource(options: AstNode[] | undefined): string | undefined {
  const arg = options?.find((o) => o?.DefElem?.defname === 'as')?.DefElem?.arg;
  const items = arg?.List?.items;
  if (Array.isArray(items)) return items.length === 1 && typeof items[0]?.String?.sval === 'string' ? items[0].String.sval : undefined;
  return typeof arg?.String?.sval === 'string' ? arg.String.sval : undefined;
}

/**
 * Finds the literal holding `value` in `text` at or after `from`: `$tag$value$tag$`, or
 * `'value'` with quotes doubled. Returns the map from offsets in `value` to offsets in `text`.
 */
function locateLiteral(text: string, value: string, from: number): OffsetMap | undefined {
  let at = Math.max(0, from);
  const dollar = /\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/g;
  dollar.lastIndex = at;
  for (let m = dollar.exec(text); m; m = dollar.exec(text)) {
    const contentStart = m.index + m[0].length;
    if (text.startsWith(value, contentStart) && text.startsWith(m[0], contentStart + value.length)) return (o) => contentStart + o;
    dollar.lastIndex = m.index + 1;
  }
  const escaped = value.replace(/'/g, "''");
  at = text.indexOf(`'${escaped}'`, at);
  if (at < 0) return undefined;
  const contentStart = at + 1;
  if (escaped.length === value.length) return (o) => contentStart + o;
  // Each quote in the value is two characters in the text.
  const quotesBefore = new Int32Array(value.length + 1);
  for (let i = 0; i < value.length; i++) quotesBefore[i + 1] = quotesBefore[i] + (value[i] === "'" ? 1 : 0);
  return (o) => contentStart + o + quotesBefore[Math.min(Math.max(o, 0), value.length)];
}

/** A parser location (UTF-8 bytes into the statement's text) as an offset into that text. */
function charOffset(statement: Statement, location: number | undefined): number {
  return location === undefined ? 0 : new ByteOffsets(statement.text).toOffset(location);
}

function compose(outer: OffsetMap, inner: OffsetMap): OffsetMap {
  return (o) => outer(inner(o));
}

/** How each located embedded statement's text maps into the file, for looking further inside it. */
const fileMaps = new WeakMap<Statement, OffsetMap>();

/**
 * A Statement for `text`, whose character i lies at `map(i)` in the file (or, without a map, at
 * the parent's range).
 */
function embedded(top: Statement, text: string, map: OffsetMap | undefined, node: Statement['node'], guarded: boolean): Statement {
  if (!map) {
    const statement = makeStatement(top.index, text, top.start, { node, embedding: { parent: top, guarded, inexact: true } });
    statement.end = top.end;
    statement.offsetOf = () => top.start;
    return statement;
  }
  const start = map(0);
  const statement = makeStatement(top.index, text, start, { node, embedding: { parent: top, guarded } });
  fileMaps.set(statement, map);
  statement.end = map(text.length);
  if (statement.end - start !== text.length) {
    let offsets: ByteOffsets | undefined;
    statement.offsetOf = (location) => {
      if (location === undefined || location < 0) return start;
      offsets ??= new ByteOffsets(text);
      return map(offsets.toOffset(location));
    };
  }
  return statement;
}

/** SQL text holding any number of statements (a LANGUAGE sql body, an EXECUTE'd string). */
function fromSqlText(top: Statement, text: string, map: OffsetMap | undefined, guarded: boolean, depth: number): Statement[] {
  const found: Statement[] = [];
  for (const span of splitStatements(text)) {
    const piece = text.slice(span.start, span.end);
    const outcome = parseStatement(piece);
    if (!outcome.ok || !outcome.node) continue;
    const statement = embedded(top, piece, map && ((o) => map(span.start + o)), outcome.node, guarded);
    found.push(statement, ...nested(top, statement, guarded, depth));
  }
  return found;
}

/** A DO block or function created by embedded SQL (EXECUTE 'CREATE FUNCTION ...') is looked into too. */
function nested(top: Statement, statement: Statement, guarded: boolean, depth: number): Statement[] {
  if (statement.embedding?.inexact) return [];
  const type = nodeType(statement.node);
  if (type !== 'DoStmt' && type !== 'CreateFunctionStmt') return [];
  const map = fileMaps.get(statement);
  return map ? collect(top, statement, map, guarded, depth + 1) : [];
}

/** BEGIN ATOMIC ... END: already parsed, with locations into the CREATE FUNCTION's own text. */
function fromSqlBody(top: Statement, holder: Statement, toFile: OffsetMap, sqlBody: AstNode, guarded: boolean): Statement[] {
  const items: AstNode[] = sqlBody?.List?.items ?? [];
  const nodes = items.flatMap((item) => (Array.isArray(item?.List?.items) ? item.List.items : [item]));
  return nodes.map((node) => {
    const statement = makeStatement(top.index, holder.text, toFile(0), { node: node as Statement['node'], embedding: { parent: top, guarded } });
    statement.offsetOf = (location) => holder.offsetOf(location);
    statement.end = toFile(holder.text.length);
    return statement;
  });
}

/**
 * A PL/pgSQL body runs SQL only through a statement that starts with an SQL command's first word
 * (PL/pgSQL hands any statement it does not know to the SQL parser), PERFORM or EXECUTE. A body
 * without any of those words (a trigger function setting NEW.updated_at, say) holds nothing to
 * find, and is not worth a PL/pgSQL parse: opening a file full of such functions spent a fifth of
 * its lint time there. Words in comments or strings only cost a parse. BEGIN, END, DECLARE and the
 * cursor words are left out: in a body they are PL/pgSQL's own statements.
 */
const MAY_RUN_SQL =
  /\b(?:abort|alter|analy[sz]e|call|checkpoint|cluster|comment|commit|copy|create|deallocate|delete|discard|do|drop|execute|explain|grant|import|insert|listen|load|lock|merge|notify|perform|prepare|reassign|refresh|reindex|release|reset|revoke|rollback|savepoint|security|select|set|show|start|table|truncate|unlisten|update|vacuum|values|with)\b/i;

function fromPlpgsql(top: Statement, holder: Statement, toFile: OffsetMap, source: string, asLocation: number | undefined, guarded: boolean, depth: number): Statement[] {
  if (!MAY_RUN_SQL.test(source)) return [];
  const parsed = parsePlpgsql(holder.text);
  if (!parsed.ok) return [];
  const fn = (parsed.functions[0] as AstNode | undefined)?.PLpgSQL_function;
  if (!fn?.action) return [];
  const literal = locateLiteral(holder.text, source, charOffset(holder, asLocation)) ?? locateLiteral(holder.text, source, 0);
  const bodyToFile = literal && compose(toFile, literal);
  const found: Statement[] = [];
  let cursor = 0;

  const locate = (query: string): number | undefined => {
    const at = findQuery(source, query, cursor) ?? findQuery(source, query, 0);
    if (at !== undefined) cursor = at + query.length;
    return at;
  };

  const visit = (value: unknown, underGuard: boolean): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, underGuard);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const node = value as AstNode;
    if (node.PLpgSQL_stmt_execsql) {
      const query = node.PLpgSQL_stmt_execsql.sqlstmt?.PLpgSQL_expr?.query;
      if (typeof query === 'string') addQuery(query, underGuard);
      return;
    }
    if (node.PLpgSQL_stmt_dynexecute) {
      const query = node.PLpgSQL_stmt_dynexecute.query?.PLpgSQL_expr?.query;
      if (typeof query === 'string') addExecuted(query, underGuard);
      return;
    }
    if (node.PLpgSQL_stmt_block) {
      const block = node.PLpgSQL_stmt_block;
      const caught = underGuard || Boolean(block.exceptions);
      visit(block.body, caught);
      // Handlers run only when something failed: always conditional.
      visit(block.exceptions, true);
      return;
    }
    if (node.PLpgSQL_stmt_if) {
      const stmt = node.PLpgSQL_stmt_if;
      visit(stmt.then_body, true);
      visit(stmt.elsif_list, true);
      visit(stmt.else_body, true);
      return;
    }
    if (node.PLpgSQL_stmt_case) {
      const stmt = node.PLpgSQL_stmt_case;
      visit(stmt.case_when_list, true);
      visit(stmt.else_stmts, true);
      return;
    }
    for (const child of Object.values(node)) visit(child, underGuard);
  };

  const addQuery = (query: string, underGuard: boolean) => {
    const outcome = parseStatement(query);
    if (!outcome.ok || !outcome.node) return;
    const at = locate(query);
    const map = bodyToFile && at !== undefined ? (o: number) => bodyToFile(at + o) : undefined;
    const statement = embedded(top, query, map, outcome.node, guarded || underGuard);
    found.push(statement, ...nested(top, statement, guarded || underGuard, depth));
  };

  const addExecuted = (expression: string, underGuard: boolean) => {
    const value = constantString(expression);
    if (value === undefined) return;
    const at = locate(expression);
    const inner = locateLiteral(expression, value, 0);
    const map = bodyToFile && at !== undefined && inner ? (o: number) => bodyToFile(at + inner(o)) : undefined;
    found.push(...fromSqlText(top, value, map, guarded || underGuard, depth));
  };

  visit(fn.action, false);
  return found;
}

/** The value of an expression that is one string literal ('...', $$...$$, E'...'), else undefined. */
function constantString(expression: string): string | undefined {
  const outcome = parseStatement(`SELECT ${expression}`);
  if (!outcome.ok || outcome.extra.length) return undefined;
  const select = (outcome.node as AstNode | undefined)?.SelectStmt;
  const targets = select?.targetList;
  if (!Array.isArray(targets) || targets.length !== 1 || select.fromClause) return undefined;
  const sval = targets[0]?.ResTarget?.val?.A_Const?.sval?.sval;
  return typeof sval === 'string' ? sval : undefined;
}

/**
 * Where PL/pgSQL's copy of a query starts in the body. The copy is verbatim except that an
 * `INTO target` clause is blanked out with spaces of the same length.
 */
function findQuery(body: string, query: string, from: number): number | undefined {
  const exact = body.indexOf(query, from);
  if (exact >= 0) return exact;
  const head = /^\S+/.exec(query)?.[0];
  if (!head) return undefined;
  for (let at = body.indexOf(head, from); at >= 0; at = body.indexOf(head, at + 1)) {
    if (at + query.length > body.length) return undefined;
    let same = true;
    for (let k = head.length; k < query.length && same; k++) same = query[k] === ' ' || query[k] === body[at + k];
    if (same) return at;
  }
  return undefined;
}

/**
 * The file offset of an offset into `statement.text`. Equal to `start + offset` except inside an
 * EXECUTE'd or single-quoted body, whose text has its doubled quotes undone.
 */
export function fileOffsetOf(statement: Statement, offset: number): number {
  if (statement.end - statement.start === statement.text.length && !statement.embedding?.inexact) return statement.start + offset;
  return statement.offsetOf(Buffer.byteLength(statement.text.slice(0, offset)));
}

/**
 * Whether positions inside the statement can be trusted for edits: false for an embedded statement
 * whose text could not be found in the file.
 */
export function hasExactPositions(statement: Statement): boolean {
  return !statement.embedding?.inexact;
}
