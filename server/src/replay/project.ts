/**
 * The replay check of a project's migrations: the shadow set up from tidemark.json's `check`
 * section, then each chosen migration checked in version order on that one shadow, which builds
 * each earlier migration only once.
 */
import { isAbsolute, resolve } from 'node:path';
import type { LoadedConfig } from '../migrations/config';
import { discoverMigrations, lenientDiskReader } from '../migrations/discovery';
import type { Migration } from '../migrations/types';
import { checkMigration, type ReplayOptions, type ReplayResult } from './check';
import { Shadow, type ShadowSetup } from './shadow';

export class ReplayInputError extends Error {}

/** The shadow's roles and setup script from `check` in tidemark.json. */
export function shadowSetupOf(loaded: LoadedConfig): ShadowSetup {
  const check = loaded.config.check;
  if (!check?.setup) return { roles: check?.roles };
  const path = isAbsolute(check.setup) ? check.setup : resolve(loaded.root, check.setup);
  const text = lenientDiskReader.read(path);
  if (text === undefined) throw new ReplayInputError(`check.setup: cannot read ${check.setup} (looked for ${path})`);
  return { roles: check.roles, setupSql: { path: check.setup, text } };
}

/** True when `path` is one of the files of `migration` (up, down or verify). */
export function migrationHoldsFile(migration: Migration, path: string): boolean {
  return [migration.up, migration.down, migration.verify].some((s) => s?.file.path === path);
}

/**
 * Checks the migrations of `loaded.migrationsDir` whose files are in `files` (all when absent),
 * oldest first. Calls `onResult` as each one finishes.
 */
export async function checkProject(
  loaded: LoadedConfig,
  files: readonly string[] | undefined,
  options: ReplayOptions & { onResult?: (result: ReplayResult, migration: Migration) => void } = {},
): Promise<ReplayResult[]> {
  const { migrations } = discoverMigrations(loaded.migrationsDir, lenientDiskReader, { layout: loaded.config.layout });
  const chosen = migrations.map((m, i) => ({ m, i })).filter(({ m }) => !files || files.some((f) => migrationHoldsFile(m, f)));
  if (!chosen.length) return [];
  const shadow = await Shadow.open(shadowSetupOf(loaded));
  try {
    const results: ReplayResult[] = [];
    for (const { m, i } of chosen) {
      const result = await checkMigration(shadow, migrations, i, options);
      results.push(result);
      options.onResult?.(result, m);
    }
    return results;
  } finally {
    await shadow.close();
  }
}
