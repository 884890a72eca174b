/**
 * Fixes that take one command out of an ALTER TABLE and replace it with a sequence of statements:
 * the whole statement when it is the command's only one, else the command is cut from the list
 * and the sequence follows the statement.
 */
import { relationRange } from '../sql/clauses';
import { relationName, renderName } from '../sql/objects';
import type { AlterTableCommand } from './alter-table-commands';
import { bodyRange, commandRemovalRange } from '../sql/clauses';
import { insertAfter, lineLayout } from './statement-rewrite';
import type { TextEdit } from './types';

/** The table as the statement wrote it (`public."Orders"`), for statements a fix adds. */
export function tableAsWritten(fileText: string, command: AlterTableCommand): string {
  const range = relationRange(command.statement, command.alter.relation!);
  return range ? fileText.slice(range.start, range.end) : renderName(relationName(command.alter.relation));
}

/**
 * Edits replacing `command` by `statements` (each without its semicolon); undefined when the
 * command's text could not be located exactly.
 */
export function replaceCommandWithStatements(fileText: string, command: AlterTableCommand, statements: string[]): TextEdit[] | undefined {
  if (command.statement.embedding) return undefined;
  const { ranges, statement, index } = command;
  if (!ranges) return undefined;
  if (ranges.length === 1) {
    const body = bodyRange(statement);
    const { indent, eol } = lineLayout(fileText, statement);
    return [{ start: body.start, end: body.end, newText: statements.join(`;${eol}${indent}`) }];
  }
  const removal = commandRemovalRange(ranges, index)!;
  return [{ start: removal.start, end: removal.end, newText: '' }, insertAfter(fileText, statement, statements)];
}

/** A constraint name PostgreSQL accepts: at most 63 bytes, like its own generated names. */
export function constraintName(...parts: string[]): string {
  const name = parts.filter(Boolean).join('_');
  return Buffer.byteLength(name) <= 63
    ? name
    : Buffer.from(name)
        .subarray(0, 63)
        .toString('utf8')
        .replace(/\uFFFD+$/, '');
}
