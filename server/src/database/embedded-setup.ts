/**
 * What an embedded database (the sandbox, the replay check's shadow) is opened with so that it
 * behaves like the server the migrations are written for: the extensions they create, loaded
 * (PGlite loads extensions only when it starts), stubs for those PGlite lacks, and the preset's
 * setup (Supabase's roles and schemas) run once when the database is created.
 */
import { extensionsInFolder, type ExtensionStub } from './pglite-extensions';
import type { Preset } from './presets';

export interface EmbeddedSetup {
  /** Extension names the migrations and the preset create; those PGlite ships are loaded, others are left to fail clearly. */
  extensions: readonly string[];
  stubs: readonly ExtensionStub[];
  /** The preset's SQL, run once when the database is created. */
  setupSql?: string;
  /** For messages: "the supabase preset (supabase/config.toml)". */
  setupOrigin?: string;
}

/** The setup of a sandbox whose migrations live in `migrationsDir` (read when it opens, so new files count). */
export function sandboxSetup(migrationsDir: string, preset: Preset | undefined): EmbeddedSetup {
  return withPreset({ extensions: extensionsInFolder(migrationsDir), stubs: [] }, preset);
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
  };
}
