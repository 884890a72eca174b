/**
 * Finds the Tidemark projects in the workspace: folders holding tidemark.json, else workspace
 * folders with a migrations/ folder of SQL files (the server's default layout), else workspace
 * folders holding a marker file of a layout Tidemark reads (`markerGlobs`: the manifest's
 * `workspaceContains` activation events — a Prisma, Drizzle, diesel or Supabase repository, whose
 * migrations folder the server finds from the root).
 */
import * as vscode from 'vscode';
import * as path from 'node:path';

const excluded = '{**/node_modules/**,**/.git/**,**/.tidemark/**}';

export async function findProjectRoots(markerGlobs: readonly string[] = []): Promise<string[]> {
  const roots = new Set<string>();
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    const configs = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/tidemark.json'), excluded, 20);
    for (const config of configs) roots.add(path.dirname(config.fsPath));
    if (configs.length > 0) continue;
    const sql = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '{migrations/**/*.sql,**/migrations/*.sql}'), excluded, 1);
    if (sql.length > 0) {
      const migrations = sql[0].fsPath.slice(0, sql[0].fsPath.lastIndexOf(`${path.sep}migrations${path.sep}`));
      roots.add(migrations || folder.uri.fsPath);
      continue;
    }
    if (markerGlobs.length && (await vscode.workspace.findFiles(new vscode.RelativePattern(folder, `{${markerGlobs.join(',')}}`), excluded, 1)).length > 0)
      roots.add(folder.uri.fsPath);
  }
  return [...roots].sort();
}
