import type { Rule } from '../types';
import { reportProblems } from '../layout-problems';

/** `${VAR}` under goose's ENVSUB ON: goose replaces it from its environment; Tidemark runs the text as written. */
const rule: Rule = {
  id: 'unsubstituted-variable',
  defaultSeverity: 'info',
  summary: 'A ${VAR} that the migration tool substitutes from its environment is run as written here.',
  lint: (unit, report) => reportProblems(unit, ['layout-note'], report),
};
export default rule;
