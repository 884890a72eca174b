import type { Fix, LintUnit, ParsedSection, Rule, TextEdit } from '../types';
import { describeObject, objectEffects, removes, sameObject, type ObjectKind } from '../../sql/objects';
import type { Statement } from '../../sql/statements';
import { removedBy, runsInMigration, upOutcome, type UpChange } from '../reversal';
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
    const missing = upOutcome(up).changes.filter(
      (c) => CHECKED.has(c.object.kind) && !removedBy(down.statementsWithEmbedded, c.object) && !restoredBy(down.statementsWithEmbedded, c),
    );
    const items = missing.flatMap((change) => {
      const sql = undoStatement(change.action, change.object, { concurrent: change.effect.concurrent });
      return sql ? [{ change, sql }] : [];
    });
    for (const change of missing) {
      const item = items.find((i) => i.change === change);
      const what = describeObject(change.object);
      const verb = change.action === 'enable' ? 'enables' : 'creates';
      const fixes: Fix[] = [];
      if (item) fixes.push(insertFix(unit, up, down, [item], `Add "${item.sql}" to the rollback`));
      if (item && items.length > 1) fixes.push(insertFix(unit, up, down, items, `Add all ${items.length} missing reversals to the rollback`));
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
  return statements.some((s) => runsInMigration(s) && objectEffects(s.node).some((e) => e.action === 'create' && sameObject(e.object, change.object)));
}

/**
 * Where a missing reversal belongs: before the first down statement that undoes something the up
 * created earlier (rollbacks run newest first), else at the end of the down section.
 */
function insertionPoint(up: ParsedSection, down: ParsedSection, change: UpChange): number {
  const older = upOutcome(up).changes.filter((c) => c.statement.start < change.statement.start || (c.statement === change.statement && c !== change));
  for (const statement of down.statements) {
    const candidates = [statement, ...down.statementsWithEmbedded.filter((s) => s.embedding?.parent === statement && runsInMigration(s))];
    const effects = candidates.flatMap((s) => objectEffects(s.node));
    if (older.some((c) => effects.some((e) => removes(e, c.object)))) {
      const text = down.file.text;
      return text.lastIndexOf('\n', statement.start - 1) + 1;
    }
  }
  return down.offset + down.text.length;
}

function insertFix(unit: LintUnit, up: ParsedSection, down: ParsedSection, items: Array<{ change: UpChange; sql: string }>, title: string): Fix {
  const text = down.file.text;
  const byPosition = new Map<number, string[]>();
  for (const { change, sql } of items) {
    const at = insertionPoint(up, down, change);
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
