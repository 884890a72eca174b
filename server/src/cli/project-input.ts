/**
 * What `lint` and `check` read before they start: the tidemark.json of each file (checked once,
 * an invalid one stops the run with exit 2) and the migration files named by paths or by
 * migrationsDir. Shared by both commands, which live in separate bundles.
 */
import { statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Output } from './command';
import { CliError } from './command';
import { CONFIG_FILE_NAME, loadConfig, projectOfFile, type ConfigProblem, type LoadedConfig } from '../migrations/config';
import { lenientDiskReader, listMigrationFiles } from '../migrations/discovery';
import { SourceFile } from '../sql/source';
import { unknownRuleProblems } from '../lint/rule-settings';

/**
 * The config for each linted file: --config for all of them, else the tidemark.json of the
 * working folder for migrationsDir, and for paths the project each file belongs to by the rule
 * the editor follows too (projectOfFile). Each config is checked once when first used.
 */
export class ProjectConfigs {
  private readonly byPath = new Map<string, LoadedConfig>();

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
    const { configPath, root } = projectOfFile(resolve(path), [this.cwd], {
      exists: (p) => lenientDiskReader.read(p) !== undefined,
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
      checkConfig(loaded, this.cwd, this.out);
      this.byPath.set(configPath, loaded);
    }
    return loaded;
  }
}

/** An invalid config stops the run (exit 2); an unknown rule id is only a warning. */
function checkConfig(loaded: LoadedConfig, cwd: string, out: Output): void {
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

export function filesFromMigrationsDir(loaded: LoadedConfig, cwd: string): string[] {
  if (!isDirectory(loaded.migrationsDir)) {
    const origin = loaded.path ? ` (migrationsDir in ${relative(cwd, loaded.path) || loaded.path})` : '';
    throw new CliError(`migrations folder not found: ${relative(cwd, loaded.migrationsDir) || loaded.migrationsDir}${origin}`);
  }
  return listMigrationFiles(loaded.migrationsDir).map((rel) => join(loaded.migrationsDir, rel));
}

export function filesFromPaths(paths: string[], cwd: string): string[] {
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
    if (isDir) for (const rel of listMigrationFiles(path)) add(join(path, rel));
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

