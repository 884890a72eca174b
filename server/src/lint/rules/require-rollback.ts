import type { ParsedSection, Rule } from '../types';
import { rollbackPlacements } from '../rollback-placement';
import { changesDatabase, generateRollback } from '../rollback-generator';

/**
 * A migration without a rollback turns a bad deploy into an outage: there is nothing to run, and
 * the reversal gets written by hand under pressure. The fix writes one with "Generate rollback".
 */
const rule: Rule = {
  id: 'require-rollback',
  defaultSeverity: 'warning',
  summary: 'A migration without a down section or rollback file cannot be rolled back.',
  lint(unit, report) {
    // Prisma, Drizzle, up-only sqlx files...: no down by design, unless lint.rollbacks is "require".
    if (!unit.execution.downsByDesign) return;
    const up = unit.up;
    // Reported on the up section: the engine keeps the finding in the up file's lint only.
    if (!up) return;
    // Prisma, Drizzle, Supabase and sqlx up-only files have no down migrations by design.
    if (!unit.execution.downsByDesign) return;
    if (unit.down && unit.down.statements.length > 0) return;
    // Queries, settings and text that does not parse leave nothing to roll back.
    if (!up.statements.some(changesDatabase)) return;
    const first = up.statements[0];
    const lineEnd = up.file.text.indexOf('\n', first.start);
    const end = Math.min(first.end, lineEnd < 0 ? first.end : lineEnd);
    const missing = unit.down ? `its ${unit.down.file.path === up.file.path ? 'down section' : 'rollback file'} is empty` : 'it has no down section or rollback file';
    report({
      section: up,
      statement: first,
      start: first.start,
      end,
      message: `This migration cannot be rolled back: ${missing}. Add the statements that undo it ("Generate rollback" writes them).`,
      fixes: () => rollbackPlacements(unit, up, downText(up)),
    });
  },
};

function downText(up: ParsedSection): string {
  const { sql } = generateRollback(up);
  return sql || '-- TODO: nothing in the up section could be reversed automatically; write the rollback here.\n';
}

export default rule;
