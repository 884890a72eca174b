/**
 * The PostgreSQL parser (libpg-query, PostgreSQL's own grammar compiled to WASM) applied to one
 * statement at a time, with positions converted from the parser's UTF-8 byte offsets to the
 * UTF-16 offsets editors and JavaScript strings use.
 */
import './wasm-tiering';
import { createHash } from 'node:crypto';
import type { ScanResult } from 'libpg-query';
import type { Node } from '@pgsql/types';
import { TextCache } from './text-cache';
import type { StatementSpan } from './split';
import { ParserTrap, PgParseError, parsePlpgsqlSql, parseSql, parserAvailable, prepareParser, scanSql } from './wasm-parser';

/**
 * The stack of a worker thread that parses, in MB: as deep for JavaScript and the WASM parser as
 * a main thread's (V8's --stack-size, 984 KB; Node keeps 192 KB of a thread's stack for itself),
 * so a statement too deep for the parser there (statement-too-complex) is too deep on a worker
 * too. With Node's default (4 MB) a worker parsed what the main thread could not, and the finding
 * went missing from what the worker linted.
 */
export const PARSING_THREAD_STACK_MB = (984 + 192) / 1024;

/** Loads the WASM parser (once, and again after a trap); every parse function below needs it. */
export async function ensureParser(): Promise<void> {
  await prepareParser();
}

/** PostgreSQL's scanner over `text` (keywords, tokens); needs the parser loaded. */
export function scanTokens(text: string): ScanResult {
  return scanSql(text);
}

export { keepSpareParsers } from './wasm-parser';

export function parserReady(): boolean {
  return parserAvailable();
}

/** Parses that found no parser instance (two traps in quick succession) in this process. */
let unavailableParses = 0;

/** How many parses so far found no parser instance: a result computed meanwhile is to be redone. */
export function unavailableParseCount(): number {
  return unavailableParses;
}

/**
 * Runs `work`, which parses SQL, and runs it again when one of its parses found no parser (after
 * two traps in one synchronous run, until the replacement instance is ready): the statements that
 * trapped are remembered as too complex, so each round gets further.
 */
export async function parseAgainWhenRecovered<T>(work: () => T): Promise<T> {
  for (let round = 0; ; round++) {
    await ensureParser();
    const before = unavailableParses;
    const result = work();
    if (unavailableParses === before || round >= 20) return result;
  }
}

export interface ParseSuccess {
  ok: true;
  /** The single statement node, e.g. `{ CreateStmt: {...} }`. Absent for an empty statement. */
  node?: Node;
  /** Further statements when the text held more than one (only inside PL/pgSQL strings). */
  extra: Node[];
}

export interface ParseFailure {
  ok: false;
  message: string;
  /**
   * Set when this is not a syntax error: the statement is nested too deeply for the parser's stack
   * (`too-complex`), or no parser instance was available (`unavailable`, never cached).
   */
  kind?: 'too-complex' | 'unavailable';
  /** UTF-16 offset in the statement text where the parser stopped. */
  offset: number;
}

export type ParseOutcome = ParseSuccess | ParseFailure;

/** Every character is ASCII: UTF-8 then spends one byte per character, so byte offsets are string offsets. */
const isAscii = (text: string) => Buffer.byteLength(text, 'utf8') === text.length;

/** Converts parser byte offsets of one text into string offsets. */
export class ByteOffsets {
  private readonly ascii: boolean;
  private map?: Int32Array;

  constructor(private readonly text: string) {
    this.ascii = isAscii(text);
  }

  toOffset(byteOffset: number): number {
    if (this.ascii || byteOffset <= 0) return Math.min(Math.max(byteOffset, 0), this.text.length);
    if (!this.map) {
      const bytes = Buffer.byteLength(this.text, 'utf8');
      const map = new Int32Array(bytes + 1);
      let b = 0;
      for (let i = 0; i < this.text.length; i++) {
        const cp = this.text.codePointAt(i)!;
        const len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        for (let k = 0; k < len; k++) map[b + k] = i;
        b += len;
        if (cp >= 0x10000) i++;
      }
      map[bytes] = this.text.length;
      this.map = map;
    }
    return this.map[Math.min(byteOffset, this.map.length - 1)];
  }
}

function codePointsToOffset(text: string, codePoints: number): number {
  let offset = 0;
  for (let n = 0; n < codePoints && offset < text.length; n++) offset += text.codePointAt(offset)! > 0xffff ? 2 : 1;
  return offset;
}

function failure(error: unknown, text: string): ParseFailure {
  if (error instanceof ParserTrap) return tooComplex(text, error);
  if (!parserAvailable()) {
    unavailableParses++;
    return { ok: false, kind: 'unavailable', message: 'the SQL parser is restarting after a statement too complex to analyse; lint again', offset: 0 };
  }
  const message = error instanceof Error ? error.message : String(error);
  // PostgreSQL counts the error cursor in characters (code points), unlike node locations (bytes).
  const offset = error instanceof PgParseError ? codePointsToOffset(text, error.cursorPosition) : 0;
  return { ok: false, message, offset };
}

/**
 * Texts whose parse trapped, by hash (they may be far longer than the caches keep): a trap costs an
 * instance, so a text is never sent to the parser twice.
 */
const trapped = new Map<string, string>();

function textHash(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

function tooComplex(text: string, trap: ParserTrap): ParseFailure {
  const hash = textHash(text);
  if (trapped.size >= 1000) trapped.delete(trapped.keys().next().value!);
  trapped.set(hash, trap.message);
  return { ok: false, kind: 'too-complex', message: trap.message, offset: 0 };
}

function knownTrap(text: string): ParseFailure | undefined {
  if (trapped.size === 0) return undefined;
  const message = trapped.get(textHash(text));
  return message === undefined ? undefined : { ok: false, kind: 'too-complex', message, offset: 0 };
}

const notUnavailable = (outcome: ParseOutcome | PlpgsqlOutcome) => outcome.ok || outcome.kind !== 'unavailable';

// Parse outcomes by statement text: see TextCache for why and for the read-only rule.
const statementCache = new TextCache<ParseOutcome>(20_000, 64 * 1024, 512 * 1024);
const plpgsqlCache = new TextCache<PlpgsqlOutcome>(5_000);

/** Parses the text of one statement. Call ensureParser() first. */
export function parseStatement(text: string): ParseOutcome {
  return statementCache.get(text, parseUncached, notUnavailable);
}

/**
 * Parses the statements of `text` at `spans` (from splitStatements), one outcome per span, the same
 * as parseStatement on each span's text. When most of them are not cached yet (a file opened or a
 * CLI run), the whole text is parsed in one call, which costs far less than one call per statement,
 * and the trees are cut apart; a text that does not parse as a whole, or whose statements the
 * parser delimits differently from the splitter, is parsed statement by statement instead.
 */
export function parseSpans(text: string, spans: readonly StatementSpan[]): ParseOutcome[] {
  const texts = spans.map((span) => text.slice(span.start, span.end));
  let uncached = 0;
  for (const t of texts) if (!statementCache.has(t)) uncached++;
  const together = uncached >= 2 && uncached * 2 > texts.length ? parseTogether(text, spans) : undefined;
  return together ? texts.map((t, i) => statementCache.get(t, () => together[i])) : texts.map(parseStatement);
}

/** Outcomes as per-statement parses would give them, or undefined when that cannot be guaranteed. */
function parseTogether(text: string, spans: readonly StatementSpan[]): ParseSuccess[] | undefined {
  // Locations are UTF-8 byte offsets: in ASCII text they equal string offsets, which keeps cutting simple.
  if (!isAscii(text) || !parserAvailable() || knownTrap(text)) return undefined;
  let stmts: Array<{ stmt?: Node; stmt_location?: number; stmt_len?: number }>;
  try {
    stmts = (parseSql(text).stmts ?? []) as typeof stmts;
  } catch (error) {
    // A trap here is remembered; the statements are then parsed one by one on a fresh instance.
    if (error instanceof ParserTrap) tooComplex(text, error);
    return undefined;
  }
  if (stmts.length !== spans.length) return undefined;
  const outcomes: ParseSuccess[] = [];
  for (let i = 0; i < spans.length; i++) {
    const { stmt, stmt_location: start = 0, stmt_len: length = 0 } = stmts[i];
    const span = spans[i];
    // The parser's statement must be exactly the splitter's: same first token, and the same
    // semicolon (stmt_len stops before it; 0 means "to the end of the text", the last one only).
    if (!stmt || start !== span.start) return undefined;
    if (span.terminated ? start + length !== span.end - 1 || text[span.end - 1] !== ';' : length !== 0 || i !== spans.length - 1) return undefined;
    rebaseLocations(stmt, start);
    outcomes.push({ ok: true, node: stmt, extra: [] });
  }
  return outcomes;
}

/**
 * Makes a tree's locations relative to its statement's text rather than the whole text, as a
 * per-statement parse gives them: the parser omits a location of 0 and writes -1 for none.
 */
// Every offset field libpg-query writes into a statement's tree (found in the parser's JSON writer).
const LOCATION_FIELDS = new Set(['location', 'name_location', 'list_start', 'list_end', 'rexpr_list_start', 'rexpr_list_end']);

function rebaseLocations(value: unknown, base: number): void {
  if (base === 0 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) rebaseLocations(item, base);
    return;
  }
  const node = value as Record<string, unknown>;
  for (const key in node) {
    const field = node[key];
    if (typeof field === 'object') rebaseLocations(field, base);
    else if (typeof field === 'number' && field >= 0 && LOCATION_FIELDS.has(key)) {
      if (field === base) delete node[key];
      else node[key] = field - base;
    }
  }
}

function parseUncached(text: string): ParseOutcome {
  const trap = knownTrap(text);
  if (trap) return trap;
  try {
    const result = parseSql(text);
    const nodes = (result.stmts ?? []).map((s) => s.stmt as Node | undefined).filter((n): n is Node => n !== undefined);
    return { ok: true, node: nodes[0], extra: nodes.slice(1) };
  } catch (error) {
    return failure(error, text);
  }
}

export type PlpgsqlOutcome = { ok: true; functions: unknown[] } | ParseFailure;

/** Parses a CREATE FUNCTION or DO statement's PL/pgSQL body into its JSON tree. */
export function parsePlpgsql(text: string): PlpgsqlOutcome {
  return plpgsqlCache.get(text, parsePlpgsqlUncached, notUnavailable);
}

function parsePlpgsqlUncached(text: string): PlpgsqlOutcome {
  const trap = knownTrap(text);
  if (trap) return trap;
  try {
    const result = parsePlpgsqlSql(text);
    return { ok: true, functions: result.plpgsql_funcs ?? [] };
  } catch (error) {
    return failure(error, text);
  }
}
