/**
 * Prisma Migrate: `prisma/migrations/<timestamp>_<name>/migration.sql` beside
 * `migration_lock.toml`, applied in folder-name order; no down migrations by design, and the SQL
 * is generated from schema.prisma (a fix names the schema change). A lock file naming a provider
 * other than postgresql is refused: those migrations are another database's SQL.
 */
import { basename, dirname, join } from 'node:path';
import { describeExecution } from '../execution';
import type { FileReader } from '../text-file';
import { MARKER_FILE, type FolderCensus, type LayoutReader, type LayoutReading } from './reader';
import { cutAtUnderscore, makeMigration, wholeFile } from './migration';

/** The provider migration_lock.toml names (`provider = "postgresql"`). */
export function lockProvider(toml: string | undefined): string | undefined {
  return toml ? /^[ \t]*provider[ \t]*=[ \t]*"([^"]*)"/m.exec(toml)?.[1] : undefined;
}

function migrationOf(folder: string, entry: string, text: string) {
  const { head, name } = cutAtUnderscore(entry);
  const version = /^\d+$/.test(head) ? head : entry;
  return makeMigration({
    version,
    versionKey: /^\d+$/.test(head) ? [Number(head)] : [],
    name: name || entry,
    layout: 'directory',
    execution: describeExecution('prisma', { noDownsByDesign: true, generatedBy: 'prisma' }),
    up: wholeFile('up', join(folder, entry, 'migration.sql'), text),
  });
}

export const prisma: LayoutReader = {
  id: 'prisma',
  defaultFolders: ['prisma/migrations'],
  activationGlobs: ['**/migration_lock.toml', '**/prisma/schema.prisma'],
  migrationsAreFolders: true,
  locate(root, reader) {
    // package.json's "prisma": {"schema": "db/schema.prisma"} moves the schema, and the migrations beside it.
    const pkg = reader.read(join(root, 'package.json'));
    if (pkg === undefined) return undefined;
    try {
      const schema = (JSON.parse(pkg) as { prisma?: { schema?: unknown } }).prisma?.schema;
      // A folder of .prisma files (prismaSchemaFolder) keeps migrations inside it.
      if (typeof schema === 'string') return schema.endsWith('.prisma') ? join(root, dirname(schema), 'migrations') : join(root, schema, 'migrations');
    } catch {
      // Not JSON: the default place applies.
    }
    return undefined;
  },
  detect(census) {
    if (census.has('migration_lock.toml')) return { score: MARKER_FILE * 10, evidence: 'migration_lock.toml' };
    const withMigration = census.entries().filter((e) => e.kind === 'folder' && census.has(`${e.name}/migration.sql`));
    if (withMigration.length && basename(census.folder) === 'migrations' && basename(dirname(census.folder)) === 'prisma')
      return { score: MARKER_FILE, evidence: `prisma/migrations with ${withMigration.length} migration.sql folders` };
    return undefined;
  },
  read(census: FolderCensus): LayoutReading {
    const reading: LayoutReading = { migrations: [], problems: [], unused: [] };
    const provider = lockProvider(census.text('migration_lock.toml'));
    if (provider && provider !== 'postgresql') {
      reading.refused = `migration_lock.toml says provider = "${provider}": these are ${provider} migrations, and Tidemark runs PostgreSQL migrations only`;
      return reading;
    }
    for (const entry of census.entries()) {
      if (entry.kind !== 'folder' || entry.name.startsWith('.')) continue;
      const text = census.has(`${entry.name}/migration.sql`) ? census.text(`${entry.name}/migration.sql`) : undefined;
      if (text === undefined) {
        reading.problems.push({
          code: 'layout-error',
          message: `${entry.name}/ has no migration.sql: Prisma stops on a migration folder without one`,
          path: join(census.folder, entry.name),
        });
        continue;
      }
      reading.migrations.push(migrationOf(census.folder, entry.name, text));
    }
    for (const file of census.files('.sql'))
      reading.unused.push({ path: join(census.folder, file), why: 'Prisma reads <timestamp>_<name>/migration.sql only: a file beside the folders is never run' });
    return reading;
  },
  readFile(path: string, text: string, folder: string, reader: FileReader) {
    if (basename(path) !== 'migration.sql') return undefined;
    const provider = lockProvider(reader.read(join(folder, 'migration_lock.toml')));
    if (provider && provider !== 'postgresql') return undefined;
    return { migration: migrationOf(folder, basename(dirname(path)), text), problems: [] };
  },
};
