/**
 * How migration files are read from disk: as UTF-8, without the byte order mark some Windows
 * editors write. VS Code hides that mark from the text it gives the language server, so stripping
 * it here keeps the CLI's and the runner's positions and checksums the same as the editor's; left
 * in, PostgreSQL reads it as part of the first word ("syntax error at or near \uFEFFALTER").
 * Text that is not UTF-8 is refused, naming where, rather than sent to the server garbled.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { steadyFacts } from './steady-disk';
import { listedAsFile } from './listing';

const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

export class FileEncodingError extends Error {
  private readonly detail: string;

  constructor(
    readonly path: string,
    /** 1-based, of the first byte that is not UTF-8. */
    readonly line: number,
    readonly column: number,
    byte: number,
  ) {
    const detail = `not UTF-8 text (byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')}); save the file as UTF-8`;
    super(`${path}:${line}:${column}: ${detail}`);
    this.detail = detail;
  }

  /** The message with the path relative to `folder` (the working or project folder), as front ends show paths. */
  relativeTo(folder: string): string {
    return `${relative(folder, this.path) || this.path}:${this.line}:${this.column}: ${this.detail}`;
  }
}

/** The file's text; throws FileEncodingError when it is not UTF-8, and fs errors as they come. */
export function readTextFile(path: string): string {
  const text = readTextFileLenient(path);
  // Bytes that are not UTF-8 read as U+FFFD: only a text holding one can be other than its strict
  // decoding (or hold the character itself), and only then are the bytes decoded strictly.
  return text.includes('\uFFFD') ? decodeText(readFileSync(regularFile(path, steadyFacts())), path) : text;
}

/** The steady-disk key of a file's lenient text: readTextFileLenient and readTextsLenient keep one text per file. */
const textKey = (path: string) => `text:${path}`;

/**
 * The file's text with bytes that are not UTF-8 replaced (U+FFFD): for reading context, never for
 * running. In a batch lint (steady-disk.ts) read once, though its folder's discovery, its layout's
 * detection and its own lint each ask.
 */
export function readTextFileLenient(path: string): string {
  const facts = steadyFacts();
  if (!facts) return readLenient(path, undefined);
  const key = textKey(path);
  let text = facts.get(key) as string | undefined;
  if (text === undefined) facts.set(key, (text = readLenient(path, facts)));
  return text;
}

/**
 * Node's own UTF-8 reading replaces bytes that are not UTF-8 as the decoder does, without a
 * buffer per file (a folder's detection reads thousands); the decoder drops a byte order mark.
 */
function readLenient(path: string, facts: Map<string, unknown> | undefined): string {
  return withoutByteOrderMark(readFileSync(regularFile(path, facts), 'utf8'));
}

const withoutByteOrderMark = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/**
 * The texts of regular files (`names` in `folder`, as its listing found them), read as
 * readTextFileLenient reads each but without its per-file lookups (the batch, a path join, the
 * listing's word that each is a regular file): a folder's detection reads every .sql file of
 * folders of thousands. In a batch each is kept for readTextFileLenient; a file that cannot be
 * read is left out (its own read then fails as it would have).
 */
export function readTextsLenient(folder: string, names: readonly string[]): Map<string, string> {
  const facts = steadyFacts();
  const texts = new Map<string, string>();
  // join(folder, name) for every name, as other readers key the same files, without joining each.
  const base = join(folder, 'x').slice(0, -1);
  for (const name of names) {
    const path = base + name;
    const key = textKey(path);
    let text = facts?.get(key) as string | undefined;
    if (text === undefined) {
      try {
        text = withoutByteOrderMark(readFileSync(path, 'utf8'));
      } catch {
        continue;
      }
      facts?.set(key, text);
    }
    texts.set(name, text);
  }
  return texts;
}

/**
 * Reading a FIFO or a device would block or never end: only regular files are read. A file a
 * folder listing of the same batch found regular is not asked again.
 */
function regularFile(path: string, facts: Map<string, unknown> | undefined): string {
  if (!listedAsFile(path, facts) && !statSync(path).isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTREGULAR' });
  return path;
}

export function decodeText(bytes: Uint8Array, path: string): string {
  try {
    return strict.decode(bytes);
  } catch {
    const at = firstInvalidByte(bytes);
    const lineStart = bytes.lastIndexOf(0x0a, at - 1) + 1;
    let line = 1;
    for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
    // Everything before `at` decodes: its length is the column, in the editor's UTF-16 units.
    const column = lenient.decode(bytes.subarray(lineStart, at)).length + 1;
    throw new FileEncodingError(path, line, column, bytes[at]);
  }
}

/** Index of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    // Sequence length and the allowed range of the second byte (no overlongs, surrogates or > U+10FFFF).
    const [length, low, high] =
      b < 0x80
        ? [1, 0, 0]
        : b >= 0xc2 && b <= 0xdf
          ? [2, 0x80, 0xbf]
          : b === 0xe0
            ? [3, 0xa0, 0xbf]
            : b === 0xed
              ? [3, 0x80, 0x9f]
              : b >= 0xe1 && b <= 0xef
                ? [3, 0x80, 0xbf]
                : b === 0xf0
                  ? [4, 0x90, 0xbf]
                  : b >= 0xf1 && b <= 0xf3
                    ? [4, 0x80, 0xbf]
                    : b === 0xf4
                      ? [4, 0x80, 0x8f]
                      : [0, 0, 0];
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      const [min, max] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (next === undefined || next < min || next > max) return i;
    }
    i += length;
  }
  return bytes.length - 1;
}

export interface FileReader {
  /** Text of a file, preferring an editor's unsaved copy when there is one. */
  read(path: string): string | undefined;
}

/** Files as they are on disk; a file that cannot be read is missing, one that is not UTF-8 throws FileEncodingError. */
export const diskReader: FileReader = {
  read(path) {
    try {
      return readTextFile(path);
    } catch (error) {
      if (error instanceof FileEncodingError) throw error;
      return undefined;
    }
  },
};

/** As diskReader, but bytes that are not UTF-8 read as U+FFFD: for files read as context while linting another. */
export const lenientDiskReader: FileReader = {
  read(path) {
    try {
      return readTextFileLenient(path);
    } catch {
      return undefined;
    }
  },
};
