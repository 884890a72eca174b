/** Flyway: versioned V1_2__name.sql, undo U1_2__name.sql. */
import { readNamedFiles } from './named-files';
import { FILE_NAMES, type LayoutReader } from './reader';

const FLYWAY_NAME = /^[VU]\d+(?:[._]\d+)*__.+\.sql$/i;

export const flyway: LayoutReader = {
  id: 'flyway',
  defaultFolders: ['src/main/resources/db/migration', 'db/migration', 'sql'],
  activationGlobs: ['**/db/migration/*.sql'],
  detect(census) {
    const named = census.files('.sql').filter((name) => FLYWAY_NAME.test(name));
    return named.length ? { score: FILE_NAMES * 2 * named.length, evidence: `${named.length} files named V<version>__<name>.sql` } : undefined;
  },
  read: (census) => readNamedFiles(census),
};
