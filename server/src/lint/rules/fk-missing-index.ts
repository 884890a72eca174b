import type { Constraint, RangeVar } from '@pgsql/types';
import type { Fix, ParsedSection, Rule } from '../types';
import type { Statement } from '../../sql/statements';
import { groupByName, relationName, renderName, sameName, type QualifiedName } from '../../sql/objects';
import { quoteIdentifier, stringList } from '../../sql/names';
import { hasExactPositions } from '../../sql/embedded';
import { fileRange, matchingParen, tokensAtLocation } from '../../sql/token-ranges';
import { insertAfter } from '../statement-rewrite';
import { tableCreatedEarlier } from '../created-in-migration';
import { earlierCatalog, type EarlierCatalog } from '../earlier-migrations';

import { perNode, type AstNode } from '../../sql/ast';

interface ForeignKey {
  table: RangeVar;
  columns: string[];
  constraint: Constraint;
  /** The statement creates the referencing table itself. */
  inCreateTable: boolean;
}

/** Columns an index (or PRIMARY KEY / UNIQUE) leads with, usable for looking up referencing rows. */
interface Cover {
  table: QualifiedName;
  columns: string[];
}

// Per parse tree node: an editor's re-lint keeps the trees of the statements an edit did not touch.
const keysByNode = new WeakMap<object, readonly ForeignKey[]>();
const coversByNode = new WeakMap<object, readonly Cover[]>();
const NONE: readonly never[] = [];

const foreignKeys = (statement: Statement): readonly ForeignKey[] => perNode(keysByNode, statement.node, foreignKeysOf, NONE);

function foreignKeysOf(node: AstNode): ForeignKey[] {
  const found: ForeignKey[] = [];
  const create = node.CreateStmt;
  const alter = node.AlterTableStmt;
  const add = (table: RangeVar, columns: string[], constraint: Constraint, inCreateTable: boolean) => {
    if (constraint.contype === 'CONSTR_FOREIGN' && columns.length) found.push({ table, columns, constraint, inCreateTable });
  };
  const fromColumn = (table: RangeVar, column: AstNode | undefined, inCreateTable: boolean) => {
    for (const c of column?.constraints ?? []) if (c?.Constraint && column?.colname) add(table, [column.colname], c.Constraint, inCreateTable);
  };
  if (create?.relation) {
    for (const element of create.tableElts ?? []) {
      if (element?.ColumnDef) fromColumn(create.relation, element.ColumnDef, true);
      else if (element?.Constraint) add(create.relation, stringList(element.Constraint.fk_attrs), element.Constraint, true);
    }
  } else if (alter?.relation) {
    for (const item of alter.cmds ?? []) {
      const cmd = item?.AlterTableCmd;
      if (cmd?.subtype === 'AT_AddConstraint' && cmd.def?.Constraint) add(alter.relation, stringList(cmd.def.Constraint.fk_attrs), cmd.def.Constraint, false);
      else if (cmd?.subtype === 'AT_AddColumn') fromColumn(alter.relation, cmd.def?.ColumnDef, false);
    }
  }
  return found;
}

const covers = (statement: Statement): readonly Cover[] => perNode(coversByNode, statement.node, coversOf, NONE);

function coversOf(node: AstNode | undefined): Cover[] {
  const found: Cover[] = [];
  const index = node?.IndexStmt;
  // A partial index only helps for the rows its WHERE admits; the referential check looks at all.
  if (index?.relation && !index.whereClause) {
    const columns: string[] = [];
    for (const param of index.indexParams ?? []) {
      const name = param?.IndexElem?.name;
      if (!name) break; // an expression ends the usable prefix
      columns.push(name);
    }
    found.push({ table: relationName(index.relation), columns });
  }
  const keyConstraint = (table: RangeVar, constraint: AstNode | undefined, column?: string) => {
    if (constraint?.contype !== 'CONSTR_PRIMARY' && constraint?.contype !== 'CONSTR_UNIQUE') return;
    const columns = column ? [column] : stringList(constraint.keys);
    if (columns.length) found.push({ table: relationName(table), columns });
  };
  const create = node?.CreateStmt;
  if (create?.relation) {
    for (const element of create.tableElts ?? []) {
      if (element?.Constraint) keyConstraint(create.relation, element.Constraint);
      for (const c of element?.ColumnDef?.constraints ?? []) keyConstraint(create.relation, c?.Constraint, element.ColumnDef.colname);
    }
  }
  const alter = node?.AlterTableStmt;
  if (alter?.relation) {
    for (const item of alter.cmds ?? []) {
      const cmd = item?.AlterTableCmd;
      if (cmd?.subtype === 'AT_AddConstraint') keyConstraint(alter.relation, cmd.def?.Constraint);
      if (cmd?.subtype === 'AT_AddColumn') for (const c of cmd.def?.ColumnDef?.constraints ?? []) keyConstraint(alter.relation, c?.Constraint, cmd.def.ColumnDef.colname);
    }
  }
  return found;
}

const coversBySection = new WeakMap<ParsedSection, Cover[]>();

/** Every index-like cover a section creates; earlier migrations' sections are asked again and again. */
function sectionCovers(section: ParsedSection): Cover[] {
  let list = coversBySection.get(section);
  if (!list) {
    list = section.statementsWithEmbedded.flatMap(covers);
    coversBySection.set(section, list);
  }
  return list;
}

/** Covers grouped by table name (schema compared later by `serves`). */
/** The section's covers by table name, for the earlier migrations' catalog. */
function coverEntries(section: ParsedSection): Array<[string, Cover]> {
  return sectionCovers(section).map((cover) => [cover.table.name, cover]);
}

function coversByTable(covers: Cover[]): Map<string, Cover[]> {
  return groupByName(covers, (cover) => cover.table);
}

/** The index serves the foreign key when the key's columns, in any order, are its leading columns. */
function serves(cover: Cover, key: ForeignKey): boolean {
  if (!sameName(cover.table, relationName(key.table)) || cover.columns.length < key.columns.length) return false;
  const leading = new Set(cover.columns.slice(0, key.columns.length));
  return key.columns.every((c) => leading.has(c));
}

/** PostgreSQL's own default index name, truncated to the 63-byte identifier limit. */
function indexName(table: string, columns: string[]): string {
  let name = `${table}_${columns.join('_')}_idx`;
  while (Buffer.byteLength(name) > 63) name = name.slice(0, -1);
  return name;
}

/** `FOREIGN KEY (a) REFERENCES t (id)` or the column's `REFERENCES t (id)`, as written. */
function constraintRange(statement: Statement, constraint: Constraint): { start: number; end: number } | undefined {
  if (!hasExactPositions(statement)) return undefined;
  const at = tokensAtLocation(statement, constraint.location);
  if (!at) return undefined;
  const { tokens, index } = at;
  let k = index;
  while (k < tokens.length && !(tokens[k].kind === 'word' && tokens[k].value === 'references')) k++;
  if (k >= tokens.length) return undefined;
  k++; // the referenced table: name, possibly qualified
  while (k + 1 < tokens.length && tokens[k + 1].value === '.') k += 2;
  let last = k;
  if (tokens[k + 1]?.value === '(') {
    const close = matchingParen(tokens, k + 1);
    if (close > 0) last = close;
  }
  return last < tokens.length ? fileRange(statement, tokens, index, last) : undefined;
}

function indexFixes(section: ParsedSection, statement: Statement, key: ForeignKey, newTable: boolean): Fix[] {
  const top = statement.embedding?.parent ?? statement;
  const name = quoteIdentifier(indexName(key.table.relname ?? 'table', key.columns));
  const target = `${renderName(relationName(key.table))} (${key.columns.map(quoteIdentifier).join(', ')})`;
  const plain = `CREATE INDEX IF NOT EXISTS ${name} ON ${target}`;
  const concurrent = `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name} ON ${target}`;
  const text = section.file.text;
  // A new table is empty: a plain build is instant. On an existing table a plain build blocks writes.
  if (newTable) return [{ title: `Add index ${name}`, edits: [insertAfter(text, top, [plain])], preferred: true }];
  return [
    { title: `Add index ${name} concurrently`, edits: [insertAfter(text, top, [concurrent])], preferred: true },
    { title: `Add index ${name} (blocks writes while it builds)`, edits: [insertAfter(text, top, [plain])] },
  ];
}

/**
 * Indexes count when this migration or an earlier one (same folder, lower version) creates them;
 * a later migration's index leaves the key unindexed between the two deploys.
 *
 * A foreign key whose referencing columns lead no index: PostgreSQL indexes the referenced side
 * (it must be a primary key or unique) but never the referencing side. Every DELETE of a parent
 * row and every UPDATE of its key then scans the child table to check or cascade.
 */
const rule: Rule = {
  id: 'fk-missing-index',
  defaultSeverity: 'warning',
  readsEarlierMigrations: true,
  summary: 'A foreign key without an index on its referencing columns: deletes and key updates on the parent scan the child table.',
  lint(unit, report) {
    const section = unit.up;
    if (!section) return;
    const statements = section.statementsWithEmbedded;
    const byTable = coversByTable(sectionCovers(section));
    // Earlier migrations are read only when this one leaves a key uncovered, and then once.
    let earlier: EarlierCatalog<Cover> | undefined;
    const coveredEarlier = (key: ForeignKey) =>
      (earlier ??= earlierCatalog(unit, coverEntries, /index|primary|unique/i)).get(key.table.relname ?? '').some((cover) => serves(cover, key));
    for (const statement of statements) {
      for (const key of foreignKeys(statement)) {
        if ((byTable.get(key.table.relname ?? '') ?? []).some((cover) => serves(cover, key))) continue;
        if (!key.inCreateTable && coveredEarlier(key)) continue;
        const table = renderName(relationName(key.table));
        const columns = key.columns.map(quoteIdentifier).join(', ');
        const parent = key.constraint.pktable ? renderName(relationName(key.constraint.pktable)) : 'the referenced table';
        const newTable = key.inCreateTable || tableCreatedEarlier(section, statement, key.table);
        report({
          section,
          statement,
          ...(constraintRange(statement, key.constraint) ?? {}),
          message: `Foreign key ${table} (${columns}) → ${parent} has no index leading with (${columns}) in this or an earlier migration: every DELETE from ${parent}, and every update of its key, scans ${table} to find referencing rows. Add CREATE INDEX ON ${table} (${columns}).`,
          fixes: () => indexFixes(section, statement, key, newTable),
        });
      }
    }
  },
};
export default rule;
