/**
 * The up sections of the migrations that run before the one being linted (same folder, lower
 * version). Some judgements depend on them: an index created CONCURRENTLY in its own earlier
 * migration — the recommended expand/contract shape — serves a foreign key added later.
 *
 * `tidemark lint` over a folder asks this for every file in a row, and an editor on every
 * keystroke: the folder is discovered and parsed once, then reused for as long as no file in it
 * changed (same names, sizes and modification times) — and without even checking that for a
 * second after the last check, so linting N files costs N, not N², file-system calls.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { discoverMigrations, discoveryKey, lenientDiskReader, listMigrationFiles, readMigrationFiles } from '../migrations/discovery';
import { isNamedFilesLayout, layoutOnDisk, layoutReader } from '../migrations/layouts';
import { compareVersionKeys, versionOrder } from '../migrations/version';
import { migrationFolder, parseSection } from './unit';
import { listEntries } from '../migrations/layouts/reader';
import { isSectionFolder } from '../migrations/layouts/named-files';
import type { LintUnit, ParsedSection } from './types';
import type { LayoutId, Section } from '../migrations/types';
import { inSteadyBatch, steadyFact, steadyValue } from '../migrations/steady-disk';
import { unavailableParseCount } from '../sql/parse';

interface FolderState {
  signature: string;
  /** performance.now() of the last time the signature was found current. */
  checkedAt: number;
  /**
   * Up sections in version order, with their version keys; each parsed the first time a later
   * migration asks for it (the last migration of a folder, often the one edited, needs none).
   */
  ups: Array<{ version: string; versionKey: number[]; up: Section; parsed?: ParsedSection }>;
  /** The place of a version among `ups` (versionOrder of them), built once per folder state. */
  order: (version: string) => number[];
  /** `ups` are in version order, so the earlier ones of any migration are a prefix of them. */
  sorted: boolean;
  /** The last answer, for the next rule and the other files of the same migration. */
  last?: { count: number; sections: ParsedSection[] };
  /** The running catalogs (earlierCatalog), by the function that reads a section into entries. */
  catalogs: Map<CatalogEntries<unknown>, RunningCatalog<unknown>>;
  /** The running folds (earlierFold), by their definition. */
  folds: Map<EarlierFold<unknown>, { read: number; value: unknown }>;
}

/** A state built from the earlier migrations' up sections, one after the other in version order. */
export interface EarlierFold<S> {
  initial(): S;
  /** Adds one section to `state` (changing it). */
  add(state: S, section: ParsedSection): void;
}

/** Reads one up section into what a catalog keeps: [name, item] pairs, in the section's order. */
export type CatalogEntries<T> = (section: ParsedSection) => Iterable<readonly [string, T]>;

/** What the earlier migrations hold by name: every earlier migration's items under `name`, in version order. */
export interface EarlierCatalog<T> {
  get(name: string): readonly T[];
}

interface RunningCatalog<T> {
  /** How many of the folder's ups are in `byName` (in version order, from the first). */
  read: number;
  byName: Map<string, Array<{ at: number; item: T }>>;
}

const EMPTY_CATALOG: EarlierCatalog<never> = { get: () => [] };

const folders = new Map<string, FolderState>();
const MAX_FOLDERS = 32;
const RECHECK_AFTER_MS = 1000;

function signatureOf(dir: string, files: string[]): string {
  return files
    .map((rel) => {
      try {
        const stat = statSync(join(dir, rel));
        return `${rel}:${stat.size}:${stat.mtimeMs}`;
      } catch {
        return `${rel}:gone`;
      }
    })
    .join('|');
}

/** The files whose names, sizes and times stand for the folder: its migration files, and those inside one folder per migration (diesel, Prisma). */
function watchedFiles(dir: string): string[] {
  const files = listMigrationFiles(dir);
  for (const entry of listEntries(dir)) {
    if (entry.kind !== 'folder' || entry.name.startsWith('.') || isSectionFolder(entry.name)) continue;
    for (const inner of listEntries(join(dir, entry.name))) if (inner.kind === 'file' && inner.name.toLowerCase().endsWith('.sql')) files.push(`${entry.name}/${inner.name}`);
  }
  // The files that order a folder where the names do not: a sqitch plan, Atlas's sum.
  files.push('sqitch.plan', 'atlas.sum');
  return files;
}

/** Which reading of a folder a state holds: a folder forced to a layout in tidemark.json is read as that layout. */
const stateKey = (dir: string, layout: LayoutId | undefined) => `${dir}\0${layout ?? ''}`;

function folderState(dir: string, layout: LayoutId | undefined): FolderState {
  const key = stateKey(dir, layout);
  const cached = folders.get(key);
  const now = performance.now();
  if (cached && now - cached.checkedAt < RECHECK_AFTER_MS) return cached;
  // In a batch the state is taken as current (steady-disk.ts): no stat per file for a signature that
  // only a later, editor-time call would compare; that call finds none and reads the folder again.
  const signature = inSteadyBatch() ? '' : signatureOf(dir, watchedFiles(dir));
  if (signature && cached?.signature === signature) {
    cached.checkedAt = now;
    return cached;
  }
  // An up whose text did not change keeps its parse: a change to one file re-parses that file only.
  const parsedBefore = new Map(cached?.ups.filter((u) => u.parsed).map((u) => [u.up.file.path, u] as const));
  const ups = discoverMigrations(dir, lenientDiskReader, { layout }).migrations.map((m) => {
    const before = parsedBefore.get(m.up.file.path);
    const parsed =
      before && before.up.text === m.up.text && before.up.offset === m.up.offset && before.up.kind === m.up.kind && String(before.up.breaks) === String(m.up.breaks)
        ? before.parsed
        : undefined;
    return { version: m.version, versionKey: m.versionKey, up: m.up, parsed };
  });
  const sorted = ups.every((u, i) => i === 0 || compareVersionKeys(ups[i - 1].versionKey, u.versionKey) <= 0);
  const state: FolderState = { signature, checkedAt: now, ups, order: versionOrder(ups), sorted, catalogs: new Map(), folds: new Map() };
  if (folders.size >= MAX_FOLDERS) folders.delete(folders.keys().next().value!);
  folders.set(key, state);
  return state;
}

/**
 * Files changed on disk (the language server was told so): the next lint of each folder reads it
 * again instead of trusting its last look for up to a second. Parses of unchanged ups are kept.
 */
export function forgetEarlierMigrations(): void {
  for (const state of folders.values()) {
    state.checkedAt = -Infinity;
    state.signature = '';
  }
}

/** The unit's folder state and how many of its ups come first; undefined when the unit has no place among them. */
function placeOf(unit: LintUnit): { state: FolderState; own: number[] } | undefined {
  if (!unit.version || !unit.up) return undefined;
  const layout = unit.forcedLayout;
  const dir = migrationFolder(unit.up.file.path, layout);
  const state = steadyValue(`earlier-migrations:${stateKey(dir, layout)}`, () => folderState(dir, layout));
  // The unit's place as its reader ordered it: a version number, or a position in a plan.
  return { state, own: state.order(unit.version) };
}

/**
 * The up sections of the earlier migrations, in version order. The array is shared with the
 * other rules linting the same migration: read it, never change it.
 */
export function earlierUpSections(unit: LintUnit): ParsedSection[] {
  try {
    const place = placeOf(unit);
    if (!place) return [];
    const { state, own } = place;
    const { ups } = state;
    if (!state.sorted) return ups.filter((u) => compareVersionKeys(u.versionKey, own) < 0).map((u) => parsedUp(u, state));
    const count = countBelow(ups, own);
    const unavailable = unavailableParseCount();
    const sections = state.last?.count === count ? state.last.sections : ups.slice(0, count).map((u) => parsedUp(u, state));
    // A parse that found no parser instance is redone when the run parses again, never kept.
    state.last = unavailableParseCount() === unavailable ? { count, sections } : undefined;
    return sections;
  } catch {
    return [];
  }
}

/**
 * What the earlier migrations hold, looked up by name, for a rule to ask instead of folding over
 * every earlier section for each file it lints (N files × N earlier migrations). Per folder, one
 * running catalog per `entries` function: it reads the up sections in version order, each once,
 * as later migrations ask, and answers each migration with the items of those before it. Pass a
 * module-level function (it identifies the catalog), returning entries that depend on the section only.
 * `mentions`, when given (the same with every call for that function), is text every section with
 * entries contains — a keyword of the statements `entries` reads: the other sections are not even
 * parsed, which is what keeps `tidemark lint FILE` of the last of many migrations cheap.
 */
export function earlierCatalog<T>(unit: LintUnit, entries: CatalogEntries<T>, mentions?: RegExp): EarlierCatalog<T> {
  let dir: string | undefined;
  try {
    dir = unit.version && unit.up && mentions ? migrationFolder(unit.up.file.path, unit.forcedLayout) : undefined;
    if (!dir || !mentions || !prefilterable(dir, mentions, unit.forcedLayout)) return runningCatalog(unit, entries, mentions);
  } catch {
    return runningCatalog(unit, entries, mentions);
  }
  const folder = dir;
  // Read by name when asked: a rule that asks nothing costs nothing, and a name no earlier file
  // can hold is answered from the files' texts without reading the folder's migrations.
  let catalog: EarlierCatalog<T> | undefined;
  return {
    get(name) {
      try {
        if (!catalog && !mayHold(folder, mentions, name)) return [];
        return (catalog ??= runningCatalog(unit, entries, mentions)).get(name);
      } catch {
        return [];
      }
    },
  };
}

/**
 * Whether names asked of a catalog of `dir` may be answered from its files' texts (mayHold):
 * when nothing read its migrations yet — neither this batch nor an earlier lint kept them, so the
 * answer would cost discovering the whole folder (`tidemark lint FILE` of one file among
 * thousands) — the folder's layout is one whose migrations are the named .sql files
 * listMigrationFiles lists (up sections are parts of those files' texts), and `mentions` is a
 * plain list of words (/function/i, /index|primary|unique/i), which a part of a text can only
 * contain if the text does.
 */
function prefilterable(dir: string, mentions: RegExp, forced: LayoutId | undefined): boolean {
  if (!inSteadyBatch() || folders.has(stateKey(dir, forced)) || steadyFact(discoveryKey(dir, forced)) !== undefined) return false;
  if (!/^[A-Za-z_ |]+$/.test(mentions.source) || mentions.flags.replace('i', '') !== '') return false;
  const reader = forced ? layoutReader(forced) : layoutOnDisk(dir)?.reader;
  return reader !== undefined && isNamedFilesLayout(reader.id);
}

/** Every .sql file of a named-files folder that `mentions` finds, lower-cased, and whether its names may be written otherwise than as themselves. */
function mentioningFiles(dir: string, mentions: RegExp): Array<{ lower: string; escapes: boolean }> {
  return steadyValue(`earlier-mentions:${dir}\0${mentions.source}\0${mentions.flags}`, () => {
    const found: Array<{ lower: string; escapes: boolean }> = [];
    for (const { text } of readMigrationFiles(dir)) {
      if (text === undefined || !mentions.test(text)) continue;
      const lower = text.toLowerCase();
      // A backslash (E'...' escapes, or standard_conforming_strings off) or U&"..." (Unicode
      // escapes, whatever UESCAPE says) can spell a name without writing it.
      found.push({ lower, escapes: lower.includes('\\') || lower.includes('u&') });
    }
    return found;
  });
}

/**
 * False only when no earlier up section can hold an entry under `name`: a catalog's names come
 * from identifiers or string literals of the section's own text (as written, folded to lower
 * case when unquoted, PL/pgSQL bodies and EXECUTE'd literals included), so a section whose file
 * does not contain the name, compared case-insensitively, has none under it. Names that may be
 * written otherwise are never ruled out: with a quote (doubled inside quotes), with characters
 * beyond ASCII (whose case folding depends on context), empty, or in a file with escapes.
 */
function mayHold(dir: string, mentions: RegExp, name: string): boolean {
  if (name === '' || !/^[\x20-\x7e]*$/.test(name) || /["']/.test(name)) return true;
  const lower = name.toLowerCase();
  return mentioningFiles(dir, mentions).some((file) => file.escapes || file.lower.includes(lower));
}

function runningCatalog<T>(unit: LintUnit, entries: CatalogEntries<T>, mentions?: RegExp): EarlierCatalog<T> {
  try {
    const place = placeOf(unit);
    if (!place) return EMPTY_CATALOG;
    const { state, own } = place;
    if (!state.sorted) return catalogOf(earlierUpSections(unit), entries);
    const count = countBelow(state.ups, own);
    let running = state.catalogs.get(entries) as RunningCatalog<T> | undefined;
    if (!running) state.catalogs.set(entries, (running = { read: 0, byName: new Map() }));
    const unavailable = unavailableParseCount();
    for (; running.read < count; running.read++) {
      const at = running.read;
      if (mentions && !mentions.test(state.ups[at].up.text)) continue;
      for (const [name, item] of entries(parsedUp(state.ups[at], state))) {
        const list = running.byName.get(name);
        if (list) list.push({ at, item });
        else running.byName.set(name, [{ at, item }]);
      }
    }
    // Read from a parse that found no parser instance: answered once, then read again.
    if (unavailableParseCount() !== unavailable) state.catalogs.delete(entries);
    const byName = running.byName;
    return {
      get(name) {
        const list = byName.get(name);
        if (!list) return [];
        let end = list.length;
        while (end > 0 && list[end - 1].at >= count) end--;
        return list.slice(0, end).map((e) => e.item);
      },
    };
  } catch {
    return EMPTY_CATALOG;
  }
}

/**
 * The state `fold` builds from the earlier migrations' up sections, for a rule to read instead of
 * folding over every earlier section for each file it lints. Per folder, one running state per
 * fold (a module-level constant: it identifies the state), extended section by section as later
 * migrations ask and rebuilt only for an earlier one. The state is shared and changes when a later
 * migration asks: read it within the rule's check, never change or keep it.
 */
export function earlierFold<S>(unit: LintUnit, fold: EarlierFold<S>): S {
  const fresh = (sections: readonly ParsedSection[]) => {
    const value = fold.initial();
    for (const section of sections) fold.add(value, section);
    return value;
  };
  try {
    const place = placeOf(unit);
    if (!place) return fold.initial();
    const { state, own } = place;
    if (!state.sorted) return fresh(earlierUpSections(unit));
    const count = countBelow(state.ups, own);
    let running = state.folds.get(fold as EarlierFold<unknown>) as { read: number; value: S } | undefined;
    if (!running || running.read > count) state.folds.set(fold as EarlierFold<unknown>, (running = { read: 0, value: fold.initial() }));
    const unavailable = unavailableParseCount();
    for (; running.read < count; running.read++) fold.add(running.value, parsedUp(state.ups[running.read], state));
    // Built from a parse that found no parser instance: answered once, then built again.
    if (unavailableParseCount() !== unavailable) state.folds.delete(fold as EarlierFold<unknown>);
    return running.value;
  } catch {
    return fold.initial();
  }
}

function catalogOf<T>(sections: readonly ParsedSection[], entries: CatalogEntries<T>): EarlierCatalog<T> {
  const byName = new Map<string, T[]>();
  for (const section of sections)
    for (const [name, item] of entries(section)) {
      const list = byName.get(name);
      if (list) list.push(item);
      else byName.set(name, [item]);
    }
  return { get: (name) => byName.get(name) ?? [] };
}

/**
 * The parsed up section of `u`. Kept with the folder state for the editor, which asks again after
 * each edit. Not in a batch over a sorted folder (`tidemark lint`): there the running catalogs and
 * folds read each section once, in version order, just after its own file was linted (parseSection
 * still has it), and keeping every one held the trees of a whole repository until the run ended.
 */
function parsedUp(u: FolderState['ups'][number], state: FolderState): ParsedSection {
  if (u.parsed) return u.parsed;
  const unavailable = unavailableParseCount();
  const parsed = parseSection(u.up);
  if (unavailableParseCount() === unavailable && (!state.sorted || !inSteadyBatch())) u.parsed = parsed;
  return parsed;
}

/** How many of the version-ordered `ups` come before `own`: a binary search. */
function countBelow(ups: ReadonlyArray<{ versionKey: number[] }>, own: number[]): number {
  let low = 0;
  let high = ups.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareVersionKeys(ups[middle].versionKey, own) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
