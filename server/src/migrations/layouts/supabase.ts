/**
 * Supabase CLI: `supabase/migrations/<timestamp>_<name>.sql` in a project with
 * `supabase/config.toml`; files not named that way are skipped by the CLI (listed here). No down
 * migrations by design.
 */
import { basename, dirname, join } from 'node:path';
import { describeExecution } from '../execution';
import { MARKER_FILE, type FolderCensus, type LayoutReader, type LayoutReading } from './reader';
import { makeMigration, wholeFile } from './migration';

const NAME = /^(\d+)_(.*)\.sql$/;

function migrationOf(path: string, text: string) {
  const [, version, name] = NAME.exec(basename(path))!;
  return makeMigration({
    version,
    versionKey: [Number(version)],
    name,
    layout: 'sections',
    execution: describeExecution('supabase', { noDownsByDesign: true }),
    up: wholeFile('up', path, text),
  });
}

export const supabase: LayoutReader = {
  id: 'supabase',
  defaultFolders: ['supabase/migrations'],
  activationGlobs: ['**/supabase/config.toml'],
  detect(census) {
    const inProject = basename(census.folder) === 'migrations' && basename(dirname(census.folder)) === 'supabase' && census.has('../config.toml');
    return inProject ? { score: MARKER_FILE * 5, evidence: 'supabase/config.toml' } : undefined;
  },
  read(census: FolderCensus): LayoutReading {
    const reading: LayoutReading = { migrations: [], problems: [], unused: [] };
    for (const file of census.files('.sql')) {
      const path = join(census.folder, file);
      if (!NAME.test(file)) {
        reading.unused.push({ path, why: 'not named <timestamp>_<name>.sql: the Supabase CLI skips it' });
        continue;
      }
      const text = census.text(file);
      if (text === undefined) reading.problems.push({ code: 'unreadable-file', message: `cannot read ${file}`, path });
      else reading.migrations.push(migrationOf(path, text));
    }
    return reading;
  },
  readFile: (path, text) => (NAME.test(basename(path)) ? { migration: migrationOf(path, text), problems: [] } : undefined),
};
