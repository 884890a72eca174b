/**
 * `tidemark lint --cache`, as eslint's `--cache`: each file's findings are kept with a key of
 * everything they were computed from, so a re-run on an unchanged repo reads and hashes the files
 * but parses none of them (the WASM parser is not even loaded).
 *
 * A file's key covers its bytes, the other files of its migration (down, verify: same version in
 * the same folder), whether the folder keeps rollbacks in rollback/, the config that applies to it
 * and the tool (package version and the bytes of the running bundle, so a rebuilt linter with new
 * rules never reads old findings). When an enabled rule reads earlier migrations
 * (Rule.readsEarlierMigrations), the key also covers every migration file with a lower version in
 * the folder: editing an earlier migration re-lints the later ones.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { migrationFilesByVersion } from '../migrations/discovery';
import { listEntries } from '../migrations/layouts/reader';
import { classifyFile, compareVersionKeys, versionId } from '../migrations/version';
import { migrationFolder } from '../lint/unit';

export const LINT_CACHE_FILE = 'lint-cache.json';
/** Bumped when the layout of the cache file changes. */
const CACHE_FORMAT = 1;

interface CacheEntry<T> {
  key: string;
  findings: T[];
}

interface CacheFileContents<T> {
  format: number;
  entries: Record<string, CacheEntry<T>>;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** One version's files in a migrations folder, with the digest of every file of lower versions. */
interface VersionFiles {
  lines: string[];
  earlierDigest: string;
}

/**
 * What this run has read of the disk for keys: each file hashed once, each folder indexed once,
 * so keying N files of one folder costs N, not N², even though each key covers the earlier files.
 */
export class DiskSnapshot {
  private readonly hashes = new Map<string, string>();
  private readonly folders = new Map<string, Map<string, VersionFiles>>();

  hashOf(path: string): string {
    let hash = this.hashes.get(path);
    if (hash === undefined) {
      try {
        hash = sha256(readFileSync(path));
      } catch (error) {
        hash = `unreadable:${(error as NodeJS.ErrnoException).code ?? 'error'}`;
      }
      this.hashes.set(path, hash);
    }
    return hash;
  }

  /** The folder's migration files by version key string, in version order with running digests. */
  versionsOf(folder: string): Map<string, VersionFiles> {
    let versions = this.folders.get(folder);
    if (!versions) {
      versions = new Map();
      const groups = [...migrationFilesByVersion(folder)].sort(([, a], [, b]) => compareVersionKeys(a[0].info.versionKey, b[0].info.versionKey));
      const running = createHash('sha256');
      for (const [version, files] of groups) {
        const lines = files.map(({ rel }) => `${rel} ${this.hashOf(join(folder, rel))}`);
        versions.set(version, { lines, earlierDigest: running.copy().digest('hex') });
        for (const line of lines) running.update(`${line}\n`);
      }
      this.folders.set(folder, versions);
    }
    return versions;
  }
}

export interface LintInputs {
  /** The config and tool the findings come from, as one string (see toolFingerprint). */
  settings: string;
  /** Some enabled rule reads earlier migrations. */
  readsEarlierMigrations: boolean;
}

/** The key of a file's findings: a hash of everything listed in this module's comment. */
export function lintInputsKey(path: string, inputs: LintInputs, disk: DiskSnapshot): string {
  const parts = [inputs.settings, `self ${disk.hashOf(path)}`];
  const folder = migrationFolder(path);
  // A migration that is a folder (diesel's up.sql + down.sql + metadata.toml): its other files are its parts.
  if (folder !== dirname(path))
    for (const entry of listEntries(dirname(path))) if (entry.kind === 'file') parts.push(`part ${entry.name} ${disk.hashOf(join(dirname(path), entry.name))}`);
  // Drizzle's journal decides which files run at all.
  if (existsSync(join(folder, 'meta', '_journal.json'))) parts.push(`journal ${disk.hashOf(join(folder, 'meta', '_journal.json'))}`);
  const own = classifyFile(relative(folder, path));
  if (own) {
    parts.push(`rollback/ ${existsSync(join(folder, 'rollback'))}`);
    const versions = disk.versionsOf(folder);
    const same = versions.get(versionId(own.versionKey));
    // The file itself is always indexed under its own version; absent only if it vanished meanwhile.
    if (same) parts.push(...same.lines);
    if (inputs.readsEarlierMigrations) parts.push(`earlier ${same?.earlierDigest ?? 'unknown'}`);
  }
  return sha256(parts.join('\n'));
}

/** The tool part of a key: the package version and the bytes of the code that lints. */
export function toolFingerprint(version: string, code: string): string {
  let codeHash: string;
  try {
    codeHash = sha256(readFileSync(code));
  } catch {
    codeHash = 'unknown';
  }
  return `tidemark ${version} ${codeHash}`;
}

/**
 * The findings kept in DIR/lint-cache.json, per absolute file path. A missing file starts empty;
 * an unreadable or malformed one is reported through `warn` and then ignored (and rewritten).
 */
export class LintCache<T> {
  private readonly entries: Record<string, CacheEntry<T>>;
  private changed = false;
  readonly file: string;

  constructor(
    readonly dir: string,
    private readonly warn: (message: string) => void,
  ) {
    this.file = join(dir, LINT_CACHE_FILE);
    this.entries = this.read();
  }

  get(path: string, key: string): T[] | undefined {
    const entry = this.entries[path];
    return entry?.key === key ? entry.findings : undefined;
  }

  set(path: string, key: string, findings: T[]): void {
    this.entries[path] = { key, findings };
    this.changed = true;
  }

  /** Writes the cache if anything changed (through a temporary file, so a crash leaves the old one). */
  save(): void {
    if (!this.changed) return;
    const contents: CacheFileContents<T> = { format: CACHE_FORMAT, entries: this.entries };
    try {
      mkdirSync(this.dir, { recursive: true });
      const temporary = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(contents));
      renameSync(temporary, this.file);
    } catch (error) {
      this.warn(`cannot write the lint cache ${this.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }

  private read(): Record<string, CacheEntry<T>> {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.warn(`ignoring the lint cache ${this.file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      return Object.create(null) as Record<string, CacheEntry<T>>;
    }
    try {
      const parsed = JSON.parse(text) as Partial<CacheFileContents<T>>;
      if (parsed?.format !== CACHE_FORMAT) throw new Error(`format ${JSON.stringify(parsed?.format)} is not ${CACHE_FORMAT}`);
      const entries = parsed.entries;
      if (!entries || typeof entries !== 'object' || Object.values(entries).some((e) => typeof e?.key !== 'string' || !Array.isArray(e.findings))) {
        throw new Error('its entries are malformed');
      }
      return Object.assign(Object.create(null) as Record<string, CacheEntry<T>>, entries);
    } catch (error) {
      this.warn(`ignoring the lint cache ${this.file}: it is corrupt (${error instanceof Error ? error.message : String(error)}); linting every file again`);
      this.changed = true;
      return Object.create(null) as Record<string, CacheEntry<T>>;
    }
  }
}
