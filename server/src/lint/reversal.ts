/**
 * Rules judge the direction they are in: a DROP in a down section that removes what the up
 * section of the same migration created is the rollback doing its job, not a finding.
 */
import { nodeType, type Statement } from '../sql/statements';
import { objectEffects, removalKeys, removes, sameName, sameObject, type DbObject, type ObjectEffect } from '../sql/objects';
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

/** Lists by name, so matching an object means looking at the few entries with its name. */
class ByName<T> {
  private readonly map = new Map<string, T[]>();
  add(name: string, item: T): void {
    const list = this.map.get(name);
    if (list) list.push(item);
    else this.map.set(name, [item]);
  }
  get(name: string | undefined): readonly T[] {
    return (name !== undefined && this.map.get(name)) || [];
  }
}

/**
 * What an up section leaves behind, in order: objects created and features enabled that it does
 * not itself drop again, under their final names; and renames of objects it did not create.
 */
export function upOutcome(up: ParsedSection): UpOutcome {
  const cached = outcomes.get(up);
  if (cached) return cached;
  const changes: Array<UpChange | undefined> = [];
  // Positions in `changes` by every name a drop or rename could reach them under (removalKeys).
  // Entries go stale when objects are renamed or removed; every lookup re-checks the object.
  const index = new ByName<number>();
  const indexAt = (i: number) => removalKeys(changes[i]!.object).forEach((k) => index.add(k, i));
  const renames: UpRename[] = [];
  for (const statement of up.statementsWithEmbedded) {
    if (!runsInMigration(statement)) continue;
    for (const effect of objectEffects(statement.node)) {
      switch (effect.action) {
        case 'create':
        case 'enable': {
          // CREATE OR REPLACE of an object created earlier, or a guarded re-create: one object.
          const same = index.get(effect.object.name).some((i) => {
            const c = changes[i];
            return c && c.action === effect.action && sameObject(c.object, effect.object);
          });
          if (same) break;
          changes.push({ action: effect.action, object: effect.object, effect, statement });
          indexAt(changes.length - 1);
          break;
        }
        case 'drop':
        case 'disable':
          // Removed entries become holes (filtered out at the end).
          for (const i of new Set(index.get(effect.object.name))) if (changes[i] && removes(effect, changes[i]!.object)) changes[i] = undefined;
          break;
        case 'rename': {
          let own = false;
          for (const i of new Set(index.get(effect.object.name))) {
            const c = changes[i];
            if (!c) continue;
            own ||= sameObject(c.object, effect.object);
            const object = renamed(c.object, effect);
            if (object === c.object) continue;
            changes[i] = { ...c, object };
            indexAt(i);
          }
          if (!own) renames.push({ effect, statement });
          break;
        }
      }
    }
  }
  const outcome = { changes: changes.filter((c): c is UpChange => !!c), renames };
  outcomes.set(up, outcome);
  return outcome;
}

const changeIndexes = new WeakMap<UpOutcome, ByName<number>>();

/** Positions in upOutcome(up).changes of the changes a drop or disable removes. */
export function changesRemovedBy(up: ParsedSection, effect: ObjectEffect): number[] {
  const outcome = upOutcome(up);
  let index = changeIndexes.get(outcome);
  if (!index) {
    const built = new ByName<number>();
    outcome.changes.forEach((c, i) => removalKeys(c.object).forEach((k) => built.add(k, i)));
    changeIndexes.set(outcome, (index = built));
  }
  return [...new Set(index.get(effect.object.name))].filter((i) => removes(effect, outcome.changes[i].object));
}

const createdTables = new WeakMap<UpOutcome, { all: ByName<UpChange>; tables: ByName<UpChange> }>();

/** True when `object` is something the up section created, or hangs off a table it created. */
export function createdByUp(unit: LintUnit, object: DbObject): boolean {
  if (!unit.up) return false;
  const outcome = upOutcome(unit.up);
  let found = createdTables.get(outcome);
  if (!found) {
    found = { all: new ByName<UpChange>(), tables: new ByName<UpChange>() };
    for (const c of outcome.changes) {
      if (c.action !== 'create') continue;
      found.all.add(c.object.name, c);
      if (c.object.kind === 'table') found.tables.add(c.object.name, c);
    }
    createdTables.set(outcome, found);
  }
  return (
    found.all.get(object.name).some((c) => sameObject(c.object, object)) || (!!object.table && found.tables.get(object.table.name).some((c) => sameName(c.object, object.table)))
  );
}

/** True when `effect` renames back what the up renamed: the up renamed A to B, this renames B to A. */
export function renamesBack(rename: UpRename, effect: ObjectEffect): boolean {
  const from = rename.effect.object;
  return (
    effect.action === 'rename' &&
    from.kind === effect.object.kind &&
    rename.effect.newName === effect.object.name &&
    effect.newName === from.name &&
    (!from.table || !effect.object.table || sameName(from.table, effect.object.table))
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
      return renames.some((r) => renamesBack(r, effect));
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

const removalIndexes = new WeakMap<readonly Statement[], ByName<ObjectEffect>>();

/** True when one of the statements removes `object`, explicitly or with its table, column or schema. */
export function removedBy(statements: readonly Statement[], object: DbObject): boolean {
  let index = removalIndexes.get(statements);
  if (!index) {
    index = new ByName<ObjectEffect>();
    for (const s of statements) {
      if (!runsInMigration(s)) continue;
      for (const e of objectEffects(s.node)) if (e.action === 'drop' || e.action === 'disable') index.add(e.object.name, e);
    }
    removalIndexes.set(statements, index);
  }
  return removalKeys(object).some((key) => index!.get(key).some((e) => removes(e, object)));
}
