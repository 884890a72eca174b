/**
 * The editor's open documents seen as files: the engine reads companion files (a migration's down
 * file, tidemark.json) through a FileReader, and unsaved editor text must win over the disk.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { lenientDiskReader, type FileReader } from '../migrations/discovery';

/** The file-system path of a document URI; untitled documents get a stable pseudo path. */
export function uriToPath(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      // Fall through: a malformed file URI is treated like a non-file document.
    }
  }
  return `/__untitled__/${encodeURIComponent(uri)}`;
}

export function pathToUri(path: string): string {
  return pathToFileURL(path).href;
}

export class OpenDocuments implements FileReader {
  readonly documents = new TextDocuments(TextDocument);
  /** Path → URI as the client spelt it (clients encode URIs differently from Node). */
  private readonly uriByPath = new Map<string, string>();

  constructor() {
    this.documents.onDidOpen((e) => this.uriByPath.set(uriToPath(e.document.uri), e.document.uri));
    this.documents.onDidClose((e) => this.uriByPath.delete(uriToPath(e.document.uri)));
  }

  byPath(path: string): TextDocument | undefined {
    const uri = this.uriByPath.get(path);
    return uri ? this.documents.get(uri) : undefined;
  }

  /** The URI to use for a path: the open document's own spelling, else a file URI. */
  uriOf(path: string): string {
    return this.uriByPath.get(path) ?? pathToUri(path);
  }

  read(path: string): string | undefined {
    return this.byPath(path)?.getText() ?? lenientDiskReader.read(path);
  }

  all(): TextDocument[] {
    return this.documents.all();
  }
}
