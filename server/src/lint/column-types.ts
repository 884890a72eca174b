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

/**
 * One column type chosen by the up section. Where its text lies is worked out on first use: a
 * rule reads it only for the few columns it flags, and a long migration has thousands of columns.
 */
export class ColumnTypeSite {
  /** `int4`, `varchar`, `timestamp`, `serial`... */
  readonly typeName: string;
  private located?: { start?: number; end?: number; modifiers?: string; written?: string };

  constructor(
    readonly section: ParsedSection,
    readonly statement: Statement,
    readonly column: ColumnDefinition,
  ) {
    this.typeName = baseTypeName(column.type);
  }

  /** Absolute start of the type's text; undefined when the position is not exact (no fix then). */
  get start(): number | undefined {
    return this.locate().start;
  }

  get end(): number | undefined {
    return this.locate().end;
  }

  /** `(20)`, `(3)`: modifiers as written. */
  get modifiers(): string | undefined {
    return this.locate().modifiers;
  }

  /** The type as written, e.g. `character varying(20)`, without array brackets. */
  get written(): string | undefined {
    return this.locate().written;
  }

  private locate() {
    if (this.located) return this.located;
    const { statement } = this;
    this.located = {};
    if (!hasExactPositions(statement)) return this.located;
    const tokens = statementTokens(statement);
    const span = typeTokens(tokens, new ByteOffsets(statement.text).toOffset(this.column.type.location ?? -1));
    if (span) {
      const start = fileOffsetOf(statement, tokens[span.first].start);
      const end = fileOffsetOf(statement, tokens[span.last].end);
      this.located = { start, end, modifiers: span.modifiers, written: this.section.file.text.slice(start, end) };
    }
    return this.located;
  }
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
    for (const column of columnDefinitions(statement.node)) sites.push(new ColumnTypeSite(section, statement, column));
  }
  sitesBySection.set(section, sites);
  return sites;
}

const sitesBySection = new WeakMap<ParsedSection, ColumnTypeSite[]>();

/** The column types one statement of the up section chooses (a rule judging statements one by one). */
export function statementColumnTypeSites(section: ParsedSection, statement: Statement): ColumnTypeSite[] {
  return section.kind === 'up' ? columnDefinitions(statement.node).map((column) => new ColumnTypeSite(section, statement, column)) : [];
}

/** The finding's range: the type when known, else the whole statement. */
export function siteRange(site: ColumnTypeSite): { start?: number; end?: number } {
  return site.start !== undefined ? { start: site.start, end: site.end } : {};
}
