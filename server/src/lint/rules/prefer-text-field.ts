import type { Rule, StatementJudge } from '../types';
import { siteRange, statementColumnTypeSites } from '../column-types';
import { judgingEachStatement } from '../statement-judge';
import { quoteIdentifier } from '../../sql/names';
import { schemaChangeAdvice } from '../orm-schema-change';

/**
 * varchar(n) gains nothing over text in PostgreSQL (same storage, same speed), and changing n
 * later is an ALTER COLUMN TYPE under ACCESS EXCLUSIVE — shrinking it rewrites or scans the
 * table. A CHECK constraint on the length can be replaced with NOT VALID + VALIDATE instead.
 */
const eachStatement: StatementJudge = {
  sections: ['up'],
  lint(statement, section, unit, report) {
    for (const site of statementColumnTypeSites(section, statement)) {
      if (site.typeName !== 'varchar' || !site.column.type.typmods?.length) continue;
      const limit = /\(\s*(\d+)\s*\)/.exec(site.modifiers ?? '')?.[1];
      const column = quoteIdentifier(site.column.name);
      const check = limit ? `CHECK (char_length(${column}) <= ${limit})` : undefined;
      const fixes = [];
      // Generated SQL is fixed in the ORM's schema: no edit of this file is offered.
      const advice = schemaChangeAdvice(unit.execution, 'text');
      if (site.start !== undefined && !advice) {
        // A column constraint can follow the type only where the column is defined (not in ALTER
        // COLUMN TYPE), and a length check means nothing for an array.
        if (check && site.column.context !== 'alter type' && !site.column.type.arrayBounds?.length)
          fixes.push({ title: `Change the type to text ${check}`, edits: [{ start: site.start, end: site.end!, newText: `text ${check}` }], preferred: true });
        fixes.push({ title: 'Change the type to text', edits: [{ start: site.start, end: site.end!, newText: 'text' }] });
      }
      report({
        section: site.section,
        statement: site.statement,
        ...siteRange(site),
        message: `Column "${site.column.name}" is ${site.written ?? 'varchar(n)'}: changing the limit later takes an ACCESS EXCLUSIVE lock (and a full scan to shrink it); ${advice ?? `use text${check ? `, with ${check} if the limit matters` : ''}.`}`,
        fixes,
      });
    }
  },
};

const rule: Rule = judgingEachStatement(
  { id: 'prefer-text-field', defaultSeverity: 'warning', summary: 'Use text (with a CHECK on its length if needed) instead of varchar(n).' },
  eachStatement,
);
export default rule;
