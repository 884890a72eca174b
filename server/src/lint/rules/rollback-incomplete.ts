import type { Fix, ParsedSection, Rule, TextEdit } from '../types';
import { describeObject, objectEffects, sameObject, type DbObject, type ObjectKind } from '../../sql/objects';
import type { Statement } from '../../sql/statements';
import { changesRemovedBy, removedBy, renamesBack, runsInMigration, upOutcome, type UpChange } from '../reversal';
import { renameBack, undoStatement } from '../rollback-generator';
import { quoteIdentifier } from '../../sql/names';

/** What a rollback must take away again; constraints, schemas and extensions are left to judgement. */
const CHECKED: ReadonlySet<ObjectKind> = new Set<ObjectKind>([
  'table',
  'column',
  'index',
  'function',
  'procedure',
  'trigger',
  'policy',
  'type',
  'domain',
  'sequence',
  'view',
  'materialized view',
  'row level security',
  'forced row level security',
]);

/**
 * A down section that forgets part of the up leaves the database in a state no migration
 * describes: the next apply fails on "already exists", or a policy keeps filtering rows.
 */
const rule: Rule = {
  id: 'rollback-incomplete',
  defaultSeverity: 'warning',
  summary: 'The down section does not reverse everything the up section creates, enables or renames.',
  lint(unit, report) {
    if (!unit.execution.downsByDesign) return;
    const { up, down } = unit;
    if (!up || !down || down.statements.length === 0) return;
    // A down that does not parse yet (being typed) may hold the very reversal we would ask for.
    if (down.statements.some((s) => s.syntaxError || s.notAnalysed)) return;
    const outcome = upOutcome(up);
    const downRenames = down.statementsWithEmbedded.filter(runsInMigration).flatMap((s) => objectEffects(s.node).filter((e) => e.action === 'rename'));
    const missing: Missing[] = [];
    const movedAway = renamedThenDropped(down.statementsWithEmbedded);
    outcome.changes.forEach((change, changeIndex) => {
      if (!CHECKED.has(change.object.kind) || removedBy(down.statementsWithEmbedded, change.object) || restoredBy(down.statementsWithEmbedded, change)) return;
      // A TEMP table goes away with the session that ran the migration.
      if (temporary(change.statement)) return;
      if (movedAway.some((o) => sameObject(o, change.object))) return;
      const what = describeObject(change.object);
      missing.push({
        statement: change.statement,
        changeIndex,
        sql: undoStatement(change.action, change.object, { concurrent: change.effect.concurrent }),
        problem: `The up section ${change.action === 'enable' ? 'enables' : 'creates'} ${what}, but the down section does not undo it: after a rollback it is still there, ${consequence(change)}.`,
      });
    });
    const upMovedAway = renamedThenDropped(up.statementsWithEmbedded);
    for (const rename of outcome.renames) {
      if (downRenames.some((e) => renamesBack(rename, e))) continue;
      // An enum swap: the old type renamed aside, a new one created, the old one dropped. The
      // rename is not what the rollback has to undo; the new type (a change above) is.
      if (upMovedAway.some((o) => sameObject(o, rename.effect.object))) continue;
      const from = rename.effect.object;
      missing.push({
        statement: rename.statement,
        sql: renameBack(rename.effect),
        problem: `The up section renames ${describeObject(from)} to ${quoteIdentifier(rename.effect.newName!)}, but the down section does not rename it back: after a rollback, code written for the old name breaks.`,
      });
    }
    // Report and place in up order, as the statements that cause them run.
    missing.sort((a, b) => a.statement.start - b.statement.start || (a.changeIndex ?? 0) - (b.changeIndex ?? 0));
    const pointOf = insertionPoints(up, down, missing);
    const withSql = missing.filter((m) => m.sql);
    // One "add all" fix, shared by every finding: building it per finding would cost missing².
    const all = withSql.length > 1 ? insertFix(up, down, pointOf, withSql, `Add all ${withSql.length} missing reversals to the rollback`) : undefined;
    for (const item of missing) {
      const fixes: Fix[] = [];
      if (item.sql) fixes.push(insertFix(up, down, pointOf, [item], `Add "${item.sql}" to the rollback`));
      if (item.sql && all) fixes.push(all);
      report({ section: up, statement: item.statement, message: `${item.problem}${item.sql ? ` Add to the rollback: ${item.sql}` : ''}`, fixes });
    }
  },
};

/**
 * Objects these statements rename and then drop under the new name: the swap of an enum type
 * (`ALTER TYPE status RENAME TO status_old; CREATE TYPE status ...; DROP TYPE status_old`) removes
 * the object that had the old name, the same as dropping it.
 */
function renamedThenDropped(statements: readonly Statement[]): DbObject[] {
  const renamed: Array<{ from: DbObject; to: DbObject }> = [];
  const gone: DbObject[] = [];
  for (const s of statements) {
    if (!runsInMigration(s)) continue;
    for (const e of objectEffects(s.node)) {
      if (e.action === 'rename' && e.newName) renamed.push({ from: e.object, to: { ...e.object, name: e.newName } });
      if (e.action === 'drop') for (const r of renamed) if (sameObject(r.to, e.object)) gone.push(r.from);
    }
  }
  return gone;
}

/** CREATE TEMP TABLE / CREATE TEMP TABLE ... AS. */
function temporary(statement: Statement): boolean {
  const node = statement.node as { CreateStmt?: { relation?: { relpersistence?: string } }; CreateTableAsStmt?: { into?: { rel?: { relpersistence?: string } } } } | undefined;
  return node?.CreateStmt?.relation?.relpersistence === 't' || node?.CreateTableAsStmt?.into?.rel?.relpersistence === 't';
}

/** Something the down section leaves undone, and the statement that would undo it. */
interface Missing {
  /** The up statement that made the change. */
  statement: Statement;
  /** Position in upOutcome(up).changes, for a created or enabled object. */
  changeIndex?: number;
  sql?: string;
  problem: string;
}

function consequence(change: UpChange): string {
  if (change.action === 'enable') return 'still in force for code that no longer expects it';
  if (change.effect.conditional || change.effect.orReplace) return 'so the database no longer matches the migrations applied to it';
  return 'and applying the migration again fails on "already exists"';
}

/**
 * CREATE OR REPLACE in the up may redefine an existing function, view or trigger: a down that
 * puts back the previous definition (CREATE OR REPLACE again) reverses it without dropping it.
 */
function restoredBy(statements: readonly Statement[], change: UpChange): boolean {
  if (!change.effect.orReplace) return false;
  let creates = downCreates.get(statements);
  if (!creates) {
    creates = new Map();
    for (const s of statements) {
      if (!runsInMigration(s)) continue;
      for (const e of objectEffects(s.node)) if (e.action === 'create') creates.set(e.object.name, [...(creates.get(e.object.name) ?? []), e.object]);
    }
    downCreates.set(statements, creates);
  }
  return (creates.get(change.object.name) ?? []).some((o) => sameObject(o, change.object));
}

const downCreates = new WeakMap<readonly Statement[], Map<string, DbObject[]>>();

/**
 * Where a missing reversal belongs: before the first down statement that undoes something the up
 * did earlier (rollbacks run newest first), else at the end of the down section.
 */
function insertionPoints(up: ParsedSection, down: ParsedSection, missing: readonly Missing[]): (item: Missing) => number {
  const changes = upOutcome(up).changes;
  // For each top-level down statement: where in the up the oldest change it (or a DO block in it) undoes was made.
  const oldest = new Map<Statement, number>();
  for (const s of down.statementsWithEmbedded) {
    if (!runsInMigration(s)) continue;
    const top = s.embedding?.parent ?? s;
    for (const e of objectEffects(s.node)) {
      if (e.action !== 'drop' && e.action !== 'disable') continue;
      for (const i of changesRemovedBy(up, e)) oldest.set(top, Math.min(oldest.get(top) ?? Infinity, changes[i].statement.start));
    }
  }
  const text = down.file.text;
  const points = new Map<Missing, number>();
  for (const item of missing) {
    const before = down.statements.find((s) => (oldest.get(s) ?? Infinity) < item.statement.start);
    points.set(item, before ? text.lastIndexOf('\n', before.start - 1) + 1 : down.offset + down.text.length);
  }
  return (item) => points.get(item)!;
}

/** An edit of the down part, offered in the up section's file (where the finding is). */
function insertFix(up: ParsedSection, down: ParsedSection, pointOf: (item: Missing) => number, items: readonly Missing[], title: string): Fix {
  const text = down.file.text;
  const byPosition = new Map<number, string[]>();
  for (const item of items) {
    const at = pointOf(item);
    // Several reversals at one place: newest first, like the rest of a rollback.
    byPosition.set(at, [item.sql!, ...(byPosition.get(at) ?? [])]);
  }
  const edits: TextEdit[] = [...byPosition].map(([at, lines]) => {
    const atLineStart = at === 0 || text[at - 1] === '\n';
    return { start: at, end: at, newText: `${atLineStart ? '' : '\n'}${lines.join('\n')}\n` };
  });
  return down.file.path === up.file.path ? { title, edits } : { title, edits: [], otherFileEdits: [{ path: down.file.path, edits }] };
}

export default rule;
