/**
 * What every layout reader is: how its tool's folder is recognised, where the tool keeps it by
 * default, and how its files become the one migration model (types.ts). One reader per file in
 * this folder; index.ts lists them.
 */
import { join } from 'node:path';
import { diskReader, lenientDiskReader, readTextsLenient, type FileReader } from '../text-file';
import { listEntries, type FolderEntry } from '../listing';
import type { DiscoveryProblem, LayoutId, Migration, UnusedFile } from '../types';

/** What a reader found in a folder. */
export interface LayoutReading {
  /** In the order the tool runs them. */
  migrations: Migration[];
  problems: DiscoveryProblem[];
  /** Files in the folder no migration uses (a Drizzle file the journal does not list, a Go migration's source): listed, never dropped silently. */
  unused: UnusedFile[];
  /** Set when the folder is the tool's but Tidemark must not run it (a Prisma lock file for MySQL): why. Front ends stop with it. */
  refused?: string;
}

/** How sure a reader is that a folder is its tool's, and what made it think so (shown to the user). */
export interface Detection {
  /** Marker files (a journal, a lock file) decide outright; content markers count files; file names alone count least. */
  score: number;
  evidence: string;
}

/** Scores: a marker file the tool writes beats content markers, which beat file names. */
export const MARKER_FILE = 1_000_000;
export const CONTENT = 1_000;
export const FILE_NAMES = 1;

export interface LayoutReader {
  id: LayoutId;
  /** Folders, relative to a repository root, where the tool keeps migrations when not told otherwise. */
  defaultFolders: readonly string[];
  /**
   * Files whose presence in a workspace says this tool's migrations are there: the extension
   * activates on them (package.json `workspaceContains:` events, checked by the manifest test).
   */
  activationGlobs?: readonly string[];
  /** Migrations are folders (`<version>_<name>/up.sql`): a file's migration folder is its grandparent. */
  migrationsAreFolders?: boolean;
  /**
   * Lines that only this tool gives a meaning to (`-- +goose Up`): a file read as another layout
   * that carries one is refused by apply rather than run as one section.
   */
  markerLine?: RegExp;
  /**
   * The tool's migrations folder under a repository root when its own config moves it (Drizzle's
   * `out`, Prisma's `prisma.schema`), read as text; undefined to look in `defaultFolders`.
   */
  locate?(root: string, reader: FileReader): string | undefined;
  /** Whether `folder` is this tool's, from marker files and content; undefined when nothing points to it. */
  detect(folder: FolderCensus): Detection | undefined;
  read(folder: FolderCensus, reader: FileReader): LayoutReading;
  /**
   * The migration one file of `folder` belongs to, with `text` as the file's text (an editor's
   * copy), reading as little else as the layout allows: the linter asks this per file, so it
   * must not read the whole folder each time. Undefined for a file that is no migration's.
   */
  readFile?(path: string, text: string, folder: string, reader: FileReader): FileReading | undefined;
  /**
   * For a reader whose files are named like dbmate's or golang-migrate's but run its tool's way
   * (sqlx): the migration the shared named-files reading found, as this tool runs it. The linter
   * then finds a file's companions as it does for those layouts.
   */
  fromNamedFiles?(migration: Migration): Migration;
  /**
   * For layouts whose files sit in subfolders of the migrations folder (sqitch's deploy/ revert/
   * verify/ with nested names, graphile-migrate's committed/ and current/): the migrations folder
   * `path` belongs to, found from the tool's marker files above it; undefined when there is none.
   */
  folderOf?(path: string): string | undefined;
}

/** A reader that answers with `text` for `path` (an editor's copy) and reads everything else as `reader` does. */
export function withText(reader: FileReader, path: string, text: string): FileReader {
  return { read: (p) => (p === path ? text : reader.read(p)) };
}

export interface FileReading {
  migration: Migration;
  problems: DiscoveryProblem[];
  /** The other migrations written in the same file (Liquibase changesets after the first). */
  others?: Migration[];
}

export { entryKind, listEntries, type EntryKind, type FolderEntry } from '../listing';

/**
 * One look at a migrations folder, shared by every reader's detection: its entries (with what
 * each is, so a FIFO or a dangling link is never opened) and the texts of its files, each read
 * at most once.
 */
export class FolderCensus {
  private listings = new Map<string, { entries: FolderEntry[]; byName: Map<string, FolderEntry>; byExt: Map<string, string[]> }>();
  private texts = new Map<string, string | undefined>();

  constructor(
    readonly folder: string,
    private readonly reader: FileReader,
  ) {}

  /** Every reader's detection asks about the same listing: it is indexed once, by name and by extension. */
  private listing(rel: string) {
    let found = this.listings.get(rel);
    if (found) return found;
    const entries = listEntries(rel ? join(this.folder, rel) : this.folder);
    found = { entries, byName: new Map(entries.map((e) => [e.name, e])), byExt: new Map() };
    this.listings.set(rel, found);
    return found;
  }

  /** Entries of the folder or of a subfolder (`rel`), sorted by name; empty when it is not a folder. Read it, never change it. */
  entries(rel = ''): FolderEntry[] {
    return this.listing(rel).entries;
  }

  /** Regular files of the folder (or of `rel`) whose names end with `ext` (lower case, with the dot). */
  files(ext: string, rel = ''): string[] {
    const listing = this.listing(rel);
    let names = listing.byExt.get(ext);
    if (!names) {
      names = listing.entries.filter((e) => e.kind === 'file' && e.name.toLowerCase().endsWith(ext)).map((e) => e.name);
      listing.byExt.set(ext, names);
    }
    // A copy: callers may sort or change what they are given.
    return names.slice();
  }

  /**
   * The files of files(ext, rel) whose text holds `--`. Every content marker a reader detects is
   * a `--` comment (goose's, dbmate's, node-pg-migrate's, sqlx's, Liquibase's first line): its
   * detection tests its marker on these alone, not on every file of a folder of thousands.
   * Call census.text(name) for each, which may throw as the reader does.
   */
  commented(ext: string, rel = ''): string[] {
    const key = `${rel}\0${ext}`;
    let names = this.withComments.get(key);
    if (!names) {
      names = this.files(ext, rel).filter((name) => {
        try {
          return this.text(rel ? `${rel}/${name}` : name)?.includes('--') ?? false;
        } catch {
          // A text the reader refuses (not UTF-8, read strictly) is left in: the detection that
          // asks for it gets the reader's error, in its own order, as it did reading every file.
          return true;
        }
      });
      this.withComments.set(key, names);
    }
    return names.slice();
  }

  private withComments = new Map<string, string[]>();

  has(rel: string): boolean {
    const slash = rel.lastIndexOf('/');
    const parent = slash < 0 ? '' : rel.slice(0, slash);
    const entry = this.listing(parent).byName.get(rel.slice(slash + 1));
    return entry !== undefined && (entry.kind === 'file' || entry.kind === 'folder');
  }

  /** Text of a file relative to the folder, read once; undefined when it cannot be read. */
  text(rel: string): string | undefined {
    if (this.texts.has(rel)) return this.texts.get(rel);
    this.readSqlFilesBeside(rel);
    if (this.texts.has(rel)) return this.texts.get(rel);
    const text = this.reader.read(join(this.folder, rel));
    this.texts.set(rel, text);
    return text;
  }

  /** Folders (relative) whose .sql files were read at once. */
  private readAtOnce = new Set<string>();

  /**
   * A .sql file asked of a folder read from disk: every .sql file of its folder is read at once.
   * Detection reads all of them (Liquibase's first lines, goose's and dbmate's markers) and
   * discovery again; read one by one, each paid a path join and the reader's own lookups.
   * A text the strict reader would refuse (it holds U+FFFD) is left to that reader, as is a file
   * that could not be read.
   */
  private readSqlFilesBeside(rel: string): void {
    if ((this.reader !== lenientDiskReader && this.reader !== diskReader) || !rel.toLowerCase().endsWith('.sql')) return;
    const slash = rel.lastIndexOf('/');
    const dir = slash < 0 ? '' : rel.slice(0, slash);
    if (this.readAtOnce.has(dir)) return;
    this.readAtOnce.add(dir);
    const names = this.files('.sql', dir);
    const texts = readTextsLenient(dir ? join(this.folder, dir) : this.folder, names);
    for (const [name, text] of texts) {
      const key = dir ? `${dir}/${name}` : name;
      if (this.reader === diskReader && text.includes('\uFFFD')) continue;
      if (!this.texts.has(key)) this.texts.set(key, text);
    }
  }
}
