import type { Rule } from '../types';
import { reportProblems } from '../layout-problems';

/** A file in the migrations folder that its tool never runs (a Drizzle file the journal does not list). */
const rule: Rule = {
  id: 'not-in-chain',
  defaultSeverity: 'warning',
  summary: 'The file is in the migrations folder but its tool never runs it.',
  lint: (unit, report) => reportProblems(unit, ['not-in-chain'], report),
};
export default rule;
