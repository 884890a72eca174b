/**
 * What an embedded database (the sandbox, the replay check's shadow) is opened with so that it
 * behaves like the server the migrations are written for: the extensions they create, loaded
 * (PGlite loads extensions only when it starts), stubs for those PGlite lacks, and the preset's
 * setup (Supabase's roles and schemas) run once when the database is created.
 */
import { isAbsolute, resolve } from 'node:path';
import type { LoadedConfig } from '../migrations/config';
import { lenientDiskReader } from '../migrations/discovery';
import { extensionsInFolder, type ExtensionStub } from './pglite-extensions';
import { presetOf, type Preset } from './presets';

export interface EmbeddedSetup {
  /** Extension names the migrations and the preset create; those PGlite ships are loaded, others are left to fail clearly. */
  extensions: readonly string[];
  stubs: readonly ExtensionStub[];
  /** The preset's SQL, run once when the database is created. */
  setupSql?: string;
  /** For messages: "the supabase preset (supabase/config.toml)". */
  setupOrigin?: string;
  /** The preset setupSql comes from, recorded in the sandbox (pglite-preset.ts) so that one made without it, or with another, is noticed. */
  preset?: Pick<Preset, 'id' | 'installedSql'>;
}

/**
 * The setup of a project's embedded databases, the sandbox and the shadow alike: the stubs of
 * `check.stubs` (read from their files; `fail` makes the error for one that cannot be read) and
 * the project's preset, with `extensions` to load.
 */
export function projectEmbeddedSetup(loaded: LoadedConfig, extensions: readonly string[], fail: (message: string) => Error): EmbeddedSetup {
  const stubs: ExtensionStub[] = Object.entries(loaded.config.check?.stubs ?? {}).map(([name, file]) => {
    const path = isAbsolute(file) ? file : resolve(loaded.root, file);
    const sql = lenientDiskReader.read(path);
    if (sql === undefined) throw fail(`check.stubs.${name}: cannot read ${file} (looked for ${path})`);
    return { name, sql, origin: `check.stubs (${file})` };
  });
  return withPreset({ extensions, stubs }, presetOf(loaded.root, loaded.config.preset));
}

/** The setup of the sandbox of `loaded` (read when it opens, so new migration files count). */
export function sandboxSetup(loaded: LoadedConfig, fail: (message: string) => Error): EmbeddedSetup {
  return projectEmbeddedSetup(loaded, extensionsInFolder(loaded.migrationsDir), fail);
}

/** `setup` plus what `preset` brings: its extensions, its stubs (a project's own stub of the same name wins), its SQL. */
export function withPreset(setup: EmbeddedSetup, preset: Preset | undefined): EmbeddedSetup {
  if (!preset) return setup;
  const own = new Set(setup.stubs.map((s) => s.name));
  return {
    extensions: [...new Set([...setup.extensions, ...preset.extensions])].sort(),
    stubs: [...setup.stubs, ...preset.stubs.filter((s) => !own.has(s.name))],
    setupSql: [preset.setupSql, setup.setupSql].filter(Boolean).join('\n'),
    setupOrigin: `the ${preset.id} preset (${preset.reason})`,
    preset: { id: preset.id, installedSql: preset.installedSql },
  };
}
