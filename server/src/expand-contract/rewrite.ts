/**
 * The quick fix "Rewrite as expand/contract…": which change an unsafe statement stands for (a
 * column rename, a type change, SET NOT NULL, a NOT NULL column added without a default), read
 * from its parse tree, and what stays in the migration in its place.
 */
import type { AlterTableCmd, AlterTableStmt, ColumnDef, Constraint, RenameStmt } from '@pgsql/types';
import type { ExpandContractChange } from '../protocol';
import { qualifiedName } from '../sql/names';
import type { Statement } from '../sql/statements';
import { sqlTokens } from '../sql/tokens';

/** The rules whose findings the rewrite answers. */
export const REWRITABLE_RULES: ReadonlySet<string> = new Set(['renaming-column', 'changing-column-type', 'adding-not-nullable-field', 'adding-required-field']);

export interface RewriteProposal {
  change: ExpandContractChange;
  /** What the user still has to give: set-not-null's fill value. */
  needs: Array<'fill'>;
  /** What stays in the statement's place; undefined: the statement goes (a comment names the phases). */
  replacement?: string;
}

/** The change `statement` stands for, when it is one ALTER the generator can take over. */
export function proposeRewrite(statement: Statement, rule: string): RewriteProposal | undefined {
  if (!REWRITABLE_RULES.has(rule)) return undefined;
  const node = statement.node as { RenameStmt?: RenameStmt; AlterTableStmt?: AlterTableStmt } | undefined;
  if (rule === 'renaming-column') {
    const r = node?.RenameStmt;
    if (!r || r.renameType !== 'OBJECT_COLUMN' || !r.relation || !r.subname || !r.newname) return undefined;
    return { change: { kind: 'rename-column', args: [qualifiedName(r.relation), r.subname, r.newname] }, needs: [] };
  }
  const alter = node?.AlterTableStmt;
  // One command only: the others would have to stay, in an order the phases cannot keep.
  if (!alter?.relation || alter.cmds?.length !== 1) return undefined;
  const table = qualifiedName(alter.relation);
  const cmd = (alter.cmds[0] as { AlterTableCmd?: AlterTableCmd }).AlterTableCmd;
  if (!cmd) return undefined;
  if (rule === 'changing-column-type' && cmd.subtype === 'AT_AlterColumnType' && cmd.name) {
    const written = typeAndUsing(statement.text);
    if (!written) return undefined;
    return { change: { kind: 'change-type', args: [table, cmd.name, written.type], ...(written.using ? { using: written.using } : {}) }, needs: [] };
  }
  if (rule === 'adding-not-nullable-field' && cmd.subtype === 'AT_SetNotNull' && cmd.name) {
    return { change: { kind: 'set-not-null', args: [table, cmd.name] }, needs: ['fill'] };
  }
  if (rule === 'adding-required-field' && cmd.subtype === 'AT_AddColumn') {
    const def = (cmd.def as { ColumnDef?: ColumnDef } | undefined)?.ColumnDef;
    const constraints = (def?.constraints ?? []).map((c) => (c as { Constraint?: Constraint }).Constraint?.contype);
    // Only NOT NULL makes it required here; a column with other constraints is left to the user.
    if (!def?.colname || constraints.some((c) => c !== 'CONSTR_NOTNULL')) return undefined;
    const nullable = withoutNotNull(statement.text);
    if (!nullable) return undefined;
    return { change: { kind: 'set-not-null', args: [table, def.colname] }, needs: ['fill'], replacement: nullable };
  }
  return undefined;
}

/** `TYPE x [USING expr]` of `ALTER TABLE t ALTER [COLUMN] c [SET DATA] TYPE x [USING expr]`, as written. */
function typeAndUsing(text: string): { type: string; using?: string } | undefined {
  const tokens = sqlTokens(text);
  // The keyword TYPE, not a column named "type" (the word after ALTER [COLUMN]).
  const at = tokens.findIndex((t, i) => t.kind === 'word' && t.value === 'type' && !['alter', 'column'].includes(tokens[i - 1]?.value ?? ''));
  if (at < 0) return undefined;
  const using = tokens.findIndex((t, i) => i > at && t.kind === 'word' && t.value === 'using');
  const collate = tokens.findIndex((t, i) => i > at && t.kind === 'word' && t.value === 'collate');
  if (collate >= 0) return undefined;
  const end = text.replace(/;\s*$/, '').length;
  const typeEnd = using >= 0 ? tokens[using].start : end;
  const type = text.slice(tokens[at].end, typeEnd).trim();
  return type ? { type, ...(using >= 0 ? { using: text.slice(tokens[using].end, end).trim() } : {}) } : undefined;
}

/** The statement without its `NOT NULL`. */
function withoutNotNull(text: string): string | undefined {
  const tokens = sqlTokens(text);
  const at = tokens.findIndex((t, i) => t.kind === 'word' && t.value === 'not' && tokens[i + 1]?.kind === 'word' && tokens[i + 1].value === 'null');
  if (at < 0) return undefined;
  return `${text.slice(0, tokens[at].start).trimEnd()}${text.slice(tokens[at + 1].end)}`;
}
