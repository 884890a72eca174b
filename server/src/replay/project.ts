/**
 * The replay check of a project's migrations: the shadow set up from tidemark.json's `check`
 * section, then each chosen migration checked in version order on that one shadow, which builds
 * each earlier migration only once.
 */
import { isAbsolute, resolve } from 'node:path';
import type { LoadedConfig } from '../migrations/config';
import { discoverMigrations, lenientDiskReader } from '../migrations/discovery';
import type { Migration } from '../migrations/types';
import { replayMigration, type ReplayOptions, type ReplayResult } from './check';
import { Shadow, withMigrationExtensions, type ShadowSetup } from './shadow';
import { projectEmbeddedSetup } from '../database/embedded-setup';
import { DEFAULT_REPLAY_TIMEOUT_MS, EditorReplay, type EditorReplayResult } from './editor-check';
import { durationMs, type SeveritySetting } from '../migrations/config';

export class ReplayInputError extends Error {}

/**
 * The shadow's setup from tidemark.json: `check.roles`, `check.setup`, `check.stubs` and the
 * project's preset. The extensions the migrations create are added by withMigrationExtensions.
 */
export function shadowSetupOf(loaded: LoadedConfig): ShadowSetup {
  const check = loaded.config.check;
  const fail = (message: string) => new ReplayInputError(message);
  const read = (field: string, file: string) => {
    const path = isAbsolute(file) ? file : resolve(loaded.root, file);
    const text = lenientDiskReader.read(path);
    if (text === undefined) throw fail(`${field}: cannot read ${file} (looked for ${path})`);
    return text;
  };
  // The same stubs and preset as the sandbox's (embedded-setup.ts): one code path.
  const embedded = projectEmbeddedSetup(loaded, [], fail);
  return { roles: check?.roles, setupSql: check?.setup ? { path: check.setup, text: read('check.setup', check.setup) } : undefined, embedded };
}

/** True when `path` is one of the files of `migration` (up, down or verify). */
export function migrationHoldsFile(migration: Migration, path: string): boolean {
  return [migration.up, migration.down, migration.verify].some((s) => s?.file.path === path);
}

/**
 * Checks the migrations of `loaded.migrationsDir` whose files are in `files` (all when absent),
 * oldest first. Calls `onResult` as each one finishes.
 */
export async function replayProject(
  loaded: LoadedConfig,
  files: readonly string[] | undefined,
  options: ReplayOptions & { onResult?: (result: ReplayResult, migration: Migration) => void } = {},
): Promise<ReplayResult[]> {
  const { migrations } = discoverMigrations(loaded.migrationsDir, lenientDiskReader, { layout: loaded.config.layout });
  const chosen = migrations.map((m, i) => ({ m, i })).filter(({ m }) => !files || files.some((f) => migrationHoldsFile(m, f)));
  if (!chosen.length) return [];
  const setup = withMigrationExtensions(shadowSetupOf(loaded), migrations);
  let shadow = await Shadow.open(setup);
  try {
    const results: ReplayResult[] = [];
    for (const { m, i } of chosen) {
      if (!shadow.canBuild(migrations.slice(0, i))) {
        // The last check committed what it ran: start again from an empty shadow.
        await shadow.close();
        shadow = await Shadow.open(setup);
      }
      // The project's own lint.idempotency unless the caller says otherwise.
      const result = await replayMigration(shadow, migrations, i, { policy: loaded.config.lint, keepUp: true, ...options });
      results.push(result);
      options.onResult?.(result, m);
    }
    return results;
  } finally {
    await shadow.close();
  }
}

/**
 * replayProject for the CLI: each migration replayed on the worker thread (replay-worker.ts), which
 * keeps its shadow warm from one migration to the next, with `check.timeout` per migration. PGlite
 * runs a statement without yielding, so a migration that never ends (an endless loop, pg_sleep)
 * can only be stopped by ending its thread: it gets a replay-timeout finding and the next
 * migration a fresh worker.
 */
export async function replayProjectOnWorker(
  loaded: LoadedConfig,
  files: readonly string[] | undefined,
  options: { workerDir: string; severities?: Record<string, SeveritySetting>; docsBase: string; onResult: (result: EditorReplayResult) => void },
): Promise<void> {
  const { migrations } = discoverMigrations(loaded.migrationsDir, lenientDiskReader, { layout: loaded.config.layout });
  const chosen = migrations.filter((m) => !files || files.some((f) => migrationHoldsFile(m, f)));
  if (!chosen.length) return;
  const setup = withMigrationExtensions(shadowSetupOf(loaded), migrations);
  const timeoutMs = durationMs(loaded.config.check?.timeout) ?? DEFAULT_REPLAY_TIMEOUT_MS;
  const host = new EditorReplay(options.workerDir, () => undefined);
  const skipVersions: string[] = [];
  try {
    for (const migration of chosen) {
      const request = {
        path: migration.up.file.path,
        migrationsDir: loaded.migrationsDir,
        setup,
        unsaved: {},
        severities: options.severities ?? {},
        policy: loaded.config.lint,
        docsBase: options.docsBase,
        skipVersions: [...skipVersions],
        filesFixed: true,
        // The CLI reports findings only; observed locks are the editor's hover.
        observeLocks: false,
        // Checked oldest first: the next check builds on this one's up (ReplayOptions.keepUp).
        keepUp: true,
      };
      const outcome = await host.check(request, timeoutMs);
      if (outcome.kind !== 'result' || !outcome.result) continue;
      if (outcome.timedOut) skipVersions.push(migration.version);
      options.onResult({ ...outcome.result, version: outcome.result.version || migration.version });
    }
  } finally {
    await host.dispose();
  }
}
