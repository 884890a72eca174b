/**
 * What a folder holds and what each entry is, as the layout readers and the linter see it. A
 * batch (steady-disk.ts) lists each folder once: detection, discovery and the linter's lookups of
 * one run all ask about the same folders, thousands of entries each in a large repository.
 */
import { lstatSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { steadyValue } from './steady-disk';

export type EntryKind = 'file' | 'folder' | 'not-a-file' | 'dangling-link';

export interface FolderEntry {
  name: string;
  kind: EntryKind;
}

interface Listing {
  /** Sorted by name. */
  entries: FolderEntry[];
  /** Names of the regular files among them. */
  files: Set<string>;
}

const listingKey = (dir: string) => `listing:${dir}`;

/** Entries of `dir`, sorted by name; empty when it cannot be listed. In a batch listed once: read the array, never change it. */
export function listEntries(dir: string): FolderEntry[] {
  return steadyValue(listingKey(dir), () => readListing(dir)).entries;
}

/** Whether a listing of the batch (`facts`: steadyFacts()) found `path` a regular file: then reading it needs no stat of its own. */
export function listedAsFile(path: string, facts: Map<string, unknown> | undefined): boolean {
  const listing = facts?.get(listingKey(dirname(path))) as Listing | undefined;
  return listing?.files.has(basename(path)) ?? false;
}

function readListing(dir: string): Listing {
  let dirents: Dirent[];
  try {
    dirents = readdirSync(dir, { withFileTypes: true });
  } catch {
    return { entries: [], files: new Set() };
  }
  // The listing already says what each entry is (Node asks lstat where the file system does not):
  // only symbolic links are followed with a stat of their own, as a folder of thousands of
  // migrations otherwise costs thousands of stat calls per listing.
  const entries = dirents.map((d): FolderEntry => ({ name: d.name, kind: direntKind(dir, d) }));
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { entries, files: new Set(entries.filter((e) => e.kind === 'file').map((e) => e.name)) };
}

function direntKind(dir: string, d: Dirent): EntryKind {
  if (d.isSymbolicLink()) return entryKind(join(dir, d.name));
  return d.isFile() ? 'file' : d.isDirectory() ? 'folder' : 'not-a-file';
}

/** What a path is, following symbolic links as the tools do; never opens it. */
export function entryKind(path: string): EntryKind {
  try {
    const stat = statSync(path);
    return stat.isFile() ? 'file' : stat.isDirectory() ? 'folder' : 'not-a-file';
  } catch {
    try {
      return lstatSync(path).isSymbolicLink() ? 'dangling-link' : 'not-a-file';
    } catch {
      return 'not-a-file';
    }
  }
}
