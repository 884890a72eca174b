/**
 * Finds the migrations of a project: the layout readers (layouts/) read the folder as its tool
 * does. This module is the entry point the runner, the linter and the front ends share.
 */
import { readMigrationsFolder } from './layouts';
import { diskReader, lenientDiskReader, type FileReader } from './text-file';
import { steadyValue } from './steady-disk';
import type { DiscoveryResult, LayoutId } from './types';

export { diskReader, lenientDiskReader, type FileReader } from './text-file';
export {
  isSectionFolder,
  listMigrationFiles,
  readMigrationFiles,
  migrationFilesByVersion,
  pairVersionGroup,
  assembleMigration,
  type IndexedFile,
  type VersionGroup,
} from './layouts/named-files';

export interface DiscoveryOptions {
  /** The layout tidemark.json sets; detected from the folder otherwise. */
  layout?: LayoutId;
}

/** The steady-disk key of a batch's discovery of `migrationsDir` (read as `layout`, or detected). */
export const discoveryKey = (migrationsDir: string, layout?: LayoutId) => `discovery:${migrationsDir}\0${layout ?? ''}`;

/** Discovers the migrations in `migrationsDir`. Never throws for bad files: they become problems. */
export function discoverMigrations(migrationsDir: string, reader: FileReader = diskReader, options: DiscoveryOptions = {}): DiscoveryResult {
  // In a batch lint the folder is read once for listing its files and for the earlier migrations' context.
  if (reader === lenientDiskReader) return steadyValue(discoveryKey(migrationsDir, options.layout), () => readMigrationsFolder(migrationsDir, reader, options.layout));
  return readMigrationsFolder(migrationsDir, reader, options.layout);
}
