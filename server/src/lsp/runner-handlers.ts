/**
 * The runner's custom requests (protocol.ts: status, apply, verify, rollback, plan, history,
 * diff, new migration, environments), registered on the language server's connection.
 */
import type { Connection } from 'vscode-languageserver';

export function registerRunnerHandlers(_connection: Connection): void {
  // Built by the runner work.
}
