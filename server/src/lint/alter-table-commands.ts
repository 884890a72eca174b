/**
 * The commands of every ALTER TABLE in a section, each with the exact range of its clause, so a
 * rule can underline `ALTER COLUMN c SET NOT NULL` rather than the whole statement.
 */
import type { AlterTableCmd, AlterTableStmt } from '@pgsql/types';
import { alterTableCommandRanges, bodyRange, type TextRange } from '../sql/clauses';
import type { Statement } from '../sql/statements';
import type { ParsedSection } from './types';

export interface AlterTableCommand {
  statement: Statement;
  alter: AlterTableStmt;
  cmd: AlterTableCmd;
  /** Position of the command in the statement's command list. */
  index: number;
  /** The command's clause, or the whole statement when the text could not be matched to the tree. */
  range: TextRange;
  /** Ranges of all commands of the statement, when matched. */
  ranges?: TextRange[];
}

const cache = new WeakMap<ParsedSection, AlterTableCommand[]>();

/** ALTER TABLE commands of the section's statements (DO block and function bodies included), in order. */
export function alterTableCommands(section: ParsedSection): readonly AlterTableCommand[] {
  let commands = cache.get(section);
  if (!commands) {
    // Computed once per section: most safety rules walk the same commands.
    commands = [...findCommands(section)];
    cache.set(section, commands);
  }
  return commands;
}

function* findCommands(section: ParsedSection): Generator<AlterTableCommand> {
  for (const statement of section.statementsWithEmbedded) {
    const alter = (statement.node as { AlterTableStmt?: AlterTableStmt } | undefined)?.AlterTableStmt;
    if (!alter?.relation || (alter.objtype !== undefined && alter.objtype !== 'OBJECT_TABLE')) continue;
    const cmds = (alter.cmds ?? []).map((item) => (item as { AlterTableCmd?: AlterTableCmd }).AlterTableCmd);
    const ranges = alterTableCommandRanges(statement, alter.relation, cmds.length);
    const whole = bodyRange(statement);
    for (let index = 0; index < cmds.length; index++) {
      const cmd = cmds[index];
      if (cmd) yield { statement, alter, cmd, index, range: ranges?.[index] ?? whole, ranges };
    }
  }
}
