/**
 * golang-migrate (and sqlx's reversible files): NAME.up.sql with NAME.down.sql beside it, plus
 * Tidemark's NAME.verify.sql and NAME.check.sql. golang-migrate does not wrap a file in a
 * transaction: a file may own its BEGIN ... COMMIT.
 */
import { readNamedFiles } from './named-files';
import { FILE_NAMES, type LayoutReader } from './reader';

export const golangMigrate: LayoutReader = {
  id: 'golang-migrate',
  defaultFolders: ['migrations', 'db/migrations'],
  detect(census) {
    const ups = census.files('.up.sql');
    // A pair of files per migration says more than one name: count each pair twice.
    return ups.length ? { score: FILE_NAMES * 2 * ups.length, evidence: `${ups.length} NAME.up.sql files` } : undefined;
  },
  read: (census) => readNamedFiles(census),
};
