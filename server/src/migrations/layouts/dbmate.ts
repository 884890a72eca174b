/**
 * dbmate: one file per migration, `-- migrate:up` / `-- migrate:down` sections (plus Tidemark's
 * `-- migrate:verify` and `-- migrate:check`), text before the first marker is up. Files named
 * VERSION_name.sql with no marker at all read as one up section, as today.
 */
import { readNamedFiles } from './named-files';
import { CONTENT, FILE_NAMES, type LayoutReader } from './reader';
import { classifyFile } from '../version';

const MARKER = /^[ \t]*--[ \t]*migrate:(up|down)\b/im;

export const dbmate: LayoutReader = {
  id: 'dbmate',
  defaultFolders: ['db/migrations'],
  activationGlobs: ['**/migrations/*.sql'],
  markerLine: MARKER,
  detect(census) {
    const sql = census.files('.sql').filter((name) => classifyFile(name)?.layout === 'sections');
    if (sql.length === 0) return undefined;
    const commented = new Set(census.commented('.sql'));
    const marked = sql.filter((name) => commented.has(name) && MARKER.test(census.text(name) ?? ''));
    if (marked.length) return { score: CONTENT * marked.length, evidence: `-- migrate:up markers in ${marked.length} of ${sql.length} files` };
    return { score: FILE_NAMES * sql.length, evidence: `${sql.length} files named VERSION_name.sql` };
  },
  read: (census) => readNamedFiles(census),
};
