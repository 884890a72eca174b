import type { Rule } from '../types';
import { transactionControl, transactionIncompatibility } from '../../sql/transaction';

/** Transaction control that ends or opens the runner's transaction; SAVEPOINT and friends nest fine. */
const CONSEQUENCES: Record<string, string> = {
  BEGIN: 'BEGIN inside it only draws the warning "there is already a transaction in progress", and the COMMIT that usually follows ends the runner\'s transaction early',
  START: 'START TRANSACTION inside it only draws the warning "there is already a transaction in progress", and the COMMIT that usually follows ends the runner\'s transaction early',
  COMMIT: 'COMMIT ends that transaction early; the statements after it and the history record run in another one, so a failure after it leaves the migration half-applied',
  ROLLBACK: 'ROLLBACK throws away everything the migration did before it, yet the statements after it still run and the migration is recorded as applied',
  PREPARE: 'PREPARE TRANSACTION takes the runner\'s transaction away from the session, so nothing after it (history record included) is part of the migration',
  'COMMIT PREPARED': 'COMMIT PREPARED cannot run inside a transaction block at all',
  'ROLLBACK PREPARED': 'ROLLBACK PREPARED cannot run inside a transaction block at all',
};

/**
 * BEGIN/COMMIT/ROLLBACK written into a migration the runner already wraps in a transaction (no
 * `-- tidemark:no-transaction`, and no statement that forces statement-by-statement execution).
 */
const rule: Rule = {
  id: 'transaction-nesting',
  defaultSeverity: 'error',
  summary: 'BEGIN/COMMIT/ROLLBACK inside a migration the runner already runs in a transaction.',
  check(unit, report) {
    if (unit.noTransactionDirective) return;
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      // With a CONCURRENTLY/VACUUM... the runner runs statements one by one: BEGIN/COMMIT are then real.
      if (section.statements.some((s) => transactionIncompatibility(s.node))) continue;
      for (const statement of section.statements) {
        const control = transactionControl(statement.node);
        const consequence = control && CONSEQUENCES[control];
        if (!consequence) continue;
        const text = section.file.text;
        // Delete the statement with its line when nothing else is on it.
        const lineStart = text.lastIndexOf('\n', statement.start - 1) + 1;
        const before = text.slice(lineStart, statement.start);
        const after = /^[ \t]*(\r?\n|$)/.exec(text.slice(statement.end));
        const wholeLine = before.trim() === '' && after;
        const edit = wholeLine
          ? { start: lineStart, end: statement.end + after[0].length, newText: '' }
          : { start: statement.start, end: statement.end, newText: '' };
        report({
          section,
          statement,
          message: `The runner already runs this migration in a transaction: ${consequence}. Delete the ${control}, or add -- tidemark:no-transaction if the migration manages its own transactions.`,
          fixes: [{ title: `Delete ${control}`, edits: [edit], preferred: true }],
        });
      }
    }
  },
};
export default rule;
