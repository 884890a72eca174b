/**
 * Tidemark: New Expand/Contract Change…: asks the kind of change and its arguments (each input
 * checked as it is typed, the problem named), has the language server write the three phases in
 * the project's layout, and opens them. The quick fix "Rewrite as expand/contract…" runs it with
 * the change read from the unsafe statement: then only what the statement cannot say is asked
 * (the value a NULL becomes), and the statement is replaced in the editor and saved.
 */
import * as vscode from 'vscode';
import { ExpandContractRequest, type ExpandContractChange, type ExpandContractRewrite } from '../../server/src/protocol';
import type { CommandContext } from './commands';

type Kind = ExpandContractChange['kind'];
type Field = 'table' | 'column' | 'column2' | 'newName' | 'newName2' | 'type' | 'using' | 'fill' | 'first' | 'second' | 'join';

interface Prompt {
  field: Field;
  prompt: string;
  placeholder: string;
  check: (value: string) => string | undefined;
  optional?: boolean;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const identifier = (what: string) => (value: string) =>
  !value.trim()
    ? `Give the ${what}`
    : !IDENTIFIER.test(value.trim())
      ? `"${value.trim()}" is not a plain SQL identifier: the ${what} takes letters, digits, _ and $, not starting with a digit`
      : Buffer.byteLength(value.trim()) > 63
        ? `"${value.trim()}" is longer than PostgreSQL's 63 bytes`
        : undefined;
const tableName = (value: string) => {
  const parts = value.trim().split('.');
  if (!value.trim()) return 'Give the table, e.g. users or app.users';
  if (parts.length > 2) return `"${value.trim()}" has more than one dot: write TABLE or SCHEMA.TABLE`;
  return parts.map((p) => identifier('table')(p)).find(Boolean);
};
const expression = (example: string) => (value: string) => (value.trim() ? undefined : `Give an SQL expression, e.g. ${example}`);

const P = {
  table: { field: 'table', prompt: 'Table (TABLE or SCHEMA.TABLE)', placeholder: 'users', check: tableName },
  column: { field: 'column', prompt: 'Column', placeholder: 'email', check: identifier('column') },
} satisfies Record<string, Prompt>;

/** What each kind asks, in the order `tidemark new --expand-contract KIND` takes it. */
const KINDS: Record<Kind, { label: string; detail: string; prompts: Prompt[] }> = {
  'rename-column': {
    label: 'Rename a column',
    detail: 'new column + two-way sync trigger → backfill → drop the old column',
    prompts: [P.table, P.column, { field: 'newName', prompt: 'New name of the column', placeholder: 'email_address', check: identifier('new name') }],
  },
  'change-type': {
    label: "Change a column's type",
    detail: 'new column of the new type, synced → backfill → swap names',
    prompts: [
      P.table,
      P.column,
      { field: 'type', prompt: 'New type', placeholder: 'bigint', check: (v) => (v.trim() ? undefined : 'Give the new type, e.g. bigint or numeric(12,2)') },
      { field: 'using', prompt: 'USING: the new value from the old column (empty: a plain cast)', placeholder: 'amount::bigint', check: () => undefined, optional: true },
    ],
  },
  'set-not-null': {
    label: 'Make a column NOT NULL',
    detail: 'CHECK NOT VALID + fill trigger → backfill NULLs → validate, SET NOT NULL',
    prompts: [P.table, P.column, fillPrompt()],
  },
  'rename-table': {
    label: 'Rename a table',
    detail: 'view under the new name → rename, view under the old name → drop the view',
    prompts: [P.table, { field: 'newName', prompt: 'New name of the table', placeholder: 'members', check: identifier('new name') }],
  },
  'split-column': {
    label: 'Split a column into two',
    detail: 'e.g. name → first_name, last_name, each derived from the other side',
    prompts: [
      P.table,
      { ...P.column, prompt: 'Column to split', placeholder: 'name' },
      { field: 'newName', prompt: 'First new column', placeholder: 'first_name', check: identifier('first new column') },
      { field: 'newName2', prompt: 'Second new column', placeholder: 'last_name', check: identifier('second new column') },
      { field: 'first', prompt: 'The first part, from the column being split', placeholder: "split_part(name, ' ', 1)", check: expression("split_part(name, ' ', 1)") },
      { field: 'second', prompt: 'The second part, from the column being split', placeholder: "split_part(name, ' ', 2)", check: expression("split_part(name, ' ', 2)") },
      { field: 'join', prompt: 'The old column, from the two parts', placeholder: "first_name || ' ' || last_name", check: expression("first_name || ' ' || last_name") },
    ],
  },
  'merge-columns': {
    label: 'Merge two columns into one',
    detail: 'e.g. first_name, last_name → name, each derived from the other side',
    prompts: [
      P.table,
      { ...P.column, prompt: 'First column to merge', placeholder: 'first_name' },
      { field: 'column2', prompt: 'Second column to merge', placeholder: 'last_name', check: identifier('second column') },
      { field: 'newName', prompt: 'The merged column', placeholder: 'name', check: identifier('merged column') },
      { field: 'join', prompt: 'The merged value, from the two columns', placeholder: "first_name || ' ' || last_name", check: expression("first_name || ' ' || last_name") },
      { field: 'first', prompt: 'The first column, from the merged one', placeholder: "split_part(name, ' ', 1)", check: expression("split_part(name, ' ', 1)") },
      { field: 'second', prompt: 'The second column, from the merged one', placeholder: "split_part(name, ' ', 2)", check: expression("split_part(name, ' ', 2)") },
    ],
  },
};

function fillPrompt(): Prompt {
  return {
    field: 'fill',
    prompt: 'The value a NULL becomes (an SQL expression), for existing rows and for writers not yet setting it',
    placeholder: "'unknown'",
    check: expression("'unknown' or 0 or now()"),
  };
}

/** The positionals of each kind, from the answers. */
const POSITIONALS: Record<Kind, Field[]> = {
  'rename-column': ['table', 'column', 'newName'],
  'change-type': ['table', 'column', 'type'],
  'set-not-null': ['table', 'column'],
  'rename-table': ['table', 'newName'],
  'split-column': ['table', 'column', 'newName', 'newName2'],
  'merge-columns': ['table', 'column', 'column2', 'newName'],
};

/** The quick fix's argument (server/src/lsp/expand-contract.ts RewriteArgument). */
interface FromQuickFix {
  change: ExpandContractChange;
  needs: Array<'fill'>;
  rewrite: ExpandContractRewrite;
}

function isFromQuickFix(arg: unknown): arg is FromQuickFix {
  const a = arg as FromQuickFix | undefined;
  return typeof a === 'object' && a !== null && typeof a.change?.kind === 'string' && typeof a.rewrite?.uri === 'string';
}

/** Asks one value; undefined when the user cancels. */
async function ask(prompt: Prompt, title: string, step: number, steps: number): Promise<string | undefined> {
  const value = await vscode.window.showInputBox({
    title: `${title} (${step}/${steps})`,
    prompt: prompt.prompt,
    placeHolder: prompt.placeholder,
    ignoreFocusOut: true,
    validateInput: (v) => prompt.check(v),
  });
  return value === undefined ? undefined : value.trim();
}

async function pickRoot(ctx: CommandContext): Promise<string | undefined> {
  if (ctx.store.all.length === 0) await ctx.store.refresh();
  const roots = ctx.store.all.map((p) => p.root);
  if (roots.length === 1) return roots[0];
  if (roots.length > 1) return vscode.window.showQuickPick(roots, { title: 'New expand/contract change in which project?' });
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('open a folder first: the change is written into its migrations');
  return folder.uri.fsPath;
}

/** Asks everything from the palette: the project, the kind, its arguments. */
async function changeFromPrompts(ctx: CommandContext): Promise<{ root: string; change: ExpandContractChange } | undefined> {
  const root = await pickRoot(ctx);
  if (!root) return undefined;
  const picked = await vscode.window.showQuickPick(
    (Object.entries(KINDS) as Array<[Kind, (typeof KINDS)[Kind]]>).map(([kind, k]) => ({ label: k.label, description: kind, detail: k.detail, change: kind })),
    { title: 'New expand/contract change', placeHolder: 'What change, made while old and new code run side by side?', ignoreFocusOut: true },
  );
  if (!picked) return undefined;
  const { prompts, label } = KINDS[picked.change];
  const answers: Partial<Record<Field, string>> = {};
  for (const [i, prompt] of prompts.entries()) {
    const value = await ask(prompt, label, i + 1, prompts.length);
    if (value === undefined) return undefined;
    if (value || !prompt.optional) answers[prompt.field] = value;
  }
  const change: ExpandContractChange = { kind: picked.change, args: POSITIONALS[picked.change].map((f) => answers[f]!) };
  for (const flag of ['using', 'fill', 'first', 'second', 'join'] as const) if (answers[flag]) change[flag] = answers[flag];
  return { root, change };
}

export async function newExpandContract(ctx: CommandContext, arg: unknown): Promise<void> {
  let params: { root?: string; change: ExpandContractChange; rewrite?: ExpandContractRewrite };
  if (isFromQuickFix(arg)) {
    const change = { ...arg.change };
    if (arg.needs.includes('fill')) {
      const fill = await ask(fillPrompt(), `Make ${change.args[0]}.${change.args[1]} NOT NULL`, 1, 1);
      if (fill === undefined) return;
      change.fill = fill;
    }
    params = { change, rewrite: arg.rewrite };
  } else {
    const asked = await changeFromPrompts(ctx);
    if (!asked) return;
    params = asked;
  }
  ctx.log.info(`expand/contract: ${JSON.stringify(params.change)}`);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Tidemark: writing the phases of ${params.change.kind} ${params.change.args.join(' ')}` },
    () => ctx.client.sendRequest(ExpandContractRequest.type, params),
  );
  if (result.edit) {
    const uri = vscode.Uri.parse(result.edit.uri);
    const edit = new vscode.WorkspaceEdit();
    const { start, end } = result.edit.range;
    edit.replace(uri, new vscode.Range(start.line, start.character, end.line, end.character), result.edit.newText);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`the phases are written, but the statement in ${uri.fsPath} could not be replaced: remove it by hand`);
    // The phases were generated against the migration without the statement: keep the disk in step.
    await (await vscode.workspace.openTextDocument(uri)).save();
  }
  for (const phase of result.phases) {
    ctx.log.info(`created ${phase.role} ${phase.version}: ${phase.files.join(', ')}`);
    await vscode.window.showTextDocument(vscode.Uri.file(phase.files[0]), { preview: false, preserveFocus: phase !== result.phases[0] });
  }
  for (const note of result.notes) ctx.log.info(`note: ${note}`);
  const versions = result.phases.map((p) => `${p.role} ${p.version}`).join(', ');
  void vscode.window
    .showInformationMessage(`Tidemark: wrote ${versions}.${result.notes.length ? ` ${result.notes.length} note(s) in the log.` : ''}`, ...(result.notes.length ? ['Show Log'] : []))
    .then((c) => c && ctx.log.show());
}
