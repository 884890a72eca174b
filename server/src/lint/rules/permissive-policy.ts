import type { Rule, StatementJudge } from '../types';
import { judgingEachStatement } from '../statement-judge';
import { relationName, renderName } from '../../sql/objects';
import { hasExactPositions } from '../../sql/embedded';
import { fileRange, tokensAtLocation } from '../../sql/token-ranges';
import { policyDefinition } from '../policies';

import type { AstNode } from '../../sql/ast';

/** `true`, `TRUE`, `'t'::boolean`, `(true)`: an expression that admits every row. */
function alwaysTrue(expression: unknown): { location?: number } | undefined {
  const node = expression as AstNode | undefined;
  if (node?.A_Const?.boolval?.boolval === true) return { location: node.A_Const.location };
  const cast = node?.TypeCast;
  const target = (cast?.typeName?.names ?? []).map((n: AstNode) => n?.String?.sval).pop();
  if (cast && (target === 'bool' || target === 'boolean')) {
    const value = cast.arg?.A_Const?.sval?.sval ?? (cast.arg?.A_Const?.boolval?.boolval === true ? 'true' : undefined);
    if (typeof value === 'string' && /^(t|true|y|yes|on|1)$/i.test(value.trim())) return { location: cast.arg.A_Const.location };
  }
  return undefined;
}

/**
 * A permissive policy whose USING or WITH CHECK is `true`: policies are OR-ed together, so one
 * such policy switches row level security off for its roles and commands, whatever the other
 * policies say.
 */
const eachStatement: StatementJudge = {
  sections: ['up'],
  lint(statement, section, _unit, report) {
    const policy = policyDefinition(statement);
    if (!policy?.permissive) return;
    const table = renderName(relationName(policy.table));
    const roles = policy.roles.length ? policy.roles.join(', ') : 'its roles';
    const clauses: Array<['USING' | 'WITH CHECK', unknown, string]> = [
      ['USING', policy.using, 'read (and update or delete) every row'],
      ['WITH CHECK', policy.withCheck, 'write any row, including rows of other tenants'],
    ];
    for (const [clause, expression, consequence] of clauses) {
      const hit = alwaysTrue(expression);
      if (!hit) continue;
      const at = hasExactPositions(statement) ? tokensAtLocation(statement, hit.location) : undefined;
      report({
        section,
        statement,
        ...(at ? fileRange(statement, at.tokens, at.index, at.index) : {}),
        message: `Policy "${policy.name}" on ${table} has ${clause} (true): ${roles} can ${consequence}${policy.command && policy.command !== 'all' ? ` for ${policy.command.toUpperCase()}` : ''}, and because permissive policies are OR-ed this overrides every other policy on the table. Write the real condition (e.g. tenant_id = current_setting('app.tenant_id', true)::uuid).`,
      });
    }
  },
};

const rule: Rule = judgingEachStatement(
  { id: 'permissive-policy', defaultSeverity: 'warning', summary: 'A policy with USING (true) or WITH CHECK (true) lets its roles see or write every row.' },
  eachStatement,
);
export default rule;
