/**
 * Rules judge the direction they are in: a DROP in a down section that removes what the up
 * section of the same migration created is the rollback doing its job, not a finding.
 */
import { nodeType, type Statement } from '../sql/statements';
import { objectEffects, removes, sameName, sameObject, type DbObject, type ObjectEffect } from '../sql/objects';
import type { LintUnit, ParsedSection } from './types';

/** Something the up section leaves behind: an object it created or a setting it enabled. */
export interface UpChange {
  action: 'create' | 'enable';
  /** The object as it is after the whole up section ran (later renames applied). */
  object: DbObject;
  effect: ObjectEffect;
  /** The statement that created or enabled it. */
  statement: Statement;
}

/** An up-section rename of an object the migration did not create. */
export interface UpRename {
  effect: ObjectEffect;
  statement: Statement;
}

export interface UpOutcome {
  changes: UpChange[];
  renames: UpRename[];
}

/**
 * True for statements the migration itself runs: top-level ones and those inside DO blocks, not the
 * body of a function it merely creates.
 */
export function runsInMigration(statement: Statement): boolean {
  return !statement.embedding || nodeType(statement.embedding.parent.node) === 'DoStmt';
}

const outcomes = new WeakMap<ParsedSection, UpOutcome>();

function renamed(object: DbObject, effect: ObjectEffect): DbObject {
  const from = effect.object;
  const to = effect.newName!;
  if (sameObject(from, object)) return { ...object, name: to };
  // Renaming a table moves what hangs off it; renaming a column renames it in index columns.
  if ((from.kind === 'table' || from.kind === 'view' || from.kind === 'materialized view') && object.table && sameName(from, object.table))
    return { ...object, table: { ...object.table, name: to } };
  if (from.kind === 'column' && object.table && sameName(from.table, object.table) && object.columns?.includes(from.name))
    return { ...object, columns: object.columns.map((c) => (c === from.name ? to : c)) };
  return object;
}

/**
 * What an up section leaves behind, in order: objects created and features enabled that it does
 * not itself drop again, under their final names; and renames of objects it did not create.
 */
export function upOutcome(up: ParsedSection): UpOutcome {
  const cached = outcomes.get(up);
  if (cached) return cached;
  let changes: UpChange[] = [];
  const renames: UpRename[] = [];
  for (const statement of up.statementsWithEmbedded) {
    if (!runsInMigration(statement)) continue;
    for (const effect of objectEffects(statement.node)) {
      switch (effect.action) {
        case 'create':
        case 'enable':
          // CREATE OR REPLACE of an object created earlier, or a guarded re-create: one object.
          if (!changes.some((c) => c.action === effect.action && sameObject(c.object, effect.object)))
            changes.push({ action: effect.action, object: effect.object, effect, statement });
          break;
        case 'drop':
        case 'disable':
          changes = changes.filter((c) => !removes(effect, c.object));
          break;
        case 'rename': {
          const own = changes.some((c) => sameObject(c.object, effect.object));
          changes = changes.map((c) => ({ ...c, object: renamed(c.object, effect) }));
          if (!own) renames.push({ effect, statement });
          break;
        }
      }
    }
  }
  const outcome = { changes, renames };
  outcomes.set(up, outcome);
  return outcome;
}

/** True when `object` is something the up section created, or hangs off a table it created. */
export function createdByUp(unit: LintUnit, object: DbObject): boolean {
  if (!unit.up) return false;
  const { changes } = upOutcome(unit.up);
  return changes.some(
    (c) =>
      (c.action === 'create' && sameObject(c.object, object)) ||
      (c.action === 'create' && c.object.kind === 'table' && !!object.table && sameName(c.object, object.table)),
  );
}

function undoes(unit: LintUnit, effect: ObjectEffect): boolean {
  const { changes, renames } = upOutcome(unit.up!);
  switch (effect.action) {
    case 'drop':
      return createdByUp(unit, effect.object);
    case 'disable':
      return changes.some((c) => c.action === 'enable' && sameObject(c.object, effect.object));
    case 'rename':
      // Renaming back: the up renamed A to B, the down renames B to A.
      return renames.some(
        (r) =>
          r.effect.object.kind === effect.object.kind &&
          r.effect.newName === effect.object.name &&
          effect.newName === r.effect.object.name &&
          (!r.effect.object.table || !effect.object.table || sameName(r.effect.object.table, effect.object.table)),
      );
    default:
      return false;
  }
}

/**
 * True when `statement` (in a down section) only drops, disables or renames back what the up
 * section of the same migration created, enabled or renamed — including objects that hang off a
 * table the up created. A statement that also removes anything else is not a reversal.
 */
export function reversesUp(unit: LintUnit, statement: Statement): boolean {
  if (!unit.up) return false;
  const undoing = objectEffects(statement.node).filter((e) => e.action === 'drop' || e.action === 'disable' || e.action === 'rename');
  return undoing.length > 0 && undoing.every((e) => undoes(unit, e));
}

/** True when one of the statements removes `object`, explicitly or with its table, column or schema. */
export function removedBy(statements: readonly Statement[], object: DbObject): boolean {
  return statements.some((s) => runsInMigration(s) && objectEffects(s.node).some((e) => removes(e, object)));
}
