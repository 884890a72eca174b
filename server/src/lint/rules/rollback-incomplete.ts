import type { Fix, LintUnit, ParsedSection, Rule, TextEdit } from '../types';
import { describeObject, objectEffects, sameObject, type DbObject, type ObjectKind } from '../../sql/objects';
import type { Statement } from '../../sql/statements';
import { changesRemovedBy, removedBy, runsInMigration, upOutcome, type UpChange } from '../reversal';
import { undoStatement } from '../rollback-generator';

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
  summary: 'The down section does not reverse everything the up section creates or enables.',
  check(unit, report) {
    const { up, down } = unit;
    if (!up || !down || down.statements.length === 0) return;
    // A down that does not parse yet (being typed) may hold the very reversal we would ask for.
    if (down.statements.some((s) => s.syntaxError)) return;
    const missing = upOutcome(up).changes.filter(
      (c) => CHECKED.has(c.object.kind) && !removedBy(down.statementsWithEmbedded, c.object) && !restoredBy(down.statementsWithEmbedded, c),
    );
    const items = missing.flatMap((change) => {
      const sql = undoStatement(change.action, change.object, { concurrent: change.effect.concurrent });
      return sql ? [{ change, sql }] : [];
    });
    const pointOf = insertionPoints(up, down);
    // One "add all" fix, shared by every finding: building it per finding would cost missing².
    const all = items.length > 1 ? insertFix(unit, down, pointOf, items, `Add all ${items.length} missing reversals to the rollback`) : undefined;
    const itemOf = new Map(items.map((i) => [i.change, i]));
    for (const change of missing) {
      const item = itemOf.get(change);
      const what = describeObject(change.object);
      const verb = change.action === 'enable' ? 'enables' : 'creates';
      const fixes: Fix[] = [];
      if (item) fixes.push(insertFix(unit, down, pointOf, [item], `Add "${item.sql}" to the rollback`));
      if (item && all) fixes.push(all);
      report({
        section: up,
        statement: change.statement,
        message: `The up section ${verb} ${what}, but the down section does not undo it: after a rollback it is still there, ${consequence(change)}.${
          item ? ` Add to the rollback: ${item.sql}` : ''
        }`,
        fixes,
      });
    }
  },
};

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
 * created earlier (rollbacks run newest first), else at the end of the down section.
 */
function insertionPoints(up: ParsedSection, down: ParsedSection): (change: UpChange) => number {
  const changes = upOutcome(up).changes;
  // For each top-level down statement: the oldest up change it (or a DO block inside it) undoes.
  const oldest = new Map<Statement, number>();
  for (const s of down.statementsWithEmbedded) {
    if (!runsInMigration(s)) continue;
    const top = s.embedding?.parent ?? s;
    for (const e of objectEffects(s.node)) {
      if (e.action !== 'drop' && e.action !== 'disable') continue;
      for (const i of changesRemovedBy(up, e)) oldest.set(top, Math.min(oldest.get(top) ?? Infinity, i));
    }
  }
  const text = down.file.text;
  const positions = new Map(changes.map((c, i) => [c, i]));
  return (change) => {
    const position = positions.get(change) ?? Infinity;
    const before = down.statements.find((s) => (oldest.get(s) ?? Infinity) < position);
    return before ? text.lastIndexOf('\n', before.start - 1) + 1 : down.offset + down.text.length;
  };
}

function insertFix(unit: LintUnit, down: ParsedSection, pointOf: (change: UpChange) => number, items: Array<{ change: UpChange; sql: string }>, title: string): Fix {
  const text = down.file.text;
  const byPosition = new Map<number, string[]>();
  for (const { change, sql } of items) {
    const at = pointOf(change);
    // Several reversals at one place: newest first, like the rest of a rollback.
    byPosition.set(at, [sql, ...(byPosition.get(at) ?? [])]);
  }
  const edits: TextEdit[] = [...byPosition].map(([at, lines]) => {
    const atLineStart = at === 0 || text[at - 1] === '\n';
    return { start: at, end: at, newText: `${atLineStart ? '' : '\n'}${lines.join('\n')}\n` };
  });
  return down.file.path === unit.file.path ? { title, edits } : { title, edits: [], otherFileEdits: [{ path: down.file.path, edits }] };
}

export default rule;
