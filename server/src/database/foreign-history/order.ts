/** Orders the rows of a table that keeps no order of its own (no rank, no time) by version. */
import type { Migration } from '../../migrations/types';
import { classifyFile, compareVersionKeys } from '../../migrations/version';
import { matchMigration } from './description';
import type { ForeignEntry } from './reader';

export function byVersion(entries: ForeignEntry[], migrations: Migration[]): ForeignEntry[] {
  return entries.sort((a, b) => compareVersionKeys(entryKey(a.version, migrations) ?? [], entryKey(b.version, migrations) ?? []));
}

function entryKey(version: string, migrations: Migration[]): number[] | undefined {
  const m = matchMigration(version, migrations);
  return m ? m.versionKey : classifyFile(`${version}.sql`)?.versionKey;
}
