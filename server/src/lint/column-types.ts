/**
 * What the type rules (prefer-timestamptz, prefer-text-field, prefer-bigint-over-int,
 * prefer-identity) share: every column type the up section chooses — top-level and inside DO
 * blocks — with the exact text range of the type so a fix can replace just that.
 */
import { baseTypeName, columnDefinitions, typeTokens, type ColumnDefinition } from '../sql/columns';
import { statementTokens } from '../sql/clauses';
import { fileOffsetOf, hasExactPositions } from '../sql/embedded';
import type { Statement } from '../sql/statements';
import { ByteOffsets } from '../sql/parse';
import type { LintUnit, ParsedSection } from './types';

export interface ColumnTypeSite {
  section: ParsedSection;
  statement: Statement;
  column: ColumnDefinition;
  /** `int4`, `varchar`, `timestamp`, `serial`... */
  typeName: string;
  /** The type as written, e.g. `character varying(20)`, without array brackets. */
  written?: string;
  /** Absolute range of the type's text; undefined when the position is not exact (no fix then). */
  start?: number;
  end?: number;
  /** `(20)`, `(3)`: modifiers as written. */
  modifiers?: string;
}

/**
 * Column types chosen by the up section. Down sections are not judged: they restore what was
 * there before, and "fixing" a restored type would make the rollback restore something else.
 */
export function columnTypeSites(unit: LintUnit): ColumnTypeSite[] {
  const section = unit.up;
  if (!section) return [];
  // The four type rules ask for the same sites: compute them once per parsed section.
  let sites = sitesBySection.get(section);
  if (sites) return sites;
  sites = [];
  for (const statement of section.statementsWithEmbedded) {
    const columns = columnDefinitions(statement.node);
    if (!columns.length) continue;
    const exact = hasExactPositions(statement);
    const tokens = exact ? statementTokens(statement) : [];
    const offsets = new ByteOffsets(statement.text);
    for (const column of columns) {
      const site: ColumnTypeSite = { section, statement, column, typeName: baseTypeName(column.type) };
      const span = exact ? typeTokens(tokens, offsets.toOffset(column.type.location ?? -1)) : undefined;
      if (span) {
        site.start = fileOffsetOf(statement, tokens[span.first].start);
        site.end = fileOffsetOf(statement, tokens[span.last].end);
        site.modifiers = span.modifiers;
        site.written = section.file.text.slice(site.start, site.end);
      }
      sites.push(site);
    }
  }
  sitesBySection.set(section, sites);
  return sites;
}

const sitesBySection = new WeakMap<ParsedSection, ColumnTypeSite[]>();

/** The finding's range: the type when known, else the whole statement. */
export function siteRange(site: ColumnTypeSite): { start?: number; end?: number } {
  return site.start !== undefined ? { start: site.start, end: site.end } : {};
}
