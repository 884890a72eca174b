/**
 * The PostgreSQL parser (libpg-query, PostgreSQL's own grammar compiled to WASM) applied to one
 * statement at a time, with positions converted from the parser's UTF-8 byte offsets to the
 * UTF-16 offsets editors and JavaScript strings use.
 */
import { loadModule, parseSync, parsePlPgSQLSync } from 'libpg-query';
import type { Node } from '@pgsql/types';
import { TextCache } from './text-cache';

let loading: Promise<void> | undefined;
let loaded = false;

/** Loads the WASM parser once; every parse function below needs it. */
export async function ensureParser(): Promise<void> {
  if (loaded) return;
  loading ??= loadModule().then(() => {
    loaded = true;
  });
  await loading;
}

export function parserReady(): boolean {
  return loaded;
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
  /** UTF-16 offset in the statement text where the parser stopped. */
  offset: number;
}

export type ParseOutcome = ParseSuccess | ParseFailure;

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** Converts parser byte offsets of one text into string offsets. */
export class ByteOffsets {
  private readonly ascii: boolean;
  private map?: Int32Array;

  constructor(private readonly text: string) {
    this.ascii = ASCII_ONLY.test(text);
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
  const details = (error as { sqlDetails?: { message: string; cursorPosition: number } }).sqlDetails;
  const message = details?.message ?? (error instanceof Error ? error.message : String(error));
  // PostgreSQL counts the error cursor in characters (code points), unlike node locations (bytes).
  const offset = details ? codePointsToOffset(text, details.cursorPosition) : 0;
  return { ok: false, message, offset };
}

// Parse outcomes by statement text: see TextCache for why and for the read-only rule.
const statementCache = new TextCache<ParseOutcome>(20_000);
const plpgsqlCache = new TextCache<PlpgsqlOutcome>(5_000);

/** Parses the text of one statement. Call ensureParser() first. */
export function parseStatement(text: string): ParseOutcome {
  return statementCache.get(text, parseUncached);
}

function parseUncached(text: string): ParseOutcome {
  try {
    const result = parseSync(text);
    const nodes = (result.stmts ?? []).map((s) => s.stmt).filter((n): n is Node => n !== undefined);
    return { ok: true, node: nodes[0], extra: nodes.slice(1) };
  } catch (error) {
    return failure(error, text);
  }
}

export type PlpgsqlOutcome = { ok: true; functions: unknown[] } | ParseFailure;

/** Parses a CREATE FUNCTION or DO statement's PL/pgSQL body into its JSON tree. */
export function parsePlpgsql(text: string): PlpgsqlOutcome {
  return plpgsqlCache.get(text, parsePlpgsqlUncached);
}

function parsePlpgsqlUncached(text: string): PlpgsqlOutcome {
  try {
    const result = parsePlPgSQLSync(text) as unknown as { plpgsql_funcs?: unknown[] };
    return { ok: true, functions: result.plpgsql_funcs ?? [] };
  } catch (error) {
    return failure(error, text);
  }
}
