/**
 * Whole-run records for `tidemark lint --cache`: what one invocation printed, kept with the file
 * system signature of everything it read, so an identical invocation on an unchanged tree prints
 * the same bytes without loading the linter, the config schema or the per-file cache.
 *
 * The per-file cache (lint-cache.ts) already parses nothing on an unchanged repo, but it still
 * loads the lint bundle, parses the config, hashes every file and reads every finding: ~75 ms over
 * Node's own start-up on 200 files (docs/lint-cache.md has the figures). A record is checked with
 * one stat per input instead, as git trusts its index: an input is unchanged when its device,
 * inode, mode, size, mtime and ctime (nanoseconds) all are. ctime cannot be set back by a user
 * or a tool, so a content change always shows.
 *
 * A signature cannot show an edit made within the file system's timestamp granularity of the
 * moment it was taken (git's "racily clean" files). So a run records only when every input is
 * older than RACY_WINDOW_MS before the run began, which covers file systems that keep whole or
 * even-numbered seconds; a run right after an edit takes the per-file path and records nothing.
 *
 * This module knows no lint rule or config: the caller says which files and folders the run
 * depended on. A folder input stands for its listing and every file in it and in its immediate
 * subfolders (a migrations folder with rollback/ or down/).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';

export const RUN_RECORDS_FOLDER = 'runs';
/** Bumped when the layout of a record changes. */
const RECORD_FORMAT = 1;
export const RACY_WINDOW_MS = 2000;
/** Records kept per cache folder (one per distinct invocation); the oldest are removed. */
const MAX_RECORDS = 16;

export interface RecordedRun {
  /** Bytes, when replayed: written as they were kept, not decoded and encoded again. */
  stdout: string | Buffer;
  stderr: string;
  exitCode: number;
}

/** What a run read: files (present or not, e.g. config files looked for) and folders. */
export interface RunInputs {
  files: readonly string[];
  folders: readonly string[];
}

interface RecordFile {
  format: number;
  /** The invocation itself: a key collision only costs a re-run. */
  invocation: string;
  /** Path → signature, for every input file, folder and file inside an input folder. */
  inputs: Record<string, string>;
  /** The file beside this one that holds the run's stdout. */
  stdoutFile: string;
  stderr: string;
  exitCode: number;
}

/**
 * An invocation's record name and identity. The name is 64 bits from two FNV-1a-style 32-bit
 * lanes (the second also mixes in each position), not a cryptographic hash: loading node:crypto alone costs a replayed run ~3 ms, and the record keeps
 * the invocation to compare, so two invocations with one name only overwrite each other.
 */
export function runRecordKey(invocation: unknown): { name: string; invocation: string } {
  const text = JSON.stringify(invocation);
  let low = 0x811c9dc5;
  let high = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    low = Math.imul(low ^ c, 0x01000193) >>> 0;
    high = Math.imul(high ^ (c + i), 0x01000193) >>> 0;
  }
  return { name: high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0'), invocation: text };
}

export type RunRecordKey = ReturnType<typeof runRecordKey>;

function statOf(path: string): BigIntStats | undefined {
  try {
    return statSync(path, { bigint: true, throwIfNoEntry: false });
  } catch {
    // ENOTDIR and the like: a path through a file cannot exist.
    return undefined;
  }
}

function signatureOf(stat: BigIntStats | undefined): string {
  if (!stat) return 'absent';
  return `${stat.dev}:${stat.ino}:${stat.mode}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
}

/** The recorded run of `key` when every input still has its recorded signature, else undefined. */
export function replayRecordedRun(cacheDir: string, key: RunRecordKey): RecordedRun | undefined {
  const folder = join(cacheDir, RUN_RECORDS_FOLDER);
  let record: RecordFile;
  try {
    record = JSON.parse(readFileSync(join(folder, `${key.name}.json`), 'utf8')) as RecordFile;
  } catch {
    return undefined;
  }
  if (record?.format !== RECORD_FORMAT || record.invocation !== key.invocation || typeof record.inputs !== 'object' || typeof record.stdoutFile !== 'string') return undefined;
  for (const [path, signature] of Object.entries(record.inputs)) {
    if (signatureOf(statOf(path)) !== signature) return undefined;
  }
  try {
    return { stdout: readFileSync(join(folder, record.stdoutFile)), stderr: String(record.stderr ?? ''), exitCode: Number(record.exitCode) };
  } catch {
    return undefined;
  }
}

/**
 * Records `run` under `key` when every input is older than the racy window before `startedAt`
 * (Date.now() when the run began, before it read anything). Failing to write is not an error:
 * the next run takes the per-file path.
 */
export function recordRun(cacheDir: string, key: RunRecordKey, run: RecordedRun, inputs: RunInputs, startedAt: number): void {
  const signatures: Record<string, string> = {};
  const newest = { ms: 0 };
  const add = (path: string, stat: BigIntStats | undefined) => {
    signatures[path] = signatureOf(stat);
    if (stat) newest.ms = Math.max(newest.ms, Number(stat.mtimeMs), Number(stat.ctimeMs));
    return stat;
  };
  for (const path of inputs.files) add(path, statOf(path));
  for (const folder of inputs.folders) addFolder(folder, 1, add);
  if (newest.ms >= startedAt - RACY_WINDOW_MS) return;

  const folder = join(cacheDir, RUN_RECORDS_FOLDER);
  const stdoutFile = `${key.name}.${process.pid}-${Date.now()}.out`;
  const record: RecordFile = { format: RECORD_FORMAT, invocation: key.invocation, inputs: signatures, stdoutFile, stderr: run.stderr, exitCode: run.exitCode };
  try {
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, stdoutFile), run.stdout);
    // The record names its output file and is renamed into place last: a reader sees the old
    // record with the old output, or the new one with the new.
    const temporary = join(folder, `${key.name}.${process.pid}.tmp`);
    writeFileSync(temporary, JSON.stringify(record));
    renameSync(temporary, join(folder, `${key.name}.json`));
    pruneRecords(folder, key.name, stdoutFile);
  } catch {
    // Not recorded: see above.
  }
}

function addFolder(folder: string, depth: number, add: (path: string, stat: BigIntStats | undefined) => BigIntStats | undefined): void {
  const stat = add(folder, statOf(folder));
  if (!stat?.isDirectory()) return;
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(folder, entry);
    const entryStat = statOf(path);
    if (entryStat?.isDirectory()) {
      if (depth > 0) addFolder(path, depth - 1, add);
    } else {
      add(path, entryStat);
    }
  }
}

/** Removes this key's older outputs and, beyond MAX_RECORDS, the least recently written records. */
function pruneRecords(folder: string, key: string, currentStdout: string): void {
  const names = readdirSync(folder);
  for (const name of names) {
    if (name.startsWith(`${key}.`) && name.endsWith('.out') && name !== currentStdout) rmSync(join(folder, name), { force: true });
  }
  const records = names
    .filter((name) => name.endsWith('.json'))
    .map((name) => ({ name, mtime: statOf(join(folder, name))?.mtimeMs ?? 0n }))
    .sort((a, b) => (a.mtime < b.mtime ? 1 : a.mtime > b.mtime ? -1 : 0));
  for (const { name } of records.slice(MAX_RECORDS)) {
    const stem = name.slice(0, -'.json'.length);
    for (const other of names) if (other === name || (other.startsWith(`${stem}.`) && other.endsWith('.out'))) rmSync(join(folder, other), { force: true });
  }
}
