import type { Rule } from '../types';
import { transactionControl, transactionIncompatibility } from '../../sql/transaction';

/** Transaction control that ends or opens the runner's transaction; SAVEPOINT and friends nest fine. */
const CONSEQUENCES: Record<string, string> = {
  BEGIN: 'a BEGIN here would only draw "there is already a transaction in progress"',
  START: 'a START TRANSACTION here would only draw "there is already a transaction in progress"',
  COMMIT: 'a COMMIT here would end that transaction early, so a failure after it would leave the migration half-applied and unrecorded',
  ROLLBACK: 'a ROLLBACK here would throw away everything before it while the rest still ran and the migration was recorded as applied',
  PREPARE: 'PREPARE TRANSACTION would take that transaction away from the session, history record included',
  'COMMIT PREPARED': 'COMMIT PREPARED cannot run inside a transaction block at all',
  'ROLLBACK PREPARED': 'ROLLBACK PREPARED cannot run inside a transaction block at all',
};

/**
 * BEGIN/COMMIT/ROLLBACK written into a migration the runner already wraps in a transaction (no
 * `-- tidemark:no-transaction`, and no statement that forces statement-by-statement execution).
 * The runner skips a BEGIN that opens the section and a COMMIT/END that closes it — a file
 * written for psql — and refuses to apply a migration with transaction control anywhere else.
 */
const rule: Rule = {
  id: 'transaction-nesting',
  defaultSeverity: 'error',
  summary: 'BEGIN/COMMIT/ROLLBACK inside a migration the runner already runs in a transaction.',
  lint(unit, report) {
    // Only where the runner itself wraps the file (execution.transaction 'wrapped'): a file that
    // opens and commits its own transaction ('own': golang-migrate and sqitch files, and any file
    // Tidemark's runner runs as written) is atomic because of that BEGIN/COMMIT, and deleting them
    // would take that away.
    if (unit.execution.transaction !== 'wrapped') return;
    const runner = `the ${unit.execution.layout} runner`;
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      // With a CONCURRENTLY/VACUUM... the runner runs statements one by one: BEGIN/COMMIT are then real.
      if (section.statements.some((s) => transactionIncompatibility(s.node))) continue;
      const statements = section.statements.filter((s) => s.node);
      statements.forEach((statement, i) => {
        const control = transactionControl(statement.node);
        const consequence = control && CONSEQUENCES[control];
        if (!consequence) return;
        const wraps = (i === 0 && (control === 'BEGIN' || control === 'START')) || (i === statements.length - 1 && control === 'COMMIT');
        const text = section.file.text;
        // Delete the statement with its line when nothing else is on it.
        const lineStart = text.lastIndexOf('\n', statement.start - 1) + 1;
        const before = text.slice(lineStart, statement.start);
        const after = /^[ \t]*(\r?\n|$)/.exec(text.slice(statement.end));
        const edit =
          before.trim() === '' && after ? { start: lineStart, end: statement.end + after[0].length, newText: '' } : { start: statement.start, end: statement.end, newText: '' };
        const fix = { title: `Delete ${control}`, edits: [edit], preferred: true };
        report({
          section,
          statement,
          message: wraps
            ? `${capitalised(runner)} already runs this migration in one transaction together with its history record (Tidemark's runner too, which skips a ${control} that ${i === 0 ? 'opens' : 'closes'} the section): delete it so the file says what runs (run through psql or another tool, the ${control} would split the migration from its record).`
            : `${capitalised(runner)} runs this migration in a transaction (Tidemark's runner refuses to apply it with ${control} in the middle): ${consequence}. Delete the ${control}, or add -- tidemark:no-transaction if the migration manages its own transactions.`,
          fixes: [fix],
        });
      });
    }
  },
};
function capitalised(text: string): string {
  return text[0].toUpperCase() + text.slice(1);
}

export default rule;
