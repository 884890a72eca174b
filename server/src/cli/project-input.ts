/**
 * What `lint` and `check` read before they start: the tidemark.json of each file (checked once,
 * an invalid one stops the run with exit 2) and the migration files named by paths or by
 * migrationsDir. Shared by both commands, which live in separate bundles.
 */
import { statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Output } from './command';
import { CliError } from './command';
import { CONFIG_FILE_NAME, loadConfig, projectOfFile, type ConfigProblem, type LoadedConfig } from '../migrations/config';
import { discoverMigrations, lenientDiskReader, listMigrationFiles } from '../migrations/discovery';
import { discoveryStop, folderProblems, lintableFiles } from '../migrations/layouts';
import type { LayoutId } from '../migrations/types';
import type { LocatedFinding } from './format/located';
import { SourceFile } from '../sql/source';
import { unknownRuleProblems } from '../lint/rule-settings';
import { RULE_OF_PROBLEM } from '../lint/layout-problems';

/**
 * The config for each linted file: --config for all of them, else the tidemark.json of the
 * working folder for migrationsDir, and for paths the project each file belongs to by the rule
 * the editor follows too (projectOfFile). Each config is checked once when first used.
 */
export class ProjectConfigs {
  private readonly byPath = new Map<string, LoadedConfig>();
  /** The config of each folder's files, and the working folder's migrationsDir when it has a tidemark.json. */
  private readonly byFolder = new Map<string, { loaded: LoadedConfig; cwdMigrationsDir?: string }>();
  /** Whether each candidate tidemark.json exists, looked up once per run: every file of a folder asks about the same ones. */
  private readonly existing = new Map<string, boolean>();

  constructor(
    private readonly cwd: string,
    private readonly explicit: string | undefined,
    private readonly out: Output,
  ) {}

  forCwd(): LoadedConfig {
    return this.load(this.explicit ? resolve(this.cwd, this.explicit) : join(this.cwd, CONFIG_FILE_NAME));
  }

  forFile(path: string): LoadedConfig {
    if (this.explicit) return this.forCwd();
    const file = resolve(path);
    // The files of one folder share their project: looked up once per folder (a run lints thousands
    // of files in a few). Not for a file that is the working folder's migrationsDir itself, the
    // one case where projectOfFile's answer for a file differs from its folder's.
    const folder = dirname(file);
    const known = this.byFolder.get(folder);
    if (known && file !== known.cwdMigrationsDir) return known.loaded;
    const loaded = this.lookUp(file);
    const cwdConfig = join(this.cwd, CONFIG_FILE_NAME);
    const cwdMigrationsDir = this.existing.get(cwdConfig) ? resolve(this.load(cwdConfig).migrationsDir) : undefined;
    if (!known && file !== cwdMigrationsDir) this.byFolder.set(folder, { loaded, cwdMigrationsDir });
    return loaded;
  }

  private lookUp(file: string): LoadedConfig {
    const { configPath, root } = projectOfFile(file, [this.cwd], {
      exists: (p) => {
        let found = this.existing.get(p);
        if (found === undefined) this.existing.set(p, (found = lenientDiskReader.read(p) !== undefined));
        return found;
      },
      migrationsDirOf: (p) => this.load(p).migrationsDir,
    });
    return configPath ? this.load(configPath) : this.load(join(root, CONFIG_FILE_NAME), root);
  }

  /** `root`: the project folder when there is no tidemark.json (migrations/ under it). */
  private load(configPath: string, root = this.cwd): LoadedConfig {
    let loaded = this.byPath.get(configPath);
    if (!loaded) {
      const explicit = this.explicit !== undefined;
      loaded = loadConfig(dirname(configPath), explicit ? configPath : undefined);
      if (!explicit && !loaded.path) loaded = loadConfig(root);
      validateConfig(loaded, this.cwd, this.out);
      this.byPath.set(configPath, loaded);
    }
    return loaded;
  }
}

/** An invalid config stops the run (exit 2); an unknown rule id is only a warning. */
function validateConfig(loaded: LoadedConfig, cwd: string, out: Output): void {
  const where = (problem: ConfigProblem) => {
    if (!loaded.path) return relative(cwd, cwd) || '.';
    const text = lenientDiskReader.read(loaded.path);
    const file = relative(cwd, loaded.path) || loaded.path;
    if (text === undefined) return file;
    const at = new SourceFile(loaded.path, text).positionAt(problem.start);
    return `${file}:${at.line + 1}:${at.character + 1}`;
  };
  const describe = (problem: ConfigProblem) => `${where(problem)}: ${problem.field ? `${problem.field}: ` : ''}${problem.message}`;
  if (loaded.problems.length) {
    const first = loaded.problems[0];
    const more = loaded.problems.length > 1 ? ` (and ${loaded.problems.length - 1} more problem${loaded.problems.length > 2 ? 's' : ''})` : '';
    if (!loaded.path || lenientDiskReader.read(loaded.path) === undefined) throw new CliError(first.message);
    throw new CliError(`invalid config: ${describe(first)}${more}`);
  }
  const text = loaded.path ? lenientDiskReader.read(loaded.path) : undefined;
  if (text !== undefined) for (const problem of unknownRuleProblems(text)) out.stderr(`tidemark: warning: ${describe(problem)}\n`);
}

/** Findings about a folder rather than one of its files (a FIFO named like a migration, a diesel folder without up.sql). */
export type FolderFindings = LocatedFinding[];

/**
 * The files to lint in a migrations folder, as its layout reader reads it. A folder that does not
 * exist, that no reader recognises, or that holds another database's migrations stops the run
 * (exit 2) saying what was seen: never "No problems in 0 files".
 */
export function filesFromMigrationsDir(loaded: LoadedConfig, cwd: string, folders: FolderFindings = []): string[] {
  const origin = loaded.path && loaded.config.migrationsDir ? ` (migrationsDir in ${relative(cwd, loaded.path) || loaded.path})` : '';
  if (!isDirectory(loaded.migrationsDir)) throw new CliError(`migrations folder not found: ${relative(cwd, loaded.migrationsDir) || loaded.migrationsDir}${origin}`);
  return filesOfFolder(loaded.migrationsDir, cwd, loaded.config.layout, folders, false);
}

/**
 * `given`: the folder was named on the command line. SQL files there that no layout recognises
 * are then linted one by one as loose files (the run says so), instead of stopping.
 */
function filesOfFolder(dir: string, cwd: string, layout: LayoutId | undefined, folders: FolderFindings, given: boolean): string[] {
  const result = discoverMigrations(dir, lenientDiskReader, { layout });
  if (given && result.unrecognised) return listMigrationFiles(dir).map((rel) => join(dir, rel));
  const stop = discoveryStop(result, relative(cwd, dir) || '.');
  if (stop) throw new CliError(stop);
  for (const problem of folderProblems(result)) {
    const file = relative(cwd, problem.path).split(sep).join('/');
    folders.push({ file, line: 1, column: 1, endLine: 1, endColumn: 1, rule: RULE_OF_PROBLEM[problem.code], severity: problem.severity ?? 'error', message: problem.message });
  }
  return lintableFiles(result);
}

export function filesFromPaths(paths: string[], cwd: string, configs?: ProjectConfigs, folders: FolderFindings = []): string[] {
  const files: string[] = [];
  const seen = new Set<string>();
  const add = (path: string) => {
    if (!seen.has(path)) files.push(path);
    seen.add(path);
  };
  for (const given of paths) {
    const path = resolve(cwd, given);
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new CliError(`no such file or folder: ${given}`);
    }
    if (isDir) for (const file of filesOfFolder(path, cwd, configs?.forFile(join(path, 'x.sql')).config.layout, folders, true)) add(file);
    else add(path);
  }
  return files;
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
