/**
 * Flyway: versioned V1_2__name.sql, undo U1_2__name.sql, and repeatable R__name.sql. A repeatable
 * migration has no version: Flyway applies it after every pending versioned migration, the
 * repeatables in the order of their descriptions (the name with underscores read as spaces,
 * compared as Java compares strings), and again whenever its checksum changes.
 */
import { basename, join } from 'node:path';
import { SourceFile } from '../../sql/source';
import { describeExecution, TIDEMARK_NO_TRANSACTION } from '../execution';
import { hasNoTransactionDirective } from '../sections';
import type { DiscoveryProblem, Migration } from '../types';
import { REPEATABLE_KEY } from '../version';
import { makeMigration } from './migration';
import { readNamedFiles } from './named-files';
import { FILE_NAMES, type FileReading, type LayoutReader, type LayoutReading } from './reader';

const FLYWAY_NAME = /^[VU]\d+(?:[._]\d+)*__.+\.sql$/i;
export const REPEATABLE_NAME = /^R__(.+)\.sql$/i;

/** Flyway's description of a repeatable file: the part after `R__`, underscores read as spaces. */
const descriptionOf = (fileName: string) => REPEATABLE_NAME.exec(fileName)![1].replace(/_/g, ' ');

/** Descriptions in Flyway's order: String.compareTo, UTF-16 code unit by code unit, as `<` compares. */
const byDescription = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One repeatable migration; `rank` is its place among the folder's repeatables. */
export function repeatableMigration(path: string, text: string, rank: number): Migration {
  const file = new SourceFile(path, text);
  const noTransaction = hasNoTransactionDirective(text) && TIDEMARK_NO_TRANSACTION;
  return {
    ...makeMigration({
      version: basename(path).replace(/\.sql$/i, ''),
      versionKey: [REPEATABLE_KEY, rank],
      name: descriptionOf(basename(path)),
      layout: 'flyway',
      execution: describeExecution('flyway', { noTransaction, repeatable: true }),
      up: { kind: 'up', file, offset: 0, text },
    }),
    repeatable: true,
  };
}

/** The folder's repeatable migrations, in the order Flyway applies them; two with one description are both refused, as Flyway refuses them. */
function readRepeatables(census: Parameters<LayoutReader['read']>[0]): LayoutReading {
  const reading: LayoutReading = { migrations: [], problems: [], unused: [] };
  const names = census
    .files('.sql')
    .filter((name) => REPEATABLE_NAME.test(name))
    .sort((a, b) => byDescription(descriptionOf(a), descriptionOf(b)));
  const first = new Map<string, string>();
  for (const [rank, name] of names.entries()) {
    const path = join(census.folder, name);
    const text = census.text(name);
    if (text === undefined) {
      reading.problems.push({ code: 'unreadable-file', message: `cannot read ${name}`, path });
      continue;
    }
    const migration = repeatableMigration(path, text, rank);
    const earlier = first.get(migration.name);
    if (earlier !== undefined) {
      const message = `${name} and ${earlier} are both the repeatable migration "${migration.name}": Flyway refuses two repeatables with one description`;
      const problem: DiscoveryProblem = { code: 'duplicate-version', message, path, relatedPath: join(census.folder, earlier) };
      reading.problems.push(problem);
      migration.duplicateVersion = message;
    } else first.set(migration.name, name);
    reading.migrations.push(migration);
  }
  return reading;
}

export const flyway: LayoutReader = {
  id: 'flyway',
  defaultFolders: ['src/main/resources/db/migration', 'db/migration', 'sql'],
  activationGlobs: ['**/db/migration/*.sql'],
  detect(census) {
    const named = census.files('.sql').filter((name) => FLYWAY_NAME.test(name) || REPEATABLE_NAME.test(name));
    return named.length ? { score: FILE_NAMES * 2 * named.length, evidence: `${named.length} files named V<version>__<name>.sql or R__<name>.sql` } : undefined;
  },
  readFile: (path, text) => readRepeatableFile(path, text),
  read(census) {
    const versioned = readNamedFiles(census, { repeatablesReadHere: true });
    const repeatables = readRepeatables(census);
    return {
      migrations: [...versioned.migrations, ...repeatables.migrations],
      problems: [...versioned.problems, ...repeatables.problems],
      unused: versioned.unused,
    };
  },
};

/** A repeatable file linted alone (the editor's per-file reading); its rank does not matter there. */
export function readRepeatableFile(path: string, text: string): FileReading | undefined {
  return REPEATABLE_NAME.test(basename(path)) ? { migration: repeatableMigration(path, text, 0), problems: [] } : undefined;
}
