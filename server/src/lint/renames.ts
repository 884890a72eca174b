/**
 * RENAME statements of tables and columns, shared by the renaming rules: where the RENAME clause
 * is, and whether a down section's rename just undoes one the up made.
 */
import type { RenameStmt } from '@pgsql/types';
import { bodyRange, statementTokens, type TextRange } from '../sql/clauses';
import { findWord, tokenAt } from '../sql/tokens';
import type { Statement } from '../sql/statements';
import { reversesUp } from './reversal';
import type { LintUnit, ParsedSection } from './types';

export function renameOf(statement: Statement): RenameStmt | undefined {
  return (statement.node as { RenameStmt?: RenameStmt } | undefined)?.RenameStmt;
}

/** `RENAME [COLUMN] a TO b`: from the RENAME keyword after the relation to the end of the statement. */
export function renameClauseRange(statement: Statement, rename: RenameStmt): TextRange {
  const body = bodyRange(statement);
  const tokens = statementTokens(statement);
  const from = rename.relation?.location !== undefined ? tokenAt(tokens, statement.offsetOf(rename.relation.location) - statement.start) : 0;
  const k = findWord(tokens, 'rename', from);
  return k < 0 ? body : { start: statement.start + tokens[k].start, end: body.end };
}

/** The down section renames back what the up renamed: the rollback doing its job. */
export function undoesUpRename(unit: LintUnit, section: ParsedSection, statement: Statement): boolean {
  return section.kind === 'down' && reversesUp(unit, statement);
}
