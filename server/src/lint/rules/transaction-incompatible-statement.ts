import type { Rule } from '../types';
import type { Statement } from '../../sql/statements';
import { nodeType } from '../../sql/statements';
import { transactionControl, transactionIncompatibility } from '../../sql/transaction';

const OPENS = new Set(['BEGIN', 'START']);
const CLOSES = new Set(['COMMIT', 'ROLLBACK', 'PREPARE']);
/** Session settings change nothing a failure could leave behind. */
const WITHOUT_EFFECT = new Set(['VariableSetStmt', 'VariableShowStmt', 'TransactionStmt']);

/**
 * Statements PostgreSQL refuses in a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, ALTER
 * SYSTEM, CREATE DATABASE...). Three ways a migration gets them wrong:
 * - after an explicit BEGIN in the file: PostgreSQL rejects the statement;
 * - inside a DO block or function: PL/pgSQL always runs inside a transaction, same error;
 * - next to other statements: the runner has to run the migration statement by statement
 *   (autocommit), so a failure part-way leaves the earlier statements applied.
 */
const rule: Rule = {
  id: 'transaction-incompatible-statement',
  defaultSeverity: 'error',
  summary: 'A statement that cannot run in a transaction block is inside one, or shares its migration with other statements.',
  lint(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const statement of section.statementsWithEmbedded) {
        if (!statement.embedding) continue;
        const reason = transactionIncompatibility(statement.node);
        if (reason)
          report({
            section,
            statement,
            message: `${reason} cannot run inside a DO block or function: PL/pgSQL always runs inside a transaction, so PostgreSQL rejects it ("cannot be executed from a function" / "cannot run inside a transaction block"). Write it as a top-level statement.`,
          });
      }

      const withEffect = section.statements.filter((s) => s.node && !WITHOUT_EFFECT.has(nodeType(s.node)!));
      let openedBy: Statement | undefined;
      for (const statement of section.statements) {
        const control = transactionControl(statement.node);
        if (control && OPENS.has(control)) openedBy = statement;
        else if (control && CLOSES.has(control)) openedBy = undefined;
        const reason = transactionIncompatibility(statement.node);
        if (!reason) continue;
        if (openedBy) {
          const line = section.file.positionAt(openedBy.start).line + 1;
          report({
            section,
            statement,
            message: `${reason} cannot run inside the transaction opened by ${transactionControl(openedBy.node)} on line ${line}: PostgreSQL rejects it with "cannot run inside a transaction block". Move it after the COMMIT, or into a migration of its own.`,
          });
          continue;
        }
        // `-- tidemark:no-transaction` says the author chose statement-by-statement execution.
        // So does a layout whose runner was told to run the file outside a transaction (goose NO TRANSACTION...).
        if (unit.noTransactionDirective || unit.execution.transaction === 'none') continue;
        const others = withEffect.length - (withEffect.includes(statement) ? 1 : 0);
        if (others === 0) continue;
        report({
          section,
          statement,
          message: `${reason} cannot run inside a transaction, so the runner runs this migration statement by statement (autocommit) instead of in one transaction: if ${others === 1 ? 'the other statement' : `one of the ${others} other statements`} fails, what ran before stays applied and the migration is left half-applied (the runner resumes at the failed statement). Put ${reason} in a migration of its own.`,
        });
      }
    }
  },
};
export default rule;
