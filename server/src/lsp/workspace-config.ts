/**
 * Which tidemark.json governs a file, and the rule severities that follow from it and from the
 * editor's `tidemark.lint.rules` setting (tidemark.json wins: it is the project's shared choice).
 * Configs are re-read when the file changes on disk or in the editor, so the server never lints
 * with a stale config (squawk's server ignores its config file, squawk issue 679).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CONFIG_FILE_NAME, loadConfig, projectOfFile, type ConfigProblem, type LoadedConfig, type SeveritySetting } from '../migrations/config';
import type { FileReader } from '../migrations/discovery';
import { unknownRuleProblems } from '../lint/rule-settings';

export interface ProjectConfig extends LoadedConfig {
  /** Severity per rule: editor settings overlaid with tidemark.json. */
  severities: Record<string, SeveritySetting>;
  /** Schema problems and unknown rule ids, with offsets in the config file. */
  allProblems: Array<ConfigProblem & { severity: 'error' | 'warning' }>;
}

export class WorkspaceConfigs {
  private workspaceFolders: string[] = [];
  private editorRules: Record<string, SeveritySetting> = {};
  /** Config file path (or `dir:` + folder when there is none) → loaded config. */
  private readonly loaded = new Map<string, ProjectConfig>();
  /** Whether a tidemark.json exists at a path (an open editor's text counts), until the next invalidate. */
  private readonly lookup = new Map<string, boolean>();

  constructor(private readonly reader: FileReader) {}

  setWorkspaceFolders(folders: string[]): void {
    this.workspaceFolders = folders;
    this.invalidate();
  }

  setEditorRules(rules: Record<string, SeveritySetting>): void {
    this.editorRules = rules;
    this.loaded.clear();
  }

  /** Forget everything read: a config file appeared, changed or disappeared. */
  invalidate(): void {
    this.loaded.clear();
    this.lookup.clear();
  }

  /** The config for a file, by the rule the CLI follows too (projectOfFile). */
  forFile(path: string): ProjectConfig {
    const { configPath, root } = projectOfFile(path, this.workspaceFolders, {
      exists: (p) => this.exists(p),
      migrationsDirOf: (p) => this.load(p, dirname(p)).migrationsDir,
    });
    return this.load(configPath, root);
  }

  /** The workspace folders' projects: each folder's tidemark.json, or the defaults rooted there. */
  workspaceProjects(): ProjectConfig[] {
    return this.workspaceFolders.map((folder) => {
      const configPath = join(folder, CONFIG_FILE_NAME);
      return this.load(this.exists(configPath) ? configPath : undefined, folder);
    });
  }

  /** Every config file found so far (for publishing their problems). */
  knownConfigs(): ProjectConfig[] {
    for (const folder of this.workspaceFolders) {
      const configPath = join(folder, CONFIG_FILE_NAME);
      if (this.exists(configPath)) this.load(configPath, folder);
    }
    return [...this.loaded.values()].filter((c) => c.path);
  }

  private exists(path: string): boolean {
    const cached = this.lookup.get(path);
    if (cached !== undefined) return cached;
    const found = this.reader.read(path) !== undefined || existsSync(path);
    this.lookup.set(path, found);
    return found;
  }

  private load(configPath: string | undefined, root: string): ProjectConfig {
    const key = configPath ?? `dir:${root}`;
    const cached = this.loaded.get(key);
    if (cached) return cached;
    const base = configPath ? loadConfig(dirname(configPath), CONFIG_FILE_NAME, (p) => this.reader.read(p)) : loadConfig(root, undefined, () => undefined);
    const text = configPath ? this.reader.read(configPath) : undefined;
    const unknownRules = text !== undefined ? unknownRuleProblems(text) : [];
    const config: ProjectConfig = {
      ...base,
      severities: { ...this.editorRules, ...(base.config.lint?.rules ?? {}) },
      allProblems: [...base.problems.map((p) => ({ ...p, severity: 'error' as const })), ...unknownRules.map((p) => ({ ...p, severity: 'warning' as const }))],
    };
    this.loaded.set(key, config);
    return config;
  }
}
