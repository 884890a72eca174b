import type { Rule, StatementJudge } from '../types';
import { siteRange, statementColumnTypeSites } from '../column-types';
import { judgingEachStatement } from '../statement-judge';
import { schemaChangeAdvice } from '../orm-schema-change';

/**
 * `timestamp` (without time zone) stores a wall-clock reading with no zone: the same instant is
 * stored differently by servers and clients in different zones, and DST makes some values
 * ambiguous. `timestamptz` stores an instant and converts on the way in and out.
 */
const eachStatement: StatementJudge = {
  sections: ['up'],
  lint(statement, section, unit, report) {
    for (const site of statementColumnTypeSites(section, statement)) {
      if (site.typeName !== 'timestamp') continue;
      const replacement = `timestamptz${site.modifiers ?? ''}`;
      // Generated SQL is fixed in the ORM's schema: no edit of this file is offered.
      const advice = schemaChangeAdvice(unit.execution, 'timestamptz', site.modifiers ?? '');
      report({
        section: site.section,
        statement: site.statement,
        ...siteRange(site),
        message: `Column "${site.column.name}" is timestamp without time zone: it stores a wall-clock time with no zone, so values written from sessions in different time zones (or across a DST change) cannot be compared; ${advice ?? `use ${replacement}.`}`,
        fixes:
          site.start !== undefined && !advice
            ? [{ title: `Change the type to ${replacement}`, edits: [{ start: site.start, end: site.end!, newText: replacement }], preferred: true }]
            : [],
      });
    }
  },
};

const rule: Rule = judgingEachStatement(
  { id: 'prefer-timestamptz', defaultSeverity: 'warning', summary: 'Use timestamptz instead of timestamp without time zone.' },
  eachStatement,
);
export default rule;
