/**
 * Migration versions from file names. A version is the leading run of digit groups
 * (`001`, `20251126_004`, `20251026000001`, Flyway `V1_2` / `V1.2`), compared group by group as
 * numbers so that `2` < `10` and `1.2` < `1.10`.
 *
 * Some tools have no version numbers: a sqitch change is known by its name and placed by its
 * plan, a Liquibase changeset by `author:id` and its changelog. Such versions are names: a name is
 * its own identity, and its order is the one its reader gives (`Migration.versionKey`, the
 * position in the plan), never a comparison of names.
 */
import type { Migration } from './types';

export type FileSection = 'sections' | 'up' | 'down' | 'verify' | 'check';

export interface ClassifiedFile {
  version: string;
  versionKey: number[];
  name: string;
  role: FileSection;
  layout: 'sections' | 'paired' | 'folders' | 'flyway';
}

const FLYWAY = /^([VU])(\d+(?:[._]\d+)*)__(.+)\.sql$/i;
const PAIRED = /^(.+)\.(up|down|verify|check)\.sql$/i;

function versionOf(stem: string): { version: string; name: string } | undefined {
  // Take digit groups greedily while each is followed by a separator and more digits.
  const match = /^\d+(?:[._]\d+)*/.exec(stem);
  if (!match) return undefined;
  let version = match[0];
  let rest = stem.slice(version.length);
  // `001_2fa_codes`: a last group glued to letters belongs to the name, not the version.
  if (/^[a-z]/i.test(rest)) {
    const cut = version.search(/[._]\d+$/);
    if (cut <= 0) return undefined;
    rest = version.slice(cut) + rest;
    version = version.slice(0, cut);
  }
  const name = rest.replace(/^[._-]+/, '');
  return { version, name: name || version };
}

export function versionKey(version: string): number[] {
  // As version.split(/[._]/).map(parseInt), without the regular expression split: a folder's
  // every file name is keyed, and that split cost more than the rest of classifying the name.
  const key: number[] = [];
  let start = 0;
  for (let i = 0; i <= version.length; i++) {
    if (i < version.length && version[i] !== '.' && version[i] !== '_') continue;
    key.push(Number.parseInt(version.slice(start, i), 10));
    start = i + 1;
  }
  return key;
}

/** A numbered version (`001`, `20251126_004`, `1.2`), as opposed to a name (`insert_user`, `alice:1`). */
export const isNumberedVersion = (version: string) => /^\d+(?:[._]\d+)*$/.test(version);

/**
 * The one key every spelling of a version shares — `001` and `1`, `1.2` and `1_2` — for maps and
 * sets of versions from files, history rows and other tools' tables. A name is its own key.
 */
export function versionId(version: string | readonly number[]): string {
  if (typeof version === 'string' && !isNumberedVersion(version)) return version;
  return (typeof version === 'string' ? versionKey(version) : version).join('.');
}

/**
 * The order of a project's versions, for history rows and `--to` targets: the key each migration's
 * reader gave it (its version number, or its place in a plan or changelog). A version no file has
 * any more sorts by its number, or after every migration when it is a name.
 */
export function versionOrder(migrations: ReadonlyArray<Pick<Migration, 'version' | 'versionKey'>>): (version: string) => number[] {
  const keys = new Map(migrations.map((m) => [versionId(m.version), m.versionKey]));
  return (version) =>
    keys.get(versionId(version)) ?? (isNumberedVersion(version) ? versionKey(version) : [isRepeatableVersion(version) ? REPEATABLE_KEY : Number.MAX_SAFE_INTEGER]);
}

/**
 * The first group of a repeatable migration's key (Flyway `R__name.sql`): after every versioned
 * migration, as Flyway applies them, its second group its place in description order.
 */
export const REPEATABLE_KEY = Number.MAX_SAFE_INTEGER - 1;

/** A repeatable migration's version is its file's stem, `R__views` (Flyway's repeatables have none of their own). */
export const isRepeatableVersion = (version: string) => /^R__./i.test(version);

/** Whether a key is a repeatable migration's: it never counts as the newest applied, and rollback passes over it. */
export const isRepeatableKey = (key: readonly number[]) => key[0] === REPEATABLE_KEY;

export function compareVersionKeys(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? -1;
    const y = b[i] ?? -1;
    if (x !== y) return x - y;
  }
  return 0;
}

export function compareVersions(a: string, b: string): number {
  return compareVersionKeys(versionKey(a), versionKey(b));
}

/**
 * What a file is, from its path relative to the migrations folder: `001_x.sql`,
 * `001_x.up.sql`, `rollback/001_x.sql`, `rollback/001_rollback.sql`, `verify/001_x.sql`,
 * `V1_2__x.sql`, `U1_2__x.sql`. Undefined for files that are not migrations.
 */
export function classifyFile(relativePath: string): ClassifiedFile | undefined {
  // Detection, discovery and the linter's lookup of a file's companions each classify every file
  // of a folder: a name is classified once (the answer depends on the name alone).
  let found = classified.get(relativePath);
  if (found === undefined) {
    if (classified.size >= MAX_CLASSIFIED) classified.clear();
    classified.set(relativePath, (found = classifyName(relativePath) ?? null));
  }
  return found ?? undefined;
}

/** Subfolders whose files are parts of the migration of their name, and the suffix such a name may carry. */
const COMPANION_FOLDERS = new Map<string, { role: FileSection; suffix: RegExp }>([
  ['rollback', { role: 'down', suffix: /[._-]?rollback$/i }],
  ['rollbacks', { role: 'down', suffix: /[._-]?rollback$/i }],
  ['down', { role: 'down', suffix: /[._-]?rollback$/i }],
  ['verify', { role: 'verify', suffix: /[._-]?verify$/i }],
  ['verification', { role: 'verify', suffix: /[._-]?verify$/i }],
  ['check', { role: 'check', suffix: /[._-]?check$/i }],
  ['checks', { role: 'check', suffix: /[._-]?check$/i }],
]);

/** Names already classified (null: not a migration's). Shared answers: read them, never change them. */
const classified = new Map<string, ClassifiedFile | null>();
const MAX_CLASSIFIED = 50_000;

function classifyName(relativePath: string): ClassifiedFile | undefined {
  // The last two parts of the path, either separator (a regular expression split costs more than the rest).
  const cut = Math.max(relativePath.lastIndexOf('/'), relativePath.lastIndexOf('\\'));
  const base = relativePath.slice(cut + 1);
  const parent = cut < 0 ? '' : relativePath.slice(0, cut);
  const folder = cut < 0 ? '' : parent.slice(Math.max(parent.lastIndexOf('/'), parent.lastIndexOf('\\')) + 1).toLowerCase();
  if (!base.toLowerCase().endsWith('.sql')) return undefined;

  const flyway = FLYWAY.exec(base);
  if (flyway) {
    const version = flyway[2].replace(/_/g, '.');
    return {
      version,
      versionKey: versionKey(version),
      name: flyway[3],
      role: flyway[1].toUpperCase() === 'U' ? 'down' : 'up',
      layout: 'flyway',
    };
  }

  const paired = PAIRED.exec(base);
  if (paired) {
    const parsed = versionOf(paired[1]);
    if (!parsed) return undefined;
    return {
      version: parsed.version,
      name: parsed.name,
      versionKey: versionKey(parsed.version),
      role: paired[2].toLowerCase() as FileSection,
      layout: 'paired',
    };
  }

  const parsed = versionOf(base.slice(0, -4));
  if (!parsed) return undefined;
  const companion = COMPANION_FOLDERS.get(folder);
  if (companion) {
    // rollback/001_x.sql or rollback/001_x_rollback.sql is the down of 001_x.sql (and so on).
    const name = parsed.name.replace(companion.suffix, '') || parsed.version;
    return { version: parsed.version, name, versionKey: versionKey(parsed.version), role: companion.role, layout: 'folders' };
  }
  // Literals rather than spreads of `parsed`: a spread costs more than the rest of classifying a name.
  return { version: parsed.version, name: parsed.name, versionKey: versionKey(parsed.version), role: 'sections', layout: 'sections' };
}
