import type { AlterTableCmd, AlterTableStmt, ColumnDef, TypeName } from '@pgsql/types';
import type { ParsedSection, Rule } from '../types';
import type { Statement } from '../../sql/statements';
import { qualifiedName } from '../../sql/names';
import { alterTableCommands } from '../alter-table-commands';
import { positionInSection, tableCreatedEarlier } from '../created-in-migration';
import { groupByName, objectEffects, relationName, sameName, type QualifiedName } from '../../sql/objects';
import { columnDefinitions } from '../../sql/columns';
import { earlierFold, type EarlierFold } from '../earlier-migrations';
import type { LintUnit } from '../types';

/**
 * ALTER COLUMN ... TYPE rewrites the whole table and rebuilds its indexes under ACCESS EXCLUSIVE
 * lock, unless the new type is binary-compatible with the old one (varchar(n) → text). The old
 * type is looked up where the migrations show it: an ADD COLUMN earlier in the section, the down
 * section changing the column back, or the migrations before this one (CREATE TABLE, ADD COLUMN,
 * ALTER COLUMN TYPE), so widening a varchar an earlier migration created is not flagged.
 */
const rule: Rule = {
  id: 'changing-column-type',
  defaultSeverity: 'warning',
  summary: 'Changing a column type rewrites the table under an ACCESS EXCLUSIVE lock.',
  readsEarlierMigrations: true,
  lint(unit, report) {
    let earlier: Map<string, TypeName> | undefined;
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      // The types as the section's statements leave them, carried from one type change to the next.
      const history: SectionTypes = { position: 0 };
      const other = section.kind === 'up' ? unit.down : unit.up;
      for (const command of alterTableCommands(section)) {
        const { statement, alter, cmd } = command;
        if (cmd.subtype !== 'AT_AlterColumnType' || !cmd.name) continue;
        const def = (cmd.def as { ColumnDef?: ColumnDef } | undefined)?.ColumnDef;
        if (!def?.typeName || tableCreatedEarlier(section, statement, alter.relation!)) continue;
        const target = describeType(def.typeName);
        const plain = !def.raw_default && !def.collClause;
        const before =
          knownOldType(section, other, statement, alter, cmd.name) ??
          (section.kind === 'up' ? fromEarlier((earlier ??= earlierColumnTypes(unit)), history, section, statement, relationName(alter.relation!), cmd.name) : undefined);
        if (plain && before && isBinaryCompatibleChange(before, target)) continue;
        const table = qualifiedName(alter.relation!);
        const maybeSafe = plain && !before && widensToUnknown(target);
        // PostgreSQL 12+ turns timestamp into timestamptz without a rewrite when the session's TimeZone is UTC.
        const toTimestamptz = plain && (before?.base ?? 'timestamp') === 'timestamp' && target.base === 'timestamptz';
        report({
          section,
          statement,
          ...command.range,
          message:
            `Changing the type of column ${cmd.name} of ${table} to ${target.written} rewrites the whole table and rebuilds its indexes under an ACCESS EXCLUSIVE lock, blocking reads and writes until it finishes; ` +
            (toTimestamptz
              ? `from timestamp, PostgreSQL 12+ skips the rewrite only when the session's TimeZone is UTC (SET timezone = 'UTC' first, and check the stored values are UTC), otherwise add a new column, backfill it in batches and switch over.`
              : maybeSafe
                ? `if the column is varchar or text today the change is metadata-only (suppress with -- tidemark-ignore changing-column-type), otherwise add a new column, backfill it in batches and switch over.`
                : `add a new column of the new type, keep it in sync with a trigger, backfill it in batches, then switch readers and drop the old column.`),
        });
      }
    }
  },
};

interface TypeDescription {
  /** Canonical base name: varchar, text, numeric, varbit, int8... */
  base: string;
  mods: number[];
  written: string;
  isArray: boolean;
}

function describeType(typeName: TypeName): TypeDescription {
  const names = (typeName.names ?? []).map((n) => (n as { String?: { sval?: string } }).String?.sval ?? '');
  const last = names[names.length - 1] ?? '';
  const base = last === 'decimal' ? 'numeric' : last;
  const mods = (typeName.typmods ?? []).map((m) => (m as { A_Const?: { ival?: { ival?: number } } }).A_Const?.ival?.ival ?? 0);
  const isArray = (typeName.arrayBounds?.length ?? 0) > 0;
  return { base, mods, isArray, written: `${base}${mods.length ? `(${mods.join(',')})` : ''}${isArray ? '[]' : ''}` };
}

/** PostgreSQL changes these without touching a row (binary-coercible, same or wider typmod). */
function isBinaryCompatibleChange(from: TypeDescription, to: TypeDescription): boolean {
  if (from.isArray !== to.isArray) return false;
  const widened = () => to.mods.length === 0 || (from.mods.length > 0 && to.mods[0] >= from.mods[0]);
  if ((from.base === 'varchar' || from.base === 'text') && to.base === 'text') return true;
  if ((from.base === 'varchar' || from.base === 'text') && to.base === 'varchar') return from.base === 'varchar' ? widened() : to.mods.length === 0;
  if (from.base === 'varbit' && to.base === 'varbit') return widened();
  // numeric: a higher precision with the same scale keeps every stored value as it is.
  if (from.base === 'numeric' && to.base === 'numeric')
    return to.mods.length === 0 || (from.mods.length > 0 && to.mods[0] >= from.mods[0] && (to.mods[1] ?? 0) === (from.mods[1] ?? 0));
  if (from.base === 'cidr' && to.base === 'inet') return true;
  return from.base === to.base && from.mods.join() === to.mods.join();
}

/** Targets that are binary-compatible from some common source types. */
function widensToUnknown(to: TypeDescription): boolean {
  return to.base === 'text' || to.base === 'varchar' || to.base === 'numeric' || to.base === 'varbit' || to.base === 'inet';
}

interface ColumnTypeSite {
  position: number;
  table: QualifiedName;
  column: string;
  typeName: TypeName;
}

/** Per section, ADD COLUMN and ALTER COLUMN TYPE commands by table name, in statement order. */
const typeSitesBySection = new WeakMap<ParsedSection, Record<'AT_AddColumn' | 'AT_AlterColumnType', Map<string, ColumnTypeSite[]>>>();

// Built once per section: looking back through every earlier statement for each type change costs
// (type changes × statements), which a long migration made the slowest part of a lint.
function typeSites(section: ParsedSection) {
  let sites = typeSitesBySection.get(section);
  if (sites) return sites;
  const found: Record<'AT_AddColumn' | 'AT_AlterColumnType', ColumnTypeSite[]> = { AT_AddColumn: [], AT_AlterColumnType: [] };
  section.statementsWithEmbedded.forEach((s, position) => {
    const a = (s.node as { AlterTableStmt?: AlterTableStmt } | undefined)?.AlterTableStmt;
    if (!a?.relation) return;
    const table = relationName(a.relation);
    for (const item of a.cmds ?? []) {
      const c = (item as { AlterTableCmd?: AlterTableCmd }).AlterTableCmd;
      const def = (c?.def as { ColumnDef?: ColumnDef } | undefined)?.ColumnDef;
      if ((c?.subtype !== 'AT_AddColumn' && c?.subtype !== 'AT_AlterColumnType') || !def?.typeName) continue;
      const column = c.subtype === 'AT_AddColumn' ? def.colname : c.name;
      if (column) found[c.subtype].push({ position, table, column, typeName: def.typeName });
    }
  });
  const byTable = (list: ColumnTypeSite[]) => groupByName(list, (site) => site.table);
  sites = { AT_AddColumn: byTable(found.AT_AddColumn), AT_AlterColumnType: byTable(found.AT_AlterColumnType) };
  typeSitesBySection.set(section, sites);
  return sites;
}

/**
 * `table.column` → its type after the migrations before this one ran (last definition wins),
 * following renames of tables and columns, which move a column's type to its new name.
 */
function applyTypeHistory(types: ColumnTypes, statements: readonly Statement[]): void {
  for (const statement of statements) {
    for (const column of columnDefinitions(statement.node)) types.set(`${relationName(column.table).name}.${column.name}`, column.type);
    for (const effect of objectEffects(statement.node)) {
      if (effect.action !== 'rename' || !effect.newName) continue;
      const { object } = effect;
      if (object.kind === 'table') {
        for (const [key, type] of [...types.entries()]) {
          if (!key.startsWith(`${object.name}.`)) continue;
          types.delete(key);
          types.set(`${effect.newName}.${key.slice(object.name.length + 1)}`, type);
        }
      } else if (object.kind === 'column' && object.table) {
        const key = `${object.table.name}.${object.name}`;
        const type = types.get(key);
        if (!type) continue;
        types.delete(key);
        types.set(`${object.table.name}.${effect.newName}`, type);
      }
    }
  }
}

/** `table.column` → type, as applyTypeHistory reads and writes them: a Map, or a SectionTypes' overlay. */
interface ColumnTypes {
  get(key: string): TypeName | undefined;
  set(key: string, type: TypeName): unknown;
  delete(key: string): unknown;
  entries(): Iterable<[string, TypeName]>;
}

/**
 * The earlier migrations' column types (read-only) with a section's own changes over them. A copy
 * of the earlier types per lint cost a Map of every column of the earlier migrations (thousands)
 * on each keystroke, for the few a migration changes.
 */
class TypesOverEarlier implements ColumnTypes {
  /** This section's changes; undefined: the column is gone (renamed). */
  private readonly own = new Map<string, TypeName | undefined>();

  constructor(private readonly earlier: ReadonlyMap<string, TypeName>) {}

  get(key: string): TypeName | undefined {
    return this.own.has(key) ? this.own.get(key) : this.earlier.get(key);
  }

  set(key: string, type: TypeName): void {
    this.own.set(key, type);
  }

  delete(key: string): void {
    this.own.set(key, undefined);
  }

  *entries(): IterableIterator<[string, TypeName]> {
    for (const entry of this.earlier) if (!this.own.has(entry[0])) yield entry;
    for (const [key, type] of this.own) if (type) yield [key, type];
  }
}

/** Column types after the earlier migrations, built once per folder as the lint moves on (earlierFold). */
const typeHistory: EarlierFold<Map<string, TypeName>> = {
  initial: () => new Map(),
  add: (types, section) => applyTypeHistory(types, section.statementsWithEmbedded),
};

/** Read-only: fromEarlier copies it before applying the migration's own statements. */
function earlierColumnTypes(unit: LintUnit): Map<string, TypeName> {
  return earlierFold(unit, typeHistory);
}

/** The column types after the earlier migrations and the first `position` statements of a section. */
interface SectionTypes {
  position: number;
  types?: TypesOverEarlier;
}

/**
 * The column's type from the earlier migrations and this section's statements before `statement`.
 * `history` moves on from the last type change asked about instead of replaying the section from
 * its start for each one: a 1,000-statement file with 80 type changes replayed 40,000 statements
 * on every keystroke (a third of its re-lint).
 */
function fromEarlier(
  earlier: Map<string, TypeName>,
  history: SectionTypes,
  section: ParsedSection,
  statement: Statement,
  table: QualifiedName,
  column: string,
): TypeDescription | undefined {
  const position = Math.max(0, positionInSection(section, statement));
  if (!history.types || position < history.position) {
    history.types = new TypesOverEarlier(earlier);
    history.position = 0;
  }
  applyTypeHistory(history.types, section.statementsWithEmbedded.slice(history.position, position));
  history.position = position;
  const type = history.types.get(`${table.name}.${column}`);
  return type && describeType(type);
}

/** The column's type before the change, when the migration shows it. */
function knownOldType(section: ParsedSection, other: ParsedSection | undefined, statement: Statement, alter: AlterTableStmt, column: string): TypeDescription | undefined {
  const table = relationName(alter.relation!);
  const matches = (site: ColumnTypeSite) => site.column === column && sameName(site.table, table);
  // The nearest ADD COLUMN earlier in this section (the first of them in a statement adding it twice).
  const position = positionInSection(section, statement);
  const added = (typeSites(section).AT_AddColumn.get(table.name) ?? []).filter((site) => site.position < position && matches(site));
  const nearest = added.find((site) => site.position === added[added.length - 1].position);
  if (nearest) return describeType(nearest.typeName);
  // The other section changing the type back (a down section undoing this up, or the up this down undoes).
  const changedBack = other && (typeSites(other).AT_AlterColumnType.get(table.name) ?? []).find(matches);
  return changedBack ? describeType(changedBack.typeName) : undefined;
}
export default rule;
