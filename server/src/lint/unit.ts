/**
 * Builds the LintUnit for one file: the file's own sections plus the companion files of the same
 * migration (its down file, its verify file...), each parsed into statements.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { SourceFile } from '../sql/source';
import { parseStatements, parseStatementsAfterEdit, type Statement } from '../sql/statements';
import { embeddedStatements } from '../sql/embedded';
import { unavailableParseCount } from '../sql/parse';
import { diskReader, type FileReader } from '../migrations/text-file';
import { assembleMigration, isSectionFolder, migrationFilesByVersion, pairVersionGroup, READER_OF_KIND } from '../migrations/layouts/named-files';
import { validateMigration, folderLayout, isNamedFilesLayout, layoutReader, READERS } from '../migrations/layouts';
import type { FileReading } from '../migrations/layouts/reader';
import { discoverMigrations } from '../migrations/discovery';
import { classifyFile, versionId, type ClassifiedFile } from '../migrations/version';
import { hasNoTransactionDirective, splitSections } from '../migrations/sections';
import type { DiscoveryProblem, LayoutId, Migration, Section } from '../migrations/types';
import type { LintUnit, ParsedSection } from './types';
import { describeExecution, withUpStatements } from '../migrations/execution';
import { inSteadyBatch, steadyValue } from '../migrations/steady-disk';

/**
 * Sections parsed lately, by file, kind, offset and statement breaks, with their text. A lint run
 * builds the unit of a migration's up file and then of its down file, each holding both
 * sections, and the earlier-migrations context reads the same up sections again: each is split
 * and parsed once, and the rules' per-section caches (WeakMaps) serve every unit that holds it.
 * Bounded, oldest first out: an editor re-parses the texts it changes, a run walks files in order.
 */
const recentSections = new Map<string, ParsedSection>();
let recentSectionsKept = 64;

/**
 * Keeps fewer parsed sections, for a run that walks files in order and needs only the last
 * migration's: kept for 32 migrations, every tree outlived a few garbage collections and was
 * copied into the old generation, which then grew by 2 MB each (a 1,600-migration lint).
 */
export function keepFewerParsedSections(count: number): void {
  recentSectionsKept = Math.min(recentSectionsKept, count);
  while (recentSections.size > recentSectionsKept) recentSections.delete(recentSections.keys().next().value!);
}

export function parseSection(section: Section): ParsedSection {
  const key = `${section.kind}\0${section.file.path}\0${section.offset}\0${section.breaks?.join(',') ?? ''}`;
  const recent = recentSections.get(key);
  if (recent?.text === section.text) return recent;
  const unavailable = unavailableParseCount();
  // The same section before an edit (an editor's re-lint): only what the edit touched is parsed again.
  const parsed = (recent && !section.breaks?.length && parseSectionAfterEdit(recent, section)) || parseSectionAnew(section);
  // A parse that found no parser instance is redone (parseAgainWhenRecovered), never kept.
  if (unavailableParseCount() !== unavailable) return parsed;
  recentSections.delete(key);
  if (recentSections.size >= recentSectionsKept) recentSections.delete(recentSections.keys().next().value!);
  recentSections.set(key, parsed);
  return parsed;
}

/** `section` from `previous`, its text before an edit (parseStatementsAfterEdit); undefined when it must be parsed anew. */
function parseSectionAfterEdit(previous: ParsedSection, section: Section): ParsedSection | undefined {
  const statements = parseStatementsAfterEdit(previous, section.text, section.offset);
  if (!statements) return undefined;
  // The statements kept are the same objects: so are the ones found in their bodies.
  const embeddedOf = new Map<Statement, Statement[]>();
  for (const statement of previous.statementsWithEmbedded) {
    const parent = statement.embedding?.parent;
    if (!parent) continue;
    const found = embeddedOf.get(parent);
    if (found) found.push(statement);
    else embeddedOf.set(parent, [statement]);
  }
  const statementsWithEmbedded: Statement[] = [];
  for (const statement of statements) {
    statementsWithEmbedded.push(statement);
    if (statement.node) statementsWithEmbedded.push(...(embeddedOf.get(statement) ?? embeddedStatements(statement)));
  }
  return { kind: section.kind, file: section.file, offset: section.offset, text: section.text, statements, statementsWithEmbedded };
}

function parseSectionAnew(section: Section): ParsedSection {
  const statements = parseStatements(section.text, section.offset, section.breaks);
  const statementsWithEmbedded: Statement[] = [];
  for (const statement of statements) {
    statementsWithEmbedded.push(statement);
    if (statement.node) statementsWithEmbedded.push(...embeddedStatements(statement));
  }
  return { kind: section.kind, file: section.file, offset: section.offset, text: section.text, statements, statementsWithEmbedded };
}

/**
 * The folder a file's migration lives in: part folders (rollback/, verify/) belong to their
 * parent, and so does a migration's own folder in layouts where migrations are folders (diesel's
 * `<version>_<name>/up.sql`).
 */
export function migrationFolder(path: string, layout?: LayoutId): string {
  for (const reader of layout ? [layoutReader(layout)] : READERS) {
    const folder = reader?.folderOf?.(path);
    if (folder) return folder;
  }
  const dir = dirname(path);
  if (isSectionFolder(basename(dir))) return dirname(dir);
  const parent = dirname(dir);
  // A folder that is a migrations folder itself (Drizzle's with its journal) keeps its files.
  if (parent !== dir && !folderLayout(dir) && folderLayout(parent, layout)?.reader.migrationsAreFolders) return parent;
  return dir;
}

export interface LintUnitOptions {
  /** The layout tidemark.json sets; detected from the folder otherwise. */
  layout?: LayoutId;
}

export function buildLintUnit(path: string, text: string, reader: FileReader = diskReader, options: LintUnitOptions = {}): LintUnit {
  const unit = readLintUnit(path, text, reader, options);
  if (options.layout) for (const u of [unit, ...(unit.siblings ?? [])]) u.forcedLayout = options.layout;
  return unit;
}

function readLintUnit(path: string, text: string, reader: FileReader, options: LintUnitOptions): LintUnit {
  const file = new SourceFile(path, text);
  const folder = migrationFolder(path, options.layout);
  const problems: DiscoveryProblem[] = [];
  const layout = folderLayout(folder, options.layout);
  if (layout && !isNamedFilesLayout(layout.reader.id) && !layout.reader.fromNamedFiles) {
    const found = layout.reader.readFile ? layout.reader.readFile(path, text, folder, reader) : fromFolderReading(path, text, folder, reader, options.layout);
    if (found) {
      validateMigration(found.migration, layout.reader, found.problems);
      const unit = unitFromMigration(file, found.migration, [...problems, ...found.problems]);
      if (found.others?.length) unit.siblings = found.others.map((m) => unitFromMigration(file, m, []));
      return unit;
    }
    // Not one of the layout's migrations (a note, a seed file): linted as one up section.
    return unitFromSections(file, undefined, problems);
  }
  const kept = takeAssembled(path, text, reader, options.layout);
  if (kept) return { ...unitFromMigration(file, kept.migration, [...kept.problems]), fileSection: kept.role, downFilePath: kept.downFilePath };
  const own = classifyFile(relative(folder, path));

  if (!own) {
    // A file of its layout's own that no version names (a Flyway repeatable R__name.sql).
    const found = layout?.reader.readFile?.(path, text, folder, reader);
    if (found) return unitFromMigration(file, found.migration, [...problems, ...found.problems]);
    // Not named like a migration: lint it as a one-file migration with sections.
    return unitFromSections(file, undefined, problems);
  }

  type Part = { file: SourceFile; info: ClassifiedFile };
  const parts: { primary?: Part; down?: Part; verify?: Part; check?: Part } = {};
  const companions = (migrationFilesByVersion(folder).get(versionId(own.versionKey)) ?? []).map((f) => ({ path: join(folder, f.rel), info: f.info }));
  // A file the folder's listing has not (named on the command line): its companions' lint would not see it.
  const listed = companions.some((f) => f.path === path);
  if (!listed) companions.push({ path, info: own });
  const group = pairVersionGroup(companions);
  const mine = group.migrations.find((m) => m.primary.path === path || m.down?.path === path || m.verify?.path === path || m.check?.path === path);
  const leftover = group.leftovers.find((l) => l.file.path === path);
  if (leftover?.rival) {
    problems.push({
      code: 'duplicate-version',
      message: `version ${own.version} is also used by ${relative(folder, leftover.rival.path)}; every migration needs its own version`,
      path,
      relatedPath: leftover.rival.path,
    });
  }
  if (mine) {
    // Each file of a duplicate is flagged once, naming the other.
    const others = [
      ...(mine.primary.path === path ? group.migrations.filter((m) => m !== mine).map((m) => m.primary) : []),
      ...group.leftovers.filter((l) => l.rival?.path === path).map((l) => l.file),
    ];
    for (const other of others) {
      problems.push({
        code: 'duplicate-version',
        message: `version ${own.version} is also used by ${relative(folder, other.path)}; every migration needs its own version`,
        path,
        relatedPath: other.path,
      });
    }
    for (const slot of ['primary', 'down', 'verify', 'check'] as const) {
      const f = mine[slot];
      const fileText = f?.path === path ? text : f && reader.read(f.path);
      if (f && fileText !== undefined) parts[slot] = { file: f.path === path ? file : new SourceFile(f.path, fileText), info: f.info };
    }
  }

  if (!parts.primary) {
    // A down or verify file without its up file: lint it alone, in its own role.
    const section: Section = { kind: own.role === 'verify' || own.role === 'check' ? own.role : 'down', file, offset: 0, text };
    const parsed = parseSection(section);
    return {
      file,
      version: own.version,
      name: own.name,
      layout: own.layout,
      fileSection: own.role,
      [section.kind]: parsed,
      noTransactionDirective: false,
      execution: describeExecution(READER_OF_KIND[own.layout]),
      problems,
    };
  }

  const named = assembleMigration(parts)!;
  const migration = layout?.reader.fromNamedFiles ? layout.reader.fromNamedFiles(named) : named;
  if (layout) validateMigration(migration, layout.reader, problems);
  const downFile = downFilePath(folder, parts.primary.file.path, migration.layout);
  // A version with one migration and no rival file: each of its files has the same problems.
  if (listed && mine && group.migrations.length === 1 && group.leftovers.length === 0)
    keepAssembled(path, mine, parts, { reader, layout: options.layout, migration, problems, downFilePath: downFile });
  return { ...unitFromMigration(file, migration, problems), fileSection: own.role, downFilePath: downFile };
}

/** A migration assembled and validated while linting one of its files, for another of its files. */
interface Assembled {
  reader: FileReader;
  layout: LayoutId | undefined;
  /** The text each of the migration's files was read as (undefined: it could not be read). */
  texts: Map<string, string | undefined>;
  /** The role of the file it is kept for. */
  role: ClassifiedFile['role'];
  migration: Migration;
  problems: readonly DiscoveryProblem[];
  downFilePath: string | undefined;
}

type NamedParts = { primary?: { file: SourceFile }; down?: { file: SourceFile }; verify?: { file: SourceFile }; check?: { file: SourceFile } };
type GroupMigration = { [slot in 'primary' | 'down' | 'verify' | 'check']?: { path: string; info: ClassifiedFile } };

/**
 * Keeps the migration just assembled from `path` for its other files, within a batch (a run lints
 * a migration's up file and then its down file): read, assembled and validated again for each,
 * it was a tenth of a run's time. Each is kept until that file asks for it (takeAssembled).
 */
function keepAssembled(path: string, mine: GroupMigration, parts: NamedParts, found: Omit<Assembled, 'texts' | 'role'>): void {
  if (!inSteadyBatch()) return;
  // One map of texts for all of the migration's files, filled before any is asked for.
  const texts = new Map<string, string | undefined>();
  const kept = assembledMigrations();
  for (const slot of ['primary', 'down', 'verify', 'check'] as const) {
    const f = mine[slot];
    if (!f) continue;
    texts.set(f.path, parts[slot]?.file.text);
    if (f.path !== path) kept.set(f.path, { ...found, texts, role: f.info.role });
  }
}

/** The migrations kept by keepAssembled in the running batch, by the path of the file each is kept for. */
function assembledMigrations(): Map<string, Assembled> {
  return steadyValue('lint:assembled-migrations', () => new Map<string, Assembled>());
}

/**
 * The migration kept for `path` by another of its files' lint, when it is what assembling it now
 * would give: the same reader and layout, `text` the one it was assembled with, and its other
 * files still read as they were then (a batch takes the disk as steady; an editor's reader may not).
 */
function takeAssembled(path: string, text: string, reader: FileReader, layout: LayoutId | undefined): Assembled | undefined {
  if (!inSteadyBatch()) return undefined;
  const kept = assembledMigrations();
  const found = kept.get(path);
  if (!found) return undefined;
  kept.delete(path);
  if (found.reader !== reader || found.layout !== layout || found.texts.get(path) !== text) return undefined;
  for (const [other, was] of found.texts) if (other !== path && reader.read(other) !== was) return undefined;
  return found;
}

/**
 * For a reader that cannot read one file alone: the whole folder read, with the linted file's
 * text as given, and the migration that uses the file. Costs a folder read per file.
 */
function fromFolderReading(path: string, text: string, folder: string, reader: FileReader, layout: LayoutId | undefined): FileReading | undefined {
  const withText: FileReader = { read: (p) => (p === path ? text : reader.read(p)) };
  const found = discoverMigrations(folder, withText, { layout });
  const migration = found.migrations.find((m) => [m.up, m.down, m.verify, m.precheck].some((s) => s?.file.path === path));
  if (!migration) return undefined;
  const files = new Set([migration.up, migration.down, migration.verify, migration.precheck].map((s) => s?.file.path));
  // checkMigration runs again on the unit: its own problems are not taken twice.
  return { migration, problems: found.problems.filter((p) => files.has(p.path) && p.code !== 'foreign-marker' && p.code !== 'empty-up') };
}

/** The unit of a migration a reader found, linted from `file` (one of its files). */
function unitFromMigration(file: SourceFile, migration: Migration, problems: DiscoveryProblem[]): LintUnit {
  const parse = (s: Section | undefined) => (s ? parseSection(s) : undefined);
  const inFile = [migration.up, migration.down, migration.verify, migration.precheck].filter((s) => s?.file.path === file.path);
  const fileSection = inFile.length === 1 && migration.layout !== 'sections' ? inFile[0]!.kind : 'sections';
  const up = parse(migration.up);
  return {
    file,
    version: migration.version,
    name: migration.name,
    layout: migration.layout,
    fileSection,
    up,
    down: parse(migration.down),
    verify: parse(migration.verify),
    precheck: parse(migration.precheck),
    noTransactionDirective: migration.noTransactionDirective,
    execution: up ? withUpStatements(migration.execution, up.statements) : migration.execution,
    problems,
    downMarker: migration.downMarker,
    downFilePath: migration.downFile,
  };
}

/** A file in no migration folder, or not named like a migration: one file with dbmate-style sections. */
function unitFromSections(file: SourceFile, version: string | undefined, problems: DiscoveryProblem[]): LintUnit {
  const noTransactionDirective = hasNoTransactionDirective(file.text);
  const unit: LintUnit = {
    file,
    version,
    layout: 'sections',
    fileSection: 'sections',
    noTransactionDirective,
    execution: describeExecution('dbmate', { noTransaction: noTransactionDirective }),
    problems,
    downMarker: '-- migrate:down',
  };
  for (const raw of splitSections(file.text)) {
    // The `-- migrate:check` section is the unit's pre-check.
    const field = raw.kind === 'check' ? 'precheck' : raw.kind;
    if (unit[field]) continue;
    unit[field] = parseSection({ kind: raw.kind, file, offset: raw.offset, text: raw.text });
  }
  unit.up ??= parseSection({ kind: 'up', file, offset: file.text.length, text: '' });
  unit.execution = withUpStatements(unit.execution, unit.up.statements);
  return unit;
}

/** Where "Generate rollback" puts a down file for layouts that keep it separately. */
function downFilePath(folder: string, upPath: string, layout: LintUnit['layout']): string | undefined {
  const base = basename(upPath);
  switch (layout) {
    case 'paired':
      return join(dirname(upPath), base.replace(/\.up\.sql$/i, '.down.sql'));
    case 'folders':
      return join(folder, 'rollback', base);
    case 'flyway':
      return join(dirname(upPath), base.replace(/^V/i, 'U'));
    default:
      // A one-file migration in a project that keeps rollbacks in rollback/ follows the project.
      return existsSync(join(folder, 'rollback')) ? join(folder, 'rollback', base) : undefined;
  }
}
