import type { Rule } from '../types';

/**
 * A statement the parser could not analyse because it is nested deeper than its stack allows. It
 * may well be valid SQL, so it is not a syntax error; the rules simply cannot see inside it.
 */
const rule: Rule = {
  id: 'statement-too-complex',
  defaultSeverity: 'warning',
  summary: 'A statement nested too deeply for Tidemark to analyse; no rule checked it.',
  lint(unit, report) {
    for (const section of [unit.up, unit.down, unit.verify, unit.precheck]) {
      for (const statement of section?.statements ?? []) {
        const failure = statement.notAnalysed;
        if (!failure) continue;
        const firstLine = statement.text.indexOf('\n');
        const end = statement.start + Math.min(firstLine < 0 ? statement.text.length : firstLine, 80);
        const message =
          failure.reason === 'too-complex'
            ? `This statement is nested too deeply for Tidemark to analyse (the parser stopped with "${failure.message}"), so no lint rule checked it; PostgreSQL may still run it. Split the expression (a VALUES list, a temporary table, a function) or review it by hand.`
            : `This statement was not analysed: ${failure.message}.`;
        report({ section: section!, statement, start: statement.start, end, message });
      }
    }
  },
};
export default rule;
