/**
 * The workspace lint's worker thread (dist/workspace-lint-worker.js; background-linters.ts starts
 * it): lints the chunks of migration files the language server sends and answers each with their
 * diagnostics, so a whole project is linted beside the server's thread, which keeps answering the
 * open files, instead of in slices between them.
 *
 * Every file is linted as the server would lint it (lintDocument with the server's config and the
 * open documents' texts winning over the disk) within one steady-disk batch, as `tidemark lint`
 * runs: each folder is read and the earlier migrations' context built once. A `disk-changed`
 * message, sent before the chunks that follow a file event, starts a new batch.
 */
import { parentPort } from 'node:worker_threads';
import type { Diagnostic } from 'vscode-languageserver';
import { forgetEarlierMigrations } from '../lint/earlier-migrations';
import { keepFewerParsedSections } from '../lint/unit';
import { lenientDiskReader, type FileReader } from '../migrations/discovery';
import { SteadyDisk, withSteadyDisk } from '../migrations/steady-disk';
import { ensureParser, unavailableParseCount } from '../sql/parse';
import { limitTextCaches } from '../sql/text-cache';
import { lintDocument } from './diagnostics';
import { pathToUri } from './open-documents';
import type { ProjectConfig } from './workspace-config';

export type LinterRequest =
  | {
      kind: 'lint';
      id: number;
      docsBase: string;
      /** The configs the files use (each file names one by index). */
      configs: ProjectConfig[];
      files: Array<{ path: string; config: number }>;
      /** The open documents' texts, which win over the disk for the files the lints read. */
      open: Array<[path: string, text: string]>;
    }
  /** Files changed on disk: what was read from it is read again. */
  | { kind: 'disk-changed' };

/** A linted file: `diagnostics` undefined when it could not be read (gone). */
export interface LintedFile {
  path: string;
  diagnostics?: Diagnostic[];
}

export type LinterReply = {
  kind: 'linted';
  id: number;
  /**
   * The LintedFile[] as UTF-8 JSON, moved (transferred) to the server's thread: a structured clone
   * of thousands of small diagnostic objects, or even of one long string, cost more than linting them.
   */
  results: Uint8Array;
  /** Rules or lints that failed, for the server's log. */
  errors: string[];
};

/**
 * A worker lints each file about once and in order: the caches an editor keeps for re-lints on
 * every keystroke would only hold the trees of the whole project (the CLI's lint does the same).
 */
const TEXT_CACHE_CHARS = 32 * 1024;
const PARSED_SECTIONS = 8;

let batch = new SteadyDisk();
/** Chunks run one after the other: each waits for the parser, and a trap's recovery, in turn. */
let queue: Promise<void> = Promise.resolve();

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

async function lintChunk(request: Extract<LinterRequest, { kind: 'lint' }>): Promise<LinterReply> {
  const open = new Map(request.open);
  const reader: FileReader = { read: (path) => open.get(path) ?? lenientDiskReader.read(path) };
  const results: LintedFile[] = [];
  const errors: string[] = [];
  for (const { path, config } of request.files) {
    // A parse that found no parser instance (after a trap) is redone once the parser is back.
    for (let round = 0; ; round++) {
      await ensureParser();
      const missed = unavailableParseCount();
      const result = withSteadyDisk(batch, () => lintFile(path, request.configs[config], request.docsBase, reader, errors));
      if (unavailableParseCount() === missed || round >= 20) {
        results.push(result);
        break;
      }
    }
  }
  return { kind: 'linted', id: request.id, results: new TextEncoder().encode(JSON.stringify(results)), errors };
}

function lintFile(path: string, config: ProjectConfig, docsBase: string, reader: FileReader, errors: string[]): LintedFile {
  const text = reader.read(path);
  if (text === undefined) return { path };
  try {
    const result = lintDocument({ uri: pathToUri(path), version: 0, path, text }, reader, config, docsBase, (rule, error) =>
      errors.push(`rule ${rule} failed on ${path}: ${describe(error)}`),
    );
    return { path, diagnostics: result.diagnostics };
  } catch (error) {
    errors.push(`linting ${path} failed: ${describe(error)}`);
    return { path, diagnostics: [] };
  }
}

if (parentPort) {
  limitTextCaches(TEXT_CACHE_CHARS);
  keepFewerParsedSections(PARSED_SECTIONS);
  const port = parentPort;
  port.on('message', (request: LinterRequest) => {
    if (request.kind === 'disk-changed') {
      // Ordered with the chunks: the ones sent after the event read the disk again.
      queue = queue.then(() => {
        batch = new SteadyDisk();
        forgetEarlierMigrations();
      });
      return;
    }
    queue = queue.then(
      () => lintChunk(request).then((reply) => port.postMessage(reply, [reply.results.buffer as ArrayBuffer])),
      () => undefined,
    );
  });
}
