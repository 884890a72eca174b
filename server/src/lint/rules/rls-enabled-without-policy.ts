import type { Rule } from '../types';
import { groupByName, relationName, renderName, sameName } from '../../sql/objects';
import { hasExactPositions } from '../../sql/embedded';
import { statementTokens } from '../../sql/clauses';
import { fileRange } from '../../sql/token-ranges';
import { policyDefinition } from '../policies';
import { earlierCatalog, type EarlierCatalog } from '../earlier-migrations';
import type { ParsedSection } from '../types';
import type { QualifiedName } from '../../sql/objects';
import type { Statement } from '../../sql/statements';

import type { AstNode } from '../../sql/ast';

/** `ENABLE ROW LEVEL SECURITY` as written in the statement, for the underline. */
function enableClause(statement: Statement): { start: number; end: number } | undefined {
  if (!hasExactPositions(statement)) return undefined;
  const tokens = statementTokens(statement);
  const words = ['enable', 'row', 'level', 'security'];
  for (let k = 0; k + 3 < tokens.length; k++) {
    if (words.every((w, i) => tokens[k + i].kind === 'word' && tokens[k + i].value === w)) return fileRange(statement, tokens, k, k + 3);
  }
  return undefined;
}

function policyTablesOf(section: ParsedSection): QualifiedName[] {
  return section.statementsWithEmbedded.flatMap((s) => {
    const policy = policyDefinition(s);
    return policy ? [relationName(policy.table)] : [];
  });
}

/** The section's policy tables by name, for the earlier migrations' catalog. */
function policyTableEntries(section: ParsedSection): Array<[string, QualifiedName]> {
  return policyTablesOf(section).map((table) => [table.name, table]);
}

/** Whether any of the tables (grouped by groupByName) is `table`. */
function includesTable(tables: Map<string, QualifiedName[]>, table: QualifiedName): boolean {
  return (tables.get(table.name) ?? []).some((t) => sameName(t, table));
}

/**
 * Policies count when this migration or an earlier one (same folder, lower version) creates them.
 *
 * Enabling row level security without any policy: PostgreSQL then applies default-deny to every
 * role but the table owner (and superusers and BYPASSRLS roles), so the application's queries
 * silently return no rows and its writes fail — the owner's psql session looks fine.
 */
const rule: Rule = {
  id: 'rls-enabled-without-policy',
  defaultSeverity: 'warning',
  readsEarlierMigrations: true,
  summary: 'ENABLE ROW LEVEL SECURITY with no CREATE POLICY for that table in this or an earlier migration.',
  lint(unit, report) {
    const section = unit.up;
    if (!section) return;
    const byName = (tables: QualifiedName[]) => groupByName(tables, (t) => t);
    const policyTables = byName(policyTablesOf(section));
    // Earlier migrations are read only when this one enables RLS on a table it gives no policy, and then once.
    let earlier: EarlierCatalog<QualifiedName> | undefined;
    const hasEarlierPolicy = (table: QualifiedName) => (earlier ??= earlierCatalog(unit, policyTableEntries, /policy/i)).get(table.name).some((t) => sameName(t, table));
    for (const statement of section.statementsWithEmbedded) {
      const alter = (statement.node as AstNode | undefined)?.AlterTableStmt;
      if (!alter?.relation) continue;
      if (!(alter.cmds ?? []).some((c: AstNode) => c?.AlterTableCmd?.subtype === 'AT_EnableRowSecurity')) continue;
      const table = relationName(alter.relation);
      if (includesTable(policyTables, table) || hasEarlierPolicy(table)) continue;
      const name = renderName(table);
      report({
        section,
        statement,
        ...(enableClause(statement) ?? {}),
        message: `Row level security is enabled on ${name} but neither this nor an earlier migration creates a policy for it: every role other than the owner (and BYPASSRLS roles) now sees no rows and cannot insert or update any. Create the table's policies in the same migration.`,
      });
    }
  },
};
export default rule;
