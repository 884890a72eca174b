import type { DropStmt } from '@pgsql/types';
import type { Fix, Rule } from '../types';
import { bodyRange, statementTokens } from '../../sql/clauses';
import { objectEffects, renderName } from '../../sql/objects';
import { findWord } from '../../sql/tokens';
import { indexCreatedEarlier } from '../created-in-migration';
import { createdByUp } from '../reversal';
import { lineLayout } from '../statement-rewrite';

/**
 * DROP INDEX takes ACCESS EXCLUSIVE on the index's table: quick once granted, but while it waits
 * for running queries every new read and write of the table queues behind it.
 */
const rule: Rule = {
  id: 'require-concurrent-index-deletion',
  defaultSeverity: 'warning',
  summary: 'DROP INDEX without CONCURRENTLY locks the table against reads and writes.',
  lint(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const statement of section.statementsWithEmbedded) {
        const drop = (statement.node as { DropStmt?: DropStmt } | undefined)?.DropStmt;
        if (drop?.removeType !== 'OBJECT_INDEX' || drop.concurrent) continue;
        const indexes = objectEffects(statement.node)
          .map((e) => e.object)
          .filter((index) => !indexCreatedEarlier(section, statement, index) && !(section.kind === 'down' && createdByUp(unit, index)));
        if (indexes.length === 0) continue;
        const names = indexes.map(renderName).join(', ');
        report({
          section,
          statement,
          ...bodyRange(statement),
          message: `Dropping index ${names} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table: while it waits for running queries, every read and write of the table queues behind it; use DROP INDEX CONCURRENTLY (one index per statement, no CASCADE, outside a transaction: Tidemark then runs the migration statement by statement).`,
          fixes: statement.embedding ? [] : concurrentFix(section.file.text, statement, drop),
        });
      }
    }
  },
};

function concurrentFix(text: string, statement: Parameters<typeof bodyRange>[0], drop: DropStmt): Fix[] {
  // CONCURRENTLY refuses CASCADE: removing dependents is a decision the author makes.
  if (drop.behavior === 'DROP_CASCADE') return [];
  const objects = objectEffects(statement.node).map((e) => e.object);
  const title = 'Drop the index CONCURRENTLY';
  if (objects.length === 1) {
    const tokens = statementTokens(statement);
    const k = findWord(tokens, 'index');
    if (k < 0) return [];
    const at = statement.start + tokens[k].end;
    return [{ title, preferred: true, edits: [{ start: at, end: at, newText: ' CONCURRENTLY' }] }];
  }
  // CONCURRENTLY drops one index per statement.
  const ifExists = drop.missing_ok ? 'IF EXISTS ' : '';
  const body = bodyRange(statement);
  const { indent, eol } = lineLayout(text, statement);
  return [
    {
      title: 'Drop each index CONCURRENTLY in its own statement',
      preferred: true,
      edits: [{ start: body.start, end: body.end, newText: objects.map((o) => `DROP INDEX CONCURRENTLY ${ifExists}${renderName(o)}`).join(`;${eol}${indent}`) }],
    },
  ];
}
export default rule;
