import type { Rule } from '../types';
import { reportProblems } from '../layout-problems';

/** A migration whose up holds no SQL would be recorded as applied with nothing run. */
const rule: Rule = {
  id: 'empty-migration',
  defaultSeverity: 'error',
  summary: 'The up section holds no SQL: applying it would record a migration that did nothing.',
  lint: (unit, report) => reportProblems(unit, ['empty-up'], report),
};
export default rule;
