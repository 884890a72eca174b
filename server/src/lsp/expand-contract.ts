/**
 * Expand/contract in the editor: the quick fix "Rewrite as expand/contract…" on the findings of
 * an unsafe rename, type change or NOT NULL (it runs the client's New Expand/Contract Change
 * command with the change read from the statement), and the request that command sends, which
 * writes the phases and, for a quick fix, replaces the statement.
 */
import { basename, isAbsolute } from 'node:path';
import { CodeActionKind, LSPErrorCodes, ResponseError, type CodeAction, type Connection, type Diagnostic } from 'vscode-languageserver';
import { RunnerInputError } from '../database/environments';
import { generateExpandContract, isChangeKind } from '../expand-contract/generate';
import { proposeRewrite, REWRITABLE_RULES } from '../expand-contract/rewrite';
import { ExpandContractRequest, type ExpandContractChange, type ExpandContractRewrite } from '../protocol';
import type { CodeActionContext } from './code-actions';
import { DIAGNOSTIC_SOURCE, type DiagnosticData } from './diagnostics';
import { uriToPath, type OpenDocuments } from './open-documents';
import type { WorkspaceConfigs } from './workspace-config';

/** The client command the quick fix runs (client/src/command-ids.ts: newExpandContract). */
export const NEW_EXPAND_CONTRACT_COMMAND = 'tidemark.newExpandContract';
export const REWRITE_TITLE = 'Rewrite as expand/contract…';

/** What the quick fix hands the client command. */
export interface RewriteArgument {
  change: ExpandContractChange;
  needs: Array<'fill'>;
  rewrite: ExpandContractRewrite;
}

export function expandContractActions(diagnostics: readonly Diagnostic[], ctx: CodeActionContext): CodeAction[] {
  if (ctx.only && !ctx.only.some((o) => CodeActionKind.QuickFix === o || CodeActionKind.QuickFix.startsWith(`${o}.`))) return [];
  const actions: CodeAction[] = [];
  const seen = new Set<number>();
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== DIAGNOSTIC_SOURCE || !REWRITABLE_RULES.has(String(diagnostic.code))) continue;
    const data = diagnostic.data as DiagnosticData | undefined;
    if (data?.version !== ctx.version) continue;
    const finding = ctx.findings[data.finding];
    if (!finding || finding.rule !== diagnostic.code) continue;
    // The up section only: a down or verify section is not where a change is made.
    const statement = ctx.unit.up?.statements.find((s) => s.start <= finding.start && finding.start < s.end);
    if (!statement || seen.has(statement.start)) continue;
    const proposal = proposeRewrite(statement, finding.rule);
    if (!proposal) continue;
    seen.add(statement.start);
    const argument: RewriteArgument = {
      change: proposal.change,
      needs: proposal.needs,
      rewrite: {
        uri: ctx.documents.uriOf(ctx.file.path),
        version: ctx.version,
        range: { start: ctx.file.positionAt(statement.start), end: ctx.file.positionAt(statement.end) },
        ...(proposal.replacement ? { replacement: proposal.replacement } : {}),
      },
    };
    actions.push({
      title: REWRITE_TITLE,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      command: { title: REWRITE_TITLE, command: NEW_EXPAND_CONTRACT_COMMAND, arguments: [argument] },
    });
  }
  return actions;
}

export function registerExpandContractHandler(connection: Connection, docs: OpenDocuments, configs: WorkspaceConfigs): void {
  connection.onRequest(ExpandContractRequest.type, async ({ root, change, rewrite }) => {
    try {
      if (!change || typeof change.kind !== 'string' || !isChangeKind(change.kind)) throw new RunnerInputError(`unknown expand/contract kind "${String(change?.kind)}"`);
      if (!Array.isArray(change.args) || change.args.some((a) => typeof a !== 'string')) throw new RunnerInputError('the change needs "args": a list of names');
      if (!rewrite) {
        if (typeof root !== 'string' || !isAbsolute(root)) throw new RunnerInputError('the request needs "root" (the project folder, an absolute path) or "rewrite"');
        const result = await generateExpandContract(root, undefined, change, new Date(), docs);
        return { phases: result.phases, notes: result.notes };
      }
      const path = uriToPath(rewrite.uri);
      const doc = docs.byPath(path);
      if (!doc || doc.version !== rewrite.version) throw new RunnerInputError(`${basename(path)} changed since the quick fix was offered: run it again`);
      const start = doc.offsetAt(rewrite.range.start);
      const end = doc.offsetAt(rewrite.range.end);
      const text = doc.getText();
      const without = `${text.slice(0, start)}${rewrite.replacement ?? ''}${text.slice(end)}`;
      const project = configs.forFile(path);
      const result = await generateExpandContract(project.root, project.path, change, new Date(), { read: (p) => (p === path ? without : docs.read(p)) });
      const newText = rewrite.replacement ?? `-- Rewritten as an expand/contract change (${change.kind}): ${result.phases.map((p) => basename(p.files[0])).join(', ')}`;
      return { phases: result.phases, notes: result.notes, edit: { uri: rewrite.uri, version: rewrite.version, range: rewrite.range, newText } };
    } catch (error) {
      if (error instanceof RunnerInputError) throw new ResponseError(LSPErrorCodes.RequestFailed, error.message);
      throw error;
    }
  });
}
