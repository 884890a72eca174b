/**
 * The commands of every ALTER TABLE in a section, each with the exact range of its clause, so a
 * rule can underline `ALTER COLUMN c SET NOT NULL` rather than the whole statement.
 */
import type { AlterTableCmd, AlterTableStmt } from '@pgsql/types';
import { alterTableCommandRanges, bodyRange, type TextRange } from '../sql/clauses';
import type { Statement } from '../sql/statements';
import type { ParsedSection } from './types';

/**
 * One command of an ALTER TABLE. Its clause's range is worked out on first use: rules filter
 * commands by kind first and need the range only for the few they report.
 */
export class AlterTableCommand {
  constructor(
    readonly statement: Statement,
    readonly alter: AlterTableStmt,
    readonly cmd: AlterTableCmd,
    /** Position of the command in the statement's command list. */
    readonly index: number,
    private readonly clauses: StatementClauses,
  ) {}

  /** The command's clause, or the whole statement when the text could not be matched to the tree. */
  get range(): TextRange {
    return this.clauses.ranges()?.[this.index] ?? this.clauses.whole();
  }

  /** Ranges of all commands of the statement, when matched. */
  get ranges(): TextRange[] | undefined {
    return this.clauses.ranges();
  }
}

/** The clause ranges of one ALTER TABLE statement, computed once for all its commands. */
class StatementClauses {
  private commandRanges?: { value: TextRange[] | undefined };
  private body?: TextRange;

  constructor(
    private readonly statement: Statement,
    private readonly alter: AlterTableStmt,
    private readonly commandCount: number,
  ) {}

  ranges(): TextRange[] | undefined {
    this.commandRanges ??= { value: commandRanges(this.statement, this.alter, this.commandCount) };
    return this.commandRanges.value;
  }

  whole(): TextRange {
    return (this.body ??= bodyRange(this.statement));
  }
}

/**
 * Command ranges relative to the statement's start, per tree: an edit moves the statements after
 * it, and their ranges were found again from their tokens on every keystroke. Only for top-level
 * statements: one in a DO block is placed by its block (its offsets may be inexact).
 */
const relativeRanges = new WeakMap<AlterTableStmt, readonly TextRange[] | null>();

function commandRanges(statement: Statement, alter: AlterTableStmt, commandCount: number): TextRange[] | undefined {
  if (statement.embedding) return alterTableCommandRanges(statement, alter.relation, commandCount);
  let relative = relativeRanges.get(alter);
  if (relative === undefined) {
    const found = alterTableCommandRanges(statement, alter.relation, commandCount);
    relative = found?.map((r) => ({ start: r.start - statement.start, end: r.end - statement.start })) ?? null;
    relativeRanges.set(alter, relative);
  }
  return relative?.map((r) => ({ start: statement.start + r.start, end: statement.start + r.end }));
}

interface SectionCommands {
  /** Of every statement PostgreSQL parses as AlterTableStmt: tables, and foreign tables, types, views... */
  all: AlterTableCommand[];
  tables: AlterTableCommand[];
  byStatement?: Map<Statement, AlterTableCommand[]>;
}

const cache = new WeakMap<ParsedSection, SectionCommands>();

function sectionCommands(section: ParsedSection): SectionCommands {
  let commands = cache.get(section);
  if (!commands) {
    // Computed once per section: most safety rules walk the same commands.
    const all = [...findCommands(section)];
    const tables = all.filter(({ alter }) => alter.objtype === undefined || alter.objtype === 'OBJECT_TABLE');
    commands = { all, tables };
    cache.set(section, commands);
  }
  return commands;
}

/** ALTER TABLE commands of the section's statements (DO block and function bodies included), in order. */
export function alterTableCommands(section: ParsedSection): readonly AlterTableCommand[] {
  return sectionCommands(section).tables;
}

/**
 * The commands of one statement PostgreSQL parses as ALTER TABLE: of a table, but also ALTER
 * FOREIGN TABLE, ALTER TYPE ... ADD ATTRIBUTE and the like (none for any other statement).
 */
export function commandsOfStatement(section: ParsedSection, statement: Statement): readonly AlterTableCommand[] {
  const commands = sectionCommands(section);
  let map = commands.byStatement;
  if (!map) {
    map = new Map();
    for (const command of commands.all) {
      const list = map.get(command.statement);
      if (list) list.push(command);
      else map.set(command.statement, [command]);
    }
    commands.byStatement = map;
  }
  return map.get(statement) ?? [];
}

function* findCommands(section: ParsedSection): Generator<AlterTableCommand> {
  for (const statement of section.statementsWithEmbedded) {
    const alter = (statement.node as { AlterTableStmt?: AlterTableStmt } | undefined)?.AlterTableStmt;
    if (!alter?.relation) continue;
    const cmds = (alter.cmds ?? []).map((item) => (item as { AlterTableCmd?: AlterTableCmd }).AlterTableCmd);
    const clauses = new StatementClauses(statement, alter, cmds.length);
    for (let index = 0; index < cmds.length; index++) {
      const cmd = cmds[index];
      if (cmd) yield new AlterTableCommand(statement, alter, cmd, index, clauses);
    }
  }
}
