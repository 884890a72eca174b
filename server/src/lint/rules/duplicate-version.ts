import type { Rule } from '../types';

/** Two migrations with one version: the runner cannot order them and would apply only one. */
const rule: Rule = {
  id: 'duplicate-version',
  defaultSeverity: 'error',
  summary: 'Two migration files use the same version number.',
  lint(unit, report) {
    const section = [unit.up, unit.down, unit.verify, unit.precheck].find((s) => s?.file.path === unit.file.path);
    if (!section) return;
    for (const problem of unit.problems) {
      if (problem.code !== 'duplicate-version') continue;
      // Underline the first line: the file as a whole is the problem.
      const firstLineEnd = unit.file.text.indexOf('\n');
      report({ section, start: 0, end: firstLineEnd < 0 ? unit.file.text.length : firstLineEnd, message: problem.message });
    }
  },
};
export default rule;
