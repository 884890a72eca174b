/**
 * Which tidemark.json governs a file, and the rule severities that follow from it and from the
 * editor's `tidemark.lint.rules` setting (tidemark.json wins: it is the project's shared choice).
 * Configs are re-read when the file changes on disk or in the editor, so the server never lints
 * with a stale config (squawk's server ignores its config file, squawk issue 679).
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, isAbsolute } from 'node:path';
import { CONFIG_FILE_NAME, findConfigFile, loadConfig, type ConfigProblem, type LoadedConfig, type SeveritySetting } from '../migrations/config';
import type { FileReader } from '../migrations/discovery';
import { unknownRuleProblems } from '../lint/rule-settings';

export interface ProjectConfig extends LoadedConfig {
  /** Severity per rule: editor settings overlaid with tidemark.json. */
  severities: Record<string, SeveritySetting>;
  /** Schema problems and unknown rule ids, with offsets in the config file. */
  allProblems: Array<ConfigProblem & { severity: 'error' | 'warning' }>;
}

export function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export class WorkspaceConfigs {
  private workspaceFolders: string[] = [];
  private editorRules: Record<string, SeveritySetting> = {};
  /** Config file path (or `dir:` + folder when there is none) → loaded config. */
  private readonly loaded = new Map<string, ProjectConfig>();
  /** Folder → the config file path governing it, or null for none. */
  private readonly lookup = new Map<string, string | null>();

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

  /** The config for a file: the nearest tidemark.json above it, within or above its workspace folder. */
  forFile(path: string): ProjectConfig {
    // A workspace-root config whose migrationsDir holds the file wins even when it lives elsewhere.
    for (const folder of this.workspaceFolders) {
      const configPath = join(folder, CONFIG_FILE_NAME);
      if (!this.exists(configPath)) continue;
      const config = this.load(configPath, folder);
      if (isInside(config.migrationsDir, path)) return config;
    }
    const configPath = this.findUpwards(dirname(path));
    const root = configPath ? dirname(configPath) : (this.workspaceFolders.find((f) => isInside(f, path)) ?? dirname(path));
    return this.load(configPath ?? undefined, root);
  }

  /** Every config file found so far (for publishing their problems). */
  knownConfigs(): ProjectConfig[] {
    for (const folder of this.workspaceFolders) {
      const configPath = join(folder, CONFIG_FILE_NAME);
      if (this.exists(configPath)) this.load(configPath, folder);
    }
    return [...this.loaded.values()].filter((c) => c.path);
  }

  private findUpwards(dir: string): string | null {
    const cached = this.lookup.get(dir);
    if (cached !== undefined) return cached;
    const found = findConfigFile(dir, (p) => this.exists(p)) ?? null;
    this.lookup.set(dir, found);
    return found;
  }

  private exists(path: string): boolean {
    return this.reader.read(path) !== undefined || existsSync(path);
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
      allProblems: [
        ...base.problems.map((p) => ({ ...p, severity: 'error' as const })),
        ...unknownRules.map((p) => ({ ...p, severity: 'warning' as const })),
      ],
    };
    this.loaded.set(key, config);
    return config;
  }
}
