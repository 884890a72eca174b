/**
 * The preset of a sandbox: which one it was set up with is recorded in it, so that a sandbox made
 * before the project had a preset gets it when it is next opened, and one made with another is a
 * clear error saying how to start afresh (issue 23).
 */
import type { DatabaseAdapter } from './adapter';
import type { EmbeddedSetup } from './embedded-setup';
import { RunnerInputError } from './environments';

/**
 * The database setting recording which preset a sandbox was set up with. A database-level setting
 * (ALTER DATABASE ... SET) lives in the sandbox's own catalog: it travels with the folder, its
 * backups and restores, and nothing else reads it.
 */
const PRESET_SETTING = 'tidemark.preset';

/** The preset recorded in the sandbox `db`, undefined when none is. */
export async function presetOfSandbox(db: DatabaseAdapter): Promise<string | undefined> {
  const rows = await db.query(
    `SELECT split_part(c, '=', 2) AS preset FROM pg_db_role_setting s CROSS JOIN LATERAL unnest(s.setconfig) c
      WHERE s.setrole = 0 AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database()) AND split_part(c, '=', 1) = $1`,
    [PRESET_SETTING],
  );
  return rows.rows.length ? String(rows.rows[0].preset) : undefined;
}

async function recordPreset(db: DatabaseAdapter, id: string): Promise<void> {
  // ALTER DATABASE takes no parameters; the id is one of PresetId's fixed words, checked here.
  if (!/^[a-z_]+$/.test(id)) throw new Error(`unexpected preset id ${JSON.stringify(id)}`);
  await db.exec(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET ${PRESET_SETTING} = %L', current_database(), '${id}'); END $$;`);
}

/**
 * Brings the preset of `setup` into the sandbox `db`: on a new one its setupSql runs; on one made
 * before the project had the preset it runs now, in one transaction, unless the preset's objects
 * are there already; either way the preset is recorded. A sandbox made with another preset, or one
 * the preset cannot be added to (a migration created the same roles), is an error saying how to
 * start afresh. What was done is returned for the user: "the supabase preset was added ...".
 */
export async function bringPresetIntoSandbox(db: DatabaseAdapter, setup: EmbeddedSetup, isNew: boolean, dataDir: string): Promise<string | undefined> {
  if (!setup.preset || !setup.setupSql) return undefined;
  const origin = setup.setupOrigin ?? `the ${setup.preset.id} preset`;
  const fresh = `delete the folder ${dataDir} and run the command again to create the sandbox afresh with it (its data is lost: copy the folder first if you need it)`;
  if (isNew) {
    await db.exec(setup.setupSql);
    await recordPreset(db, setup.preset.id);
    return undefined;
  }
  const recorded = await presetOfSandbox(db);
  if (recorded === setup.preset.id) return undefined;
  if (recorded !== undefined) throw new RunnerInputError(`the sandbox ${dataDir} was set up with the ${recorded} preset, but this project now uses ${origin}: ${fresh}`);
  if ((await db.query(setup.preset.installedSql)).rows.length) {
    await recordPreset(db, setup.preset.id);
    return undefined;
  }
  try {
    await db.transaction(async () => {
      await db.exec(setup.setupSql!);
      await recordPreset(db, setup.preset!.id);
    });
  } catch (error) {
    throw new RunnerInputError(`the sandbox ${dataDir} was created before this project used ${origin}, and adding it failed: ${(error as Error).message}. To have it, ${fresh}`);
  }
  return `the sandbox was created before this project used ${origin}: its roles, schemas and stubs were added to it now`;
}
