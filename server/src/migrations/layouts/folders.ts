/**
 * The runbooks' sibling folders: NAME.sql with rollback/NAME.sql (or rollback/VERSION_rollback.sql),
 * verify/NAME.sql and check/NAME.sql beside it.
 */
import { isSectionFolder, readNamedFiles } from './named-files';
import { FILE_NAMES, type LayoutReader } from './reader';

export const folders: LayoutReader = {
  id: 'folders',
  defaultFolders: ['migrations'],
  detect(census) {
    const parts = census.entries().filter((e) => e.kind === 'folder' && isSectionFolder(e.name));
    const count = parts.reduce((n, p) => n + census.files('.sql', p.name).length, 0);
    return count ? { score: FILE_NAMES * 2 * count, evidence: `${parts.map((p) => `${p.name}/`).join(', ')} beside the migrations` } : undefined;
  },
  read: (census) => readNamedFiles(census),
};
