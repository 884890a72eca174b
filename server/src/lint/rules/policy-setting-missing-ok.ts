import type { Rule, StatementJudge } from '../types';
import { judgingEachStatement } from '../statement-judge';
import { relationName, renderName } from '../../sql/objects';
import { hasExactPositions } from '../../sql/embedded';
import { stringList } from '../../sql/names';
import { fileOffsetOf } from '../../sql/embedded';
import { fileRange, matchingParen, tokensAtLocation } from '../../sql/token-ranges';
import { policyDefinition, visitNodes } from '../policies';

import type { AstNode } from '../../sql/ast';

/**
 * `current_setting('app.tenant_id')` without its second argument raises "unrecognized
 * configuration parameter" whenever the setting was never set in the session. In a policy that
 * means every query on the table fails for a migration, a cron job, a psql session or a pooled
 * connection that has not run SET yet. With missing_ok = true it returns NULL and the policy
 * simply matches nothing.
 */
const eachStatement: StatementJudge = {
  sections: ['up'],
  lint(statement, section, _unit, report) {
    const policy = policyDefinition(statement);
    if (!policy) return;
    const calls: AstNode[] = [];
    visitNodes([policy.using, policy.withCheck], (type, body) => {
      if (type !== 'FuncCall') return;
      const name = stringList(body.funcname);
      if (name[name.length - 1] === 'current_setting' && (body.args ?? []).length === 1) calls.push(body);
    });
    for (const call of calls) {
      const setting = call.args[0]?.A_Const?.sval?.sval;
      const at = hasExactPositions(statement) ? tokensAtLocation(statement, call.location) : undefined;
      let range: { start: number; end: number } | undefined;
      let insertAt: number | undefined;
      if (at) {
        const open = at.tokens.findIndex((t, k) => k > at.index && t.kind === 'punct' && t.value === '(');
        const close = open > 0 ? matchingParen(at.tokens, open) : -1;
        if (close > 0) {
          range = fileRange(statement, at.tokens, at.index, close);
          insertAt = fileOffsetOf(statement, at.tokens[close - 1].end);
        }
      }
      const shown = setting ? `current_setting('${setting}')` : 'current_setting(...)';
      report({
        section,
        statement,
        ...(range ?? {}),
        message: `Policy "${policy.name}" on ${renderName(relationName(policy.table))} calls ${shown} without missing_ok: every query on the table raises "unrecognized configuration parameter" in any session that has not set it (migrations, cron jobs, psql, a fresh pooled connection). Pass true as the second argument so it returns NULL and the policy matches no rows.`,
        fixes: insertAt !== undefined ? [{ title: 'Add missing_ok = true', edits: [{ start: insertAt, end: insertAt, newText: ', true' }], preferred: true }] : [],
      });
    }
  },
};

const rule: Rule = judgingEachStatement(
  {
    id: 'policy-setting-missing-ok',
    defaultSeverity: 'warning',
    summary: "A policy calls current_setting('...') without missing_ok = true: queries fail while the setting is unset.",
  },
  eachStatement,
);
export default rule;
