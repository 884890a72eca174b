import type { RangeVar } from '@pgsql/types';
import type { Rule } from '../types';
import { statementTokens } from '../../sql/clauses';
import { qualifiedName } from '../../sql/names';
import { indexCreatedEarlier, tableCreatedEarlier } from '../created-in-migration';

import type { AstNode } from '../../sql/ast';

const KIND_WORD: Record<string, string> = {
  REINDEX_OBJECT_INDEX: 'index',
  REINDEX_OBJECT_TABLE: 'table',
  REINDEX_OBJECT_SCHEMA: 'schema',
  REINDEX_OBJECT_DATABASE: 'database',
};

/**
 * A plain REINDEX holds SHARE on the table (writes wait) and ACCESS EXCLUSIVE on each index it
 * rebuilds (queries that would use it wait) for the whole rebuild. REINDEX CONCURRENTLY
 * (PostgreSQL 12+) builds a new index beside the old one and swaps them, letting traffic through.
 */
const rule: Rule = {
  id: 'require-concurrent-reindex',
  defaultSeverity: 'warning',
  summary: 'REINDEX without CONCURRENTLY blocks writes to the table (and reads through the index) during the rebuild.',
  lint(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      for (const statement of section.statementsWithEmbedded) {
        const reindex = (statement.node as { ReindexStmt?: AstNode } | undefined)?.ReindexStmt;
        if (!reindex) continue;
        const concurrent = (reindex.params ?? []).some((p: AstNode) => p?.DefElem?.defname === 'concurrently' && p.DefElem.arg?.Boolean?.boolval !== false);
        const word = KIND_WORD[reindex.kind as string];
        // REINDEX SYSTEM cannot run concurrently.
        if (concurrent || !word) continue;
        const relation = reindex.relation as RangeVar | undefined;
        if (relation) {
          const name = { schema: relation.schemaname, name: relation.relname! };
          if (word === 'index' ? indexCreatedEarlier(section, statement, name) : tableCreatedEarlier(section, statement, relation)) continue;
        }
        const target = relation ? `${word} ${qualifiedName(relation)}` : `${word} ${reindex.name ?? ''}`.trim();
        const tokens = statementTokens(statement);
        const keyword = tokens.findIndex((t) => t.kind === 'word' && t.value === word);
        const at = keyword >= 0 ? statement.start + tokens[keyword].end : undefined;
        report({
          section,
          statement,
          message: `REINDEX ${target} without CONCURRENTLY blocks writes to the table and every query that would use the ${word === 'index' ? 'index' : 'indexes'} until the rebuild ends; use REINDEX ${word.toUpperCase()} CONCURRENTLY (PostgreSQL 12+; it cannot run in a transaction, so Tidemark then runs the migration statement by statement).`,
          fixes: at === undefined || statement.embedding ? [] : [{ title: 'Reindex CONCURRENTLY', preferred: true, edits: [{ start: at, end: at, newText: ' CONCURRENTLY' }] }],
        });
      }
    }
  },
};
export default rule;
