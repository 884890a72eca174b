/**
 * Rewriting the definitions PostgreSQL prints (pg_get_indexdef, pg_get_constraintdef, policy
 * expressions) so they name another column: token by token, so a string literal or a longer
 * identifier that contains the name is never touched.
 */
import { createHash } from 'node:crypto';
import { quoteIdentifier } from '../sql/names';
import { sqlTokens } from '../sql/tokens';

/** Replaces every identifier token `from` (bare or quoted) in `text` by `to`, quoted as needed. */
export function renameIdentifier(text: string, from: string, to: string): string {
  let out = '';
  let at = 0;
  for (const token of sqlTokens(text)) {
    const name = token.kind === 'word' ? token.value : token.kind === 'quoted' ? text.slice(token.start + 1, token.end - 1).replace(/""/g, '"') : undefined;
    if (name !== from) continue;
    // A word token is lower-cased: only an unquoted identifier that folds to `from` matches.
    if (token.kind === 'word' && from !== from.toLowerCase()) continue;
    out += text.slice(at, token.start) + quoteIdentifier(to);
    at = token.end;
  }
  return out + text.slice(at);
}

/**
 * An index definition from pg_get_indexdef rewritten as a concurrent, re-runnable build of a copy
 * named `name` on column `to` instead of `from`. Only the part after `ON table` is renamed, so the
 * table and index names never are.
 */
export function copiedIndexDefinition(definition: string, name: string, from: string, to: string): string {
  const on = /\sON\s+(ONLY\s+)?((?:"(?:[^"]|"")*"|[^\s(]+))\s/i.exec(definition);
  if (!on) throw new Error(`cannot read the index definition: ${definition}`);
  const head = /^CREATE\s+(UNIQUE\s+)?INDEX\s+/i.exec(definition);
  if (!head) throw new Error(`cannot read the index definition: ${definition}`);
  const tail = definition.slice(on.index + on[0].length);
  return `CREATE ${head[1] ? 'UNIQUE ' : ''}INDEX CONCURRENTLY IF NOT EXISTS ${quoteIdentifier(name)} ON ${on[2]} ${renameIdentifier(tail, from, to)}`;
}

/** The same index definition under another name, built in the transaction (for a rollback). */
export function indexDefinitionNamed(definition: string, name: string): string {
  const on = /\sON\s/i.exec(definition);
  const head = /^CREATE\s+(UNIQUE\s+)?INDEX\s+/i.exec(definition);
  if (!on || !head) throw new Error(`cannot read the index definition: ${definition}`);
  return `CREATE ${head[1] ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${quoteIdentifier(name)}${definition.slice(on.index)}`;
}

/**
 * A name derived from `base` that stays within PostgreSQL's 63 bytes: when it would not, the base
 * is cut and a short hash of the full name keeps two long names apart.
 */
export function derivedName(base: string, suffix: string): string {
  const full = `${base}${suffix}`;
  if (Buffer.byteLength(full) <= 63) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  let cut = base;
  while (Buffer.byteLength(`${cut}_${hash}${suffix}`) > 63) cut = cut.slice(0, -1);
  return `${cut}_${hash}${suffix}`;
}

/** `name` with `from` replaced by `to` when it contains it, else `name` + `_` + `to`. */
export function renamedObjectName(name: string, from: string, to: string): string {
  return name.includes(from) ? derivedName(name.replace(from, to), '') : derivedName(name, `_${to}`);
}

/** A string literal. */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
