import type { ParsedSection, Rule } from '../types';
import { statementTokens, type TextRange } from '../../sql/clauses';
import { nodeType } from '../../sql/statements';
import { alterTableCommands } from '../alter-table-commands';
import { reversesUp } from '../reversal';
import type { Statement } from '../../sql/statements';

/**
 * CASCADE removes whatever depends on the dropped or truncated object — views, foreign keys,
 * other tables' rows — without naming any of it in the migration. Without it PostgreSQL refuses
 * and lists the dependents, which is the review the migration needs.
 */
const rule: Rule = {
  id: 'ban-cascade',
  defaultSeverity: 'warning',
  summary: 'DROP or TRUNCATE ... CASCADE silently removes dependent objects or rows.',
  lint(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const statement of section.statementsWithEmbedded) {
        const type = nodeType(statement.node);
        const body = (statement.node as Record<string, { behavior?: string }> | undefined)?.[type ?? ''];
        if ((type === 'DropStmt' || type === 'TruncateStmt') && body?.behavior === 'DROP_CASCADE') {
          if (section.kind === 'down' && reversesUp(unit, statement)) continue;
          const what =
            type === 'TruncateStmt'
              ? 'TRUNCATE ... CASCADE also empties every table with a foreign key to these tables'
              : 'DROP ... CASCADE also drops every view, foreign key, default and other object that depends on it';
          reportCascade(section, statement, { start: statement.start, end: statement.end }, what, report);
        }
      }
      for (const command of alterTableCommands(section)) {
        const { statement, cmd } = command;
        if (cmd.behavior !== 'DROP_CASCADE' || (cmd.subtype !== 'AT_DropColumn' && cmd.subtype !== 'AT_DropConstraint')) continue;
        if (section.kind === 'down' && reversesUp(unit, statement)) continue;
        const what = `dropping ${cmd.subtype === 'AT_DropColumn' ? 'column' : 'constraint'} ${cmd.name} with CASCADE also drops the views, indexes and constraints that depend on it`;
        reportCascade(section, statement, command.range, what, report);
      }
    }
  },
};

function reportCascade(section: ParsedSection, statement: Statement, within: TextRange, what: string, report: Parameters<Rule['lint']>[1]): void {
  const tokens = statementTokens(statement);
  const cascade = tokens.filter((t) => t.kind === 'word' && t.value === 'cascade' && statement.start + t.start >= within.start && statement.start + t.end <= within.end).pop();
  const start = cascade ? statement.start + cascade.start : within.start;
  const end = cascade ? statement.start + cascade.end : within.end;
  // Removing the keyword (and the space before it) makes PostgreSQL refuse and list the dependents instead.
  const spaceBefore = cascade ? statement.text.slice(0, cascade.start).match(/\s*$/)![0].length : 0;
  report({
    section,
    statement,
    start,
    end,
    message: `CASCADE: ${what}, none of it named in this migration; drop the dependents explicitly, then drop without CASCADE so PostgreSQL refuses if anything still depends on it.`,
    fixes: cascade && !statement.embedding ? [{ title: 'Remove CASCADE', edits: [{ start: start - spaceBefore, end, newText: '' }] }] : [],
  });
}
export default rule;
